"""Family 2: a second, independently written set of templates for every document type.

Family 1 (``tests.datagen``) was written with the extractor; family 2 follows the real forms
(TT 04/2020 birth and marriage certificates, 2014 and 2024 land certificates, household-business
and enterprise certificates, the 2021 CCCD and 2024 "Thẻ căn cước", "ĐƠN XIN …" letters, Mẫu CT01
drawn on the real blank, UBND letters) with its own drawing code, fonts and wording, so that
measuring the extractor on it says what an unseen layout costs. Every set has a seeded held-back
split (``truth["split"] == "held"``) that nothing is tuned on.

    python -m tests.datagen.family2 --out DIR --count 56 --seed S
"""

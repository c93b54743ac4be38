"""Synthetic scans of Vietnamese one-stop-shop documents, with exact ground truth.

No public scans of Vietnamese dossiers exist, so OCR, classification and field extraction are
measured on documents rendered here (Pillow, 300 dpi, Liberation Serif / DejaVu Sans) and then
degraded the way commune scanners degrade them.

Usage::

    python -m tests.datagen --out DIR --count N --seed S --profile clean|degraded|hard|mixed \\
        [--types cccd,birth_certificate,...]
    python -m tests.datagen fixed            # regenerate the committed set in tests/data/scans

Beside every scan ``<file>`` lies ``<file>.truth.json``::

    {"file", "format": "pdf|tiff|jpeg|png", "pages", "profile",
     "degradations": [{"step": "skew", "page": 1, "angle": 2.1}, {"step": "seal", ...}, ...],
     "page_info": [{"page", "width", "height", "dpi", "dpi_in_file", "mode": "L|RGB",
                    "rotated_ccw", "upright_rotation" (clockwise degrees to make it upright),
                    "skew_ccw"}],
     "documents": [{"doc_type", "variant", "pages": [1-based], "text" (printed lines in reading
                    order, NFC), "page_texts": [...], "fields": {key: normalised value}}]}

Modules: ``values`` (names, places, identifiers), ``canvas``/``form`` (drawing that records every
printed line), ``layouts`` (A4 documents) and ``cards`` (ID cards), ``mrz``, ``seal``, ``degrade``
(named steps), ``writer`` (file formats + truth), ``generate`` (plans and profiles), ``fixed`` (the
committed set), ``truthcheck`` (consistency checks of a truth file against its scan).
"""

"""Which words ``ocr.dates`` reads again, and how it weighs the two readings (no OCR here; the
readings are the ones Tesseract gave on the benchmark's generated scans)."""

from __future__ import annotations

from ocr.dates import (
    AGREED_CONFIDENCE,
    DISAGREED_CONFIDENCE,
    SETTLED_CONFIDENCE,
    as_date,
    confirmed_digits,
    find_date_runs,
    find_number_runs,
    judge,
    judge_number,
    settle_date,
    settle_number,
)
from ocr.models import Box, Line, Word


def _line(*words: tuple[str, float]) -> Line:
    out, x = [], 100
    for text, conf in words:
        out.append(Word(text, conf, Box(x, 100, 20 * len(text), 30)))
        x += 20 * len(text) + 25
    return Line(" ".join(t for t, _ in words), 0.9, Box(100, 100, x - 125, 30), tuple(out))


def _run_texts(line: Line) -> list[str]:
    return [" ".join(w.text for w in r.words([line])) for r in find_date_runs([line])]


def test_date_shaped_runs_are_found() -> None:
    ct01 = _line(("sinh:", 0.33), ("ÔỞ", 0.0), ("„11", 0.26), (",", 0.45), ("1984", 0.87), ("+", 0.5))
    assert _run_texts(ct01) == ["ÔỞ „11 , 1984"]
    slots = _line(("sinh.", 0.68), ("24,03", 0.11), ("„", 0.77), ("1362", 0.9), ("3.", 0.91), ("Giới", 0.96))
    assert _run_texts(slots) == ["24,03 „ 1362"]  # the next item's number is not the date's
    assert _run_texts(_line(("sinh:", 0.9), ("21!01I1968", 0.19))) == ["21!01I1968"]
    assert _run_texts(_line(("cấp:", 0.9), ("020712021", 0.15))) == ["020712021"]
    assert _run_texts(_line(("ký:", 0.9), ("20/01/2023", 0.55))) == ["20/01/2023"]


def test_other_numbers_and_clean_dates_are_left_alone() -> None:
    assert _run_texts(_line(("thoại:", 0.9), ("0912345678", 0.5))) == []  # a phone number
    assert _run_texts(_line(("vốn:", 0.9), ("594.060.600", 0.69))) == []  # an amount
    assert _run_texts(_line(("Quyển", 0.9), ("số:", 0.9), ("03/2023", 0.5))) == []  # a book
    assert _run_texts(_line(("CCCD:", 0.9), ("079068054157", 0.5))) == []
    assert (
        _run_texts(
            _line(
                ("IDVNM0591811667033059181166<<9", 0.35),
            )
        )
        == []
    )  # an MRZ line
    assert _run_texts(_line(("sinh:", 0.9), ("05/08/1974", 0.96))) == []  # read cleanly already


def test_second_reading_must_be_a_calendar_date() -> None:
    assert as_date("21/01/1968") == ("21/01/1968", "21011968")
    assert as_date("27.061990") == ("27/06/1990", "27061990")
    assert as_date("5/5/2021") == ("05/05/2021", "05052021")
    assert as_date("31/02/1990") is None
    assert as_date("0946061407") is None
    assert as_date("12/13/1990") is None
    assert as_date("01/01/1362") is None


def test_agreement_of_the_two_readings() -> None:
    assert confirmed_digits("21!01I1968", "21011968") == 8
    assert confirmed_digits("020712021", "02072021") == 8  # the slashes read as ones
    assert confirmed_digits("ÔỞ„11,1984", "03111984") == 6
    assert confirmed_digits("27,96„1999", "27061990") is None
    assert confirmed_digits("13/5/2021", "15052021") is None


def _words(*texts: str) -> tuple[Word, ...]:
    return tuple(Word(t, 0.3, Box(0, 0, 10, 10)) for t in texts)


def test_judge_trusts_only_dates_read_twice() -> None:
    assert judge(_words("21!01I1968"), "21/01/1968") == ("21/01/1968", AGREED_CONFIDENCE)
    assert judge(_words("10/01/1996"), "10/01/1996") == ("10/01/1996", AGREED_CONFIDENCE)
    assert judge(_words("15/5/2021"), "15/5/2021") == ("15/5/2021", AGREED_CONFIDENCE)  # as printed
    # the day read only by the second reading: its value, for review
    assert judge(_words("ÔỞ", "„11", ",", "1984"), "03111984") == ("03/11/1984", DISAGREED_CONFIDENCE)
    assert judge(_words("27", ",96", "„", "1999"), "27.061990") == ("27/06/1990", DISAGREED_CONFIDENCE)
    # two dates that differ: the first reading stays, for review
    assert judge(_words("13/5/2021"), "15/5/2021") == ("13/5/2021", DISAGREED_CONFIDENCE)
    assert judge(_words("0946061407"), "0946061407") is None  # no date: nothing changes


def test_a_digit_read_as_its_look_alike_letter_counts_as_read() -> None:
    """A typed CT01's boxed date of birth, as Tesseract read it on a tune file of family 2: the
    first reading gave the day's 1 as "l", both digits-only readings "12.06.1950". The 1 was
    taken as read by the digits-only readings alone, and the right date went to review."""
    from ocr.dates import date_letters_as_digits

    boxed = _words("l2", "„06", "„", "1950")
    assert judge(boxed, "12.06.1950") == ("12/06/1950", AGREED_CONFIDENCE)
    assert settle_date(boxed, "12.06.1950", "12.06.1950") == ("12/06/1950", SETTLED_CONFIDENCE)
    assert date_letters_as_digits("O3/11/199l") == "03/11/1991"
    assert date_letters_as_digits("21!01I1968") == "21!01I1968"  # strokes between digits: slashes
    # Two strokes for one slash (a family-1 marriage certificate, degraded): still a slash.
    assert date_letters_as_digits("22I!03I1987") == "22I!03I1987"
    assert judge(_words("22I!03I1987"), "22/03/1987") == ("22/03/1987", AGREED_CONFIDENCE)
    # A letter of another shape is no reading of the digit: still for review.
    assert judge(_words("ÔỞ", "„11", ",", "1984"), "03111984") == ("03/11/1984", DISAGREED_CONFIDENCE)
    # The letter read as another digit than the second reading's: the two still disagree.
    assert judge(_words("l2", "„06", "„", "1950"), "13.06.1950")[1] == DISAGREED_CONFIDENCE  # type: ignore[index]


def test_house_numbers_after_so_are_read_again() -> None:
    line = _line(("trú:", 0.85), ("Số", 0.96), ("199,", 0.92), ("đường", 0.97), ("Hùng", 0.97))
    assert [" ".join(w.text for w in r.words([line])) for r in find_number_runs([line])] == ["199,"]
    assert find_number_runs([_line(("khoản", 0.9), ("5,", 0.9))]) == []


def _number_texts(line: Line) -> list[str]:
    return [" ".join(w.text for w in r.words([line])) for r in find_number_runs([line])]


def test_every_number_of_three_digits_or_more_is_read_again() -> None:
    assert _number_texts(_line(("Số", 0.9), ("CCCD:", 0.9), ("079068054157", 0.9))) == ["079068054157"]
    assert _number_texts(_line(("Quyển", 0.9), ("số:", 0.9), ("07I2025", 0.58))) == ["07I2025"]
    assert _number_texts(_line(("MSDN:", 0.9), ("0101234567-001", 0.9))) == ["0101234567-001"]
    assert _number_texts(_line(("No.:", 0.9), ("O96050360026", 0.6))) == ["O96050360026"]
    assert _number_texts(_line(("tích:", 0.9), ("228,6", 0.97), ("m2", 0.8))) == ["228,6"]
    # An item's or a clause's number, a word with letters, an MRZ line: not numbers to read again.
    assert _number_texts(_line(("6.", 0.9), ("Email:", 0.9), ("khoản", 0.9), ("20;", 0.9))) == []
    assert _number_texts(_line(("ss2011E5cA", 0.1), ("IDVNM0591811667033059181166<<9", 0.8))) == []


def test_judge_number() -> None:
    first = Word("199,", 0.92, Box(0, 0, 60, 30))
    # As read on the CT01: the first reading's text until a third reading sides with one.
    assert judge_number(first, "190.") == ("199,", DISAGREED_CONFIDENCE)
    assert judge_number(first, "199") == ("199,", AGREED_CONFIDENCE)
    assert judge_number(first, "1990") is None  # another length: the first reading stays
    clean = Word("197,", 0.96, Box(0, 0, 60, 30))  # read cleanly; the second reading "137"
    assert judge_number(clean, "137") == ("197,", DISAGREED_CONFIDENCE)
    assert judge_number(first, "") is None


def test_judge_number_with_letters_for_digits() -> None:
    book = Word("07I2025", 0.58, Box(0, 0, 120, 30))  # the slash read as I
    assert judge_number(book, "07/2025") == ("07I2025", AGREED_CONFIDENCE)
    ident = Word("O96050360026", 0.62, Box(0, 0, 240, 30))  # the 0 read as O
    assert judge_number(ident, "096050360026") == ("096050360026", AGREED_CONFIDENCE)
    assert judge_number(ident, "096050360028") == ("O96050360026", DISAGREED_CONFIDENCE)
    right = Word("096050360026", 0.62, Box(0, 0, 240, 30))
    assert judge_number(right, "096050360026") == ("096050360026", AGREED_CONFIDENCE)
    # digits read only by the second reading, or lost by it: the first stays as it is
    assert judge_number(right, "0960503600266") is None


def test_a_third_reading_settles_two_that_differ() -> None:
    """Readings Tesseract gave on the benchmark's tune files: the first (Vietnamese model) and
    the digits-only second differ; the digits-only third, from the crop enlarged, sides with one."""
    holder = Word("019396163968", 0.9, Box(0, 0, 240, 30))  # a land certificate's holder id
    assert settle_number(holder, "019300163968", "019300163968") == ("019300163968", SETTLED_CONFIDENCE)
    house = Word("199,", 0.92, Box(0, 0, 60, 30))
    assert settle_number(house, "190", "190") == ("190,", SETTLED_CONFIDENCE)
    # The digits-only readings less sure than the first (a 7 cut by the crop's edge, read as 1).
    phone = Word("7416624", 0.79, Box(0, 0, 140, 30))
    assert settle_number(phone, "1416624", "1416624", sure=0.0) is None
    assert settle_number(holder, "019300163968", "019300163968", sure=0.956) == (
        "019300163968", SETTLED_CONFIDENCE)
    assert settle_number(house, "190", "199") == ("199,", SETTLED_CONFIDENCE)  # the first confirmed
    assert settle_number(house, "190", "197") is None  # three readings, three numbers: review
    assert settle_number(house, "190", "") is None
    ident = Word("O96050360026", 0.6, Box(0, 0, 240, 30))
    assert settle_number(ident, "096050360028", "096050360026") == ("096050360026", SETTLED_CONFIDENCE)
    assert settle_number(ident, "096050360028", "096050360028") == ("096050360028", SETTLED_CONFIDENCE)
    slots = [Word(t, 0.5, Box(0, 0, 40, 30)) for t in ("24,03", "„", "1362")]
    assert settle_date(slots, "24031962", "24031962") == ("24/03/1962", SETTLED_CONFIDENCE)
    assert settle_date(slots, "24031962", "24-031902") is None
    day_as_letters = [Word(t, 0.3, Box(0, 0, 40, 30)) for t in ("ÔỞ", "„11", ",", "1984")]
    # The day read by the digits-only readings alone: one engine twice, still for review.
    assert settle_date(day_as_letters, "03111984", "03.11.1984") is None
    printed = [Word("13/5/2021", 0.9, Box(0, 0, 120, 30))]
    assert settle_date(printed, "15/5/2021", "13/5/2021") == ("13/5/2021", SETTLED_CONFIDENCE)
    assert settle_date(printed, "15/5/2021", "15/3/2021") is None


def test_numbers_read_box_by_box_are_not_read_again() -> None:
    """A CT01 id read one box at a time (``ocr.boxes``): a line crop across its box edges reads
    the edges as digits ("111944161738" for 040191632898), of the same length by chance."""
    from ocr.boxes import boxed_words

    line = _line(("4.", 0.9), ("Số", 0.9), ("định", 0.9), ("danh:", 0.9), ("0 4 0 1 9 1", 0.3))
    row = Box(400, 95, 480, 40)
    read = Line(line.text, 0.9, line.box, (*line.words[:4], Word("040191632898", 0.9, row)))
    assert boxed_words([line], [read]) == frozenset({row})
    assert _number_texts(read) == ["040191632898"]
    assert find_number_runs([read], boxed_words([line], [read])) == []

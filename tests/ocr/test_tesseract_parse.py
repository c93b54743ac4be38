"""TSV parsing and the removal of what Tesseract reads into signatures."""

from __future__ import annotations

from ocr.models import Box, Line, Word
from ocr.tesseract import drop_noise_lines, parse_tsv

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def _row(block: int, line: int, word: int, left: int, conf: float, text: str) -> str:
    return f"5\t1\t{block}\t1\t{line}\t{word}\t{left}\t{100 * line}\t50\t30\t{conf}\t{text}"


def test_parse_tsv_groups_words_into_lines_in_order_and_nfc() -> None:
    decomposed = "Nguye\u0302\u0303n"  # NFD: must come out NFC
    tsv = "\n".join(
        [
            HEADER,
            "4\t1\t1\t1\t1\t0\t0\t0\t0\t0\t-1\t",
            _row(1, 1, 1, 10, 96.0, "Họ"),
            _row(1, 1, 2, 70, 90.0, "tên:"),
            _row(1, 1, 3, 130, 88.0, decomposed),
            _row(1, 2, 1, 10, -1, ""),
            _row(2, 1, 1, 10, 80.0, "Quê"),
        ]
    )
    lines = parse_tsv(tsv)
    assert [line.text for line in lines] == ["Họ tên: Nguyễn", "Quê"]
    assert lines[0].words[2].text == "Nguyễn"
    assert lines[0].confidence == (0.96 + 0.90 + 0.88) / 3
    assert lines[1].block == 2
    assert lines[0].box.left == 10 and lines[0].box.width == 170


def _line(text: str, conf: float, height: int) -> Line:
    box = Box(0, 0, 100, height)
    return Line(text, conf, box, tuple(Word(t, conf, box) for t in text.split()))


def test_signature_scribbles_dropped_but_mrz_kept() -> None:
    lines = [
        _line("Họ và tên: NGUYỄN VĂN AN", 0.93, 40),
        _line("Ngày sinh: 01/02/1990", 0.95, 40),
        _line("NJMWw/NM", 0.28, 105),  # a signature: tall and unsure
        _line("ø“Z", 0.12, 30),  # dust: short and unsure
        _line("IDVNM1715262011037171526201<<7", 0.35, 38),  # unsure but a real MRZ line
        _line("Ký tên", 0.91, 42),
    ]
    kept = [line.text for line in drop_noise_lines(lines)]
    assert kept == [
        "Họ và tên: NGUYỄN VĂN AN", "Ngày sinh: 01/02/1990", "IDVNM1715262011037171526201<<7", "Ký tên"
    ]


def test_slash_read_as_i_in_dates_is_fixed() -> None:
    from ocr.tesseract import fix_date_separators

    assert fix_date_separators("05/08I1974") == "05/08/1974"
    assert fix_date_separators("05I08l2034.") == "05/08/2034."
    assert fix_date_separators("12/2024") == "12/2024"
    assert fix_date_separators("IDVNM1715262011") == "IDVNM1715262011"
    assert fix_date_separators("1I2I3") == "1I2I3"

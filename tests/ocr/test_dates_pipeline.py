"""Dates through the whole page path (``process_file``) on two benchmark scans (tune split):
a degraded CT01 whose date of birth the first reading lost, a marriage certificate whose right
dates were sent to review for their low word confidence (the digits-only second reading,
``ocr.dates``, fixes both)."""

from __future__ import annotations

from pathlib import Path

from config.settings import load_settings
from pipeline.documents.models import DocumentResult
from pipeline.executor import make_executor
from pipeline.process import process_file
from tests.ocr.family2_files import CT01_DEGRADED, MARRIAGE, family2_file


def _document(path: Path, workdir: Path) -> DocumentResult:
    executor = make_executor(1)
    try:
        result = process_file(path, load_settings(), executor, workdir)
    finally:
        executor.close()
    (doc,) = result.documents
    return doc


def test_ct01_date_of_birth_read_as_letters_is_recovered_for_review(tmp_path: Path) -> None:
    path, truth = family2_file(CT01_DEGRADED, tmp_path / "in")
    doc = _document(path, tmp_path / "out")
    dob = doc.fields.get("date_of_birth")
    assert dob is not None, doc.text  # the old code found no date in "ÔỞ „11 , 1984"
    assert dob.value == truth["date_of_birth"] == "1984-11-03"
    assert dob.needs_review  # its day was read once, by the second reading only


def test_right_dates_with_weak_word_confidence_are_not_sent_to_review(tmp_path: Path) -> None:
    path, truth = family2_file(MARRIAGE, tmp_path / "in")
    doc = _document(path, tmp_path / "out")
    for key in ("wife_date_of_birth", "registration_date"):
        fv = doc.fields[key]
        assert fv.value == truth[key]
        assert not fv.needs_review, (key, fv)

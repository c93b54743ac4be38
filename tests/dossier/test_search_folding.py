"""Search without accents: names and OCR text typed without tone marks, with wrong ones, or with
d for đ find the dossier; what matches the accents as typed comes first. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pipeline.dossier.receive import receive
from pipeline.dossier.search import search_dossiers
from storage.db.document_text import search_texts, snippet
from storage.db.dossiers import create_dossier_in
from storage.db.engine import read_session, write_session
from storage.db.text_fold import COMBINING_MARKS, FOLD_FROM, FOLD_TO, fold
from tests.db.fixtures import Database
from tests.dossier.helpers import AGENCY, CITIZEN, CONFIRMATION, OTHER, catalogue
from tests.dossier.test_search import _scan_text

OWN = frozenset({AGENCY})


def test_fold_handles_vietnamese_and_d_stroke() -> None:
    assert fold("Nguyễn Văn An") == "nguyen van an"
    assert fold("ĐỖ THỊ ĐÀO") == "do thi dao"  # đ/Đ: no decomposition strips them
    assert fold("ÐỖ Thị ðào") == "do thi dao"  # the eth old encodings put for Đ
    assert fold("Nguye\u0302\u0303n") == "nguyen"  # typed decomposed (NFD)
    assert fold("Phạm Ngọc Thạch, Ứng Hòa") == "pham ngoc thach, ung hoa"


def test_postgres_fold_function_is_the_python_one(db: Database) -> None:
    if db.backend != "postgresql":
        pytest.skip("sohoa_fold is a PostgreSQL function (SQLite folds in FTS5 and in Python)")
    sample = FOLD_FROM + " Nguye\u0302\u0303n ĐÔNG khê " + COMBINING_MARKS + " ABC xyz 123"
    with read_session(db.engine) as s:
        assert s.scalar(text("SELECT sohoa_fold(:v)"), {"v": sample}) == fold(sample)
        for ch in FOLD_FROM:  # letter by letter, so a mismatch names its letter
            assert s.scalar(text("SELECT sohoa_fold(:v)"), {"v": ch}) == fold(ch), ch


def _two_applicants(db: Database) -> tuple[str, str]:
    with write_session(db.engine) as s:
        catalogue(s)
        exact = receive(
            s,
            agency=AGENCY,
            procedure=CONFIRMATION,
            applicant_id=CITIZEN,
            actor="clerk",
            applicant_name="Nguyễn Văn An",
        ).code
        other = receive(  # newer, so first by date: only its accents differ
            s,
            agency=AGENCY,
            procedure=CONFIRMATION,
            applicant_id=OTHER,
            actor="clerk",
            applicant_name="Nguyên Văn Ân",
        ).code
        receive(
            s,
            agency=AGENCY,
            procedure=CONFIRMATION,
            applicant_id="001200000111",
            actor="clerk",
            applicant_name="Đỗ Thị Đào",
        )
    return exact, other


def test_names_found_without_accents_and_exact_accents_first(db: Database) -> None:
    exact, other = _two_applicants(db)
    with read_session(db.engine) as s:
        for typed in ("nguyen van an", "Nguyen Van An", "NGUYEN VAN AN", "nguyễn van an"):
            assert [h.code for h in search_dossiers(s, typed, agencies=OWN)] == [other, exact], typed
        # Typed with its accents: that spelling first although the other dossier is newer.
        hits = search_dossiers(s, "Nguyễn Văn An", agencies=OWN)
        assert [(h.code, h.applicant_name) for h in hits] == [
            (exact, "Nguyễn Văn An"),
            (other, "Nguyên Văn Ân"),
        ]
        # Tone marks mistyped: still both, by date.
        assert [h.code for h in search_dossiers(s, "Nguyển Vắn Àn", agencies=OWN)] == [other, exact]
        # đ typed as d, and upper case Đ typed as lower case đ.
        for typed in ("do thi dao", "Do Thi Dao", "đỗ thị đào", "dao"):
            found = search_dossiers(s, typed, agencies=OWN)
            assert [h.applicant_name for h in found] == ["Đỗ Thị Đào"], typed
        assert search_dossiers(s, "nguyen van binh", agencies=OWN) == []
        assert search_dossiers(s, "nguyen van an", agencies=frozenset({"H29.001"})) == []


def test_text_found_without_accents_with_accented_snippet(db: Database) -> None:
    with write_session(db.engine) as s:
        catalogue(s)
        first = create_dossier_in(s, AGENCY, actor="test")
        exact_doc = _scan_text(s, "dk-1", "Nơi cư trú: thôn Đông Khê, xã Yên Lạc", first.code)
        second = create_dossier_in(s, AGENCY, actor="test")
        other_doc = _scan_text(s, "dk-2", "Nơi cư trú: thôn Đồng Khê, xã Yên Lạc", second.code)
        third = create_dossier_in(s, AGENCY, actor="test")
        _scan_text(s, "dk-3", "Giấy khai sinh của cháu Đặng Minh Đức", third.code)
        fourth = create_dossier_in(s, AGENCY, actor="test")
        eth_doc = _scan_text(s, "dk-4", "Người làm chứng: Ðinh Công Tráng", fourth.code)  # Ð: an eth
    with read_session(db.engine) as s:
        # Without accents (and d for đ): both, index order (a tie: the newer first).
        assert [h.document_id for h in search_texts(s, "dong khe")] == [other_doc, exact_doc]
        assert [h.document_id for h in search_texts(s, "DONG KHE")] == [other_doc, exact_doc]
        # With accents: the document spelled that way first.
        assert [h.document_id for h in search_texts(s, "Đông Khê")] == [exact_doc, other_doc]
        assert [h.document_id for h in search_texts(s, "Đồng Khê")] == [other_doc, exact_doc]
        # Tone marks mistyped: both still found.
        assert {h.document_id for h in search_texts(s, "Đống Khể")} == {exact_doc, other_doc}
        # The snippet keeps the text's own accents and brackets the folded match.
        hit = search_texts(s, "dong khe")[1]
        assert "thôn [Đông] [Khê], xã Yên Lạc" in hit.snippet
        # Two d's, each possibly đ (FTS5 keeps đ; PostgreSQL folds it).
        found = search_dossiers(s, "dang minh duc", agencies=OWN)
        assert [(h.code, h.matched) for h in found] == [(third.code, "text")]
        assert found[0].snippet is not None and "[Đặng] [Minh] [Đức]" in found[0].snippet
        assert [h.document_id for h in search_texts(s, "dinh cong trang")] == [eth_doc]
        assert [h.document_id for h in search_texts(s, "Đinh Công Tráng")] == [eth_doc]
        assert search_texts(s, "dong khe yen lac xa") != []
        assert search_texts(s, "dong khe ha long") == []  # every word still required


def test_snippet_cuts_around_the_first_match() -> None:
    body = ("Lời mở đầu dài " * 30) + "người yêu cầu Đỗ Văn Đạt, thường trú tại thôn Hạ" + (" kết thúc" * 40)
    cut = snippet(body, ["dat"])
    assert "[Đạt]" in cut and cut.startswith("…") and cut.endswith("…")
    assert len(cut) < 260
    decomposed = "Ho\u0323 te\u0302n: Nguye\u0302\u0303n Thi\u0323 Hoa"
    assert "[Nguyễn]" in snippet(decomposed, ["nguyen"])


def test_migration_froze_the_same_table() -> None:
    """0870's ``sohoa_fold`` is frozen text; the Python table is derived from Unicode data: a
    Python whose Unicode tables differ would fold differently from PostgreSQL's index."""
    import importlib.util
    from pathlib import Path

    import storage.migrations

    path = Path(storage.migrations.__file__).parent / "versions" / "0870_search_folding.py"
    spec = importlib.util.spec_from_file_location("m0870", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (module.FOLD_FROM, module.FOLD_TO, module.MARKS) == (FOLD_FROM, FOLD_TO, COMBINING_MARKS)

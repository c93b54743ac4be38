"""Real signed Vietnamese government PDFs, verified with only the shipped trust list.

Three files published by the Government (decrees 49 and 50/2026/NĐ-CP, a scanned page of the
government portal), signed through VGCA's sign service and iText; provenance in
``tests/data/real_gov/PROVENANCE.md``. Offline here, so revocation cannot be checked: every
signature must come out intact and trusted through the shipped anchors (timestamps included) and
"not checked", never HỢP LỆ. The minister's P=2 certification of decree 50 is followed by five
signatures: four stamps write the decree's number and date into blank space (permitted: signing,
signing/verify_stamps.py), the fifth, the government's seal, is drawn over the minister's
signature as Decree 30/2020 places it, hiding nothing (permitted: signing/verify_seal.py).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.verify import verify_pdf

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data" / "real_gov"
SHIPPED = {"vn-national-root", "gov-root-g2", "gov-ca-g2"}


def _verify(name: str):  # type: ignore[no-untyped-def]
    return verify_pdf(DATA / name, trust_roots=(), allow_fetching=False)


@pytest.mark.parametrize("name", ["nd-49-2026-ND-CP.pdf", "cttdt-chinhphu-scan-3p-2026-06.pdf"])
def test_single_certification_is_trusted_but_not_checked_offline(name: str) -> None:
    report = _verify(name)
    assert set(report.trust_anchors) >= SHIPPED
    assert len(report.signatures) == 1
    sig = report.signatures[0]
    assert sig.kind == "certification"
    assert sig.intact and sig.trusted and sig.timestamp_trusted
    if name.startswith("cttdt"):
        # the portal's signing client asked the government TSA for a SHA-1 message imprint
        # (the TSA itself signs with SHA-256): the time rests on SHA-1, the weak verdict
        assert sig.weak_algorithm == "sha1" and sig.status == "weak_algorithm", sig.problems
        assert any("revocation not checked" in p for p in sig.problems)
    else:
        assert sig.weak_algorithm is None
        assert sig.status == "revocation_not_checked"
    assert not sig.valid and not report.valid and sig.verdict != "HỢP LỆ"


def test_decree_signed_six_times_hybrid_iText_struct_tree() -> None:
    report = _verify("nd-50-2026-ND-CP.pdf")
    assert report.hybrid_xref
    sigs = report.signatures
    assert len(sigs) == 6
    assert all(s.intact and s.trusted for s in sigs)
    # the five later government signatures: iText's structure-tree updates are explained
    assert [s.status for s in sigs[1:]] == ["revocation_not_checked"] * 5
    # the certification: the number and date stamps (signatures 2-5) are in blank space; the
    # government's seal (signature 6) is drawn over "PHÓ THỦ TƯỚNG" and the minister's signature
    # image, as Decree 30/2020 asks, transparent and red (signing/verify_seal.py): accepted, so
    # only revocation stays unchecked offline (before the seal rule: "modified")
    cert = sigs[0]
    assert cert.kind == "certification" and cert.intact and cert.trusted
    assert cert.status == "revocation_not_checked", cert.problems
    assert cert.later_stamps == [f"Signature{i} (trang 1)" for i in range(2, 6)] + [
        "Signature6 (trang 30): dấu trùm lên chữ ký 'Signature1' (Nghị định 30/2020/NĐ-CP)"
    ]
    assert not any("nội dung hiển thị" in p for p in cert.problems), cert.problems
    assert not report.valid and cert.verdict != "HỢP LỆ"


def test_decree_numbered_and_dated_after_certification(tmp_path: Path) -> None:
    """Decree 50 as it stood before the seal: certified, then four stamps writing "50", "31",
    "01", "2026" into the blanks of "Số: …/2026/NĐ-CP" and the date line (Decree 30/2020: the
    clerk numbers the document after the leader signs). P=2 permits signing, and each stamp is
    the appearance of a signature, drawn in blank space: the certification stays intact and
    trusted (revocation alone cannot be checked offline), and the report names the stamps.
    Before the stamp rule the certification read "modified"."""
    data = (DATA / "nd-50-2026-ND-CP.pdf").read_bytes()
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    br = next(e.byte_range for e in reader.embedded_signatures if e.field_name == "Signature5")
    cut = br[2] + br[3]  # the end of the fifth signature's revision
    path = tmp_path / "nd-50-before-seal.pdf"
    path.write_bytes(data[:cut])
    report = verify_pdf(path, trust_roots=(), allow_fetching=False)
    cert = report.signatures[0]
    assert len(report.signatures) == 5
    assert cert.kind == "certification" and cert.intact and cert.trusted
    assert cert.status == "revocation_not_checked", cert.problems
    assert cert.later_stamps == [f"Signature{i} (trang 1)" for i in range(2, 6)]
    assert [s.status for s in report.signatures[1:]] == ["revocation_not_checked"] * 4

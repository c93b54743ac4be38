"""Real signed Vietnamese government PDFs, verified with only the shipped trust list.

Three files published by the Government (decrees 49 and 50/2026/NĐ-CP, a scanned page of the
government portal), signed through VGCA's sign service and iText; provenance in
``tests/data/real_gov/PROVENANCE.md``. Offline here, so revocation cannot be checked: every
signature must come out intact and trusted through the shipped anchors (timestamps included) and
"not checked", never HỢP LỆ. The minister's P=2 certification of decree 50 is followed by five
signatures whose visible stamps write the decree's number and date onto the page; the strict
policy calls that a modification (what a viewer shows changed after the certification).
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
    assert sig.status == "revocation_not_checked" and not sig.valid
    assert not report.valid and sig.verdict != "HỢP LỆ"


def test_decree_signed_six_times_hybrid_iText_struct_tree() -> None:
    report = _verify("nd-50-2026-ND-CP.pdf")
    assert report.hybrid_xref
    sigs = report.signatures
    assert len(sigs) == 6
    assert all(s.intact and s.trusted for s in sigs)
    # the five later government signatures: iText's structure-tree updates are explained
    assert [s.status for s in sigs[1:]] == ["revocation_not_checked"] * 5
    # the certification: stamps drawn on the page after it are a visible change
    assert sigs[0].kind == "certification" and sigs[0].status == "modified"
    assert not report.valid

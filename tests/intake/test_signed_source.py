"""A signed PDF ingests as it is: same bytes stored, signatures verified and recorded, held as signed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pikepdf
from PIL import Image
from sqlalchemy import select

from config.settings import Settings
from ocr.page import process_page
from ocr.textlayer import text_layer_lines
from pipeline.intake import Intake, Status
from pipeline.reuse import lookup
from signing.appearance import StampKind
from signing.keyfile import load_pkcs12_signer
from signing.pades import SigningContext, SignRequest, sign_bytes
from storage.db.engine import read_session
from storage.db.models import Scan
from storage.db.source_signatures import signatures_of_scan
from storage.objects.base import Bucket
from tests.db.fixtures import Database
from tests.intake.helpers import Sample
from tests.signing.conftest import OFFICIAL_NAME, PkiFixture, pki  # noqa: F401 - the test PKI fixture
from tests.signing.helpers import settings_for


def _as_pdf(sample: Sample, dest: Path) -> Path:
    """The generated scan as a PDF (it may already be one)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if sample.path.suffix.lower() == ".pdf":
        dest.write_bytes(sample.path.read_bytes())
        return dest
    with Image.open(sample.path) as img:
        dpi = float((img.info.get("dpi") or (300, 300))[0])
        img.convert("RGB").save(dest, "PDF", resolution=dpi)
    return dest


def _signed_cccd(sample: Sample, pki: PkiFixture, tmp_path: Path) -> Path:  # noqa: F811
    """The generated CCCD scan as a PDF, signed by sohoa's signer with the test PKI."""
    plain = _as_pdf(sample, tmp_path / "cccd.pdf")
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    signer = load_pkcs12_signer(pki.pki.official_rsa.p12, pki.passphrase)
    out = tmp_path / "in" / "cccd-da-ky.pdf"
    out.parent.mkdir(parents=True)
    out.write_bytes(sign_bytes(plain.read_bytes(), signer, SignRequest(stamp=StampKind.NONE), ctx))
    return out


def test_signed_pdf_ingests_keeps_its_bytes_verifies_and_is_held_signed(
    db: Database, make_intake, samples: dict[str, Sample], pki: PkiFixture, tmp_path: Path  # noqa: F811
) -> None:
    path = _signed_cccd(samples["cccd"], pki, tmp_path)
    original = path.read_bytes()
    intake: Intake = make_intake()
    intake.settings.signing.trust_roots = [pki.root_pem]
    report = intake.ingest([path], agency_code="H55.242")
    outcome = report.outcomes[0]
    assert outcome.status == Status.INGESTED, outcome.message
    assert outcome.signatures == 1 and "cccd" in outcome.doc_types

    # stored byte for byte: same hash, same bytes back from the store; the input untouched
    assert outcome.sha256 == hashlib.sha256(original).hexdigest()
    with intake.store.open(Bucket.ORIGINALS, outcome.sha256) as fh:
        assert fh.read() == original
    assert path.read_bytes() == original

    with read_session(db.engine) as session:
        scan = session.scalar(select(Scan).where(Scan.sha256 == outcome.sha256))
        assert scan is not None
        [sig] = signatures_of_scan(session, scan.id)
        assert sig.intact and sig.trusted and sig.valid, sig.reason
        assert sig.signer_name == OFFICIAL_NAME or OFFICIAL_NAME in (sig.signer or "")
        owner = samples["cccd"].fields["id_number"]
        result = lookup(session, owner)
    [held] = [h for h in result.held if h.doc_type == "cccd"]
    assert held.signed is True


def test_unsigned_pdf_is_not_held_as_signed(
    db: Database, make_intake, samples: dict[str, Sample], tmp_path: Path
) -> None:
    plain = _as_pdf(samples["cccd"], tmp_path / "in" / "cccd.pdf")
    intake: Intake = make_intake()
    outcome = intake.ingest([plain], agency_code="H55.242").outcomes[0]
    assert outcome.status == Status.INGESTED and outcome.signatures == 0
    with read_session(db.engine) as session:
        result = lookup(session, samples["cccd"].fields["id_number"])
    assert [h.signed for h in result.held if h.doc_type == "cccd"] == [False]


def _vector_pdf(path: Path, content: bytes) -> Path:
    pdf = pikepdf.new()
    helvetica = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    font = pdf.make_indirect(helvetica)
    pdf.pages.append(
        pikepdf.Page(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792], Contents=pdf.make_stream(content),
                Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            )
        )
    )  # fmt: skip
    pdf.save(path)
    return path


LINE = "So dinh danh ca nhan: 001085012345"


def test_text_layer_lines_come_in_image_pixels(tmp_path: Path) -> None:
    path = _vector_pdf(tmp_path / "t.pdf", f"BT /F1 12 Tf 72 720 Td ({LINE}) Tj ET".encode())
    [line] = text_layer_lines(path, 0, 300, (2550, 3300))
    assert line.text == LINE
    # 72 pt from the left at 300 dpi is 300 px; the baseline 72 pt below the top is 300 px down
    assert abs(line.box.left - 300) < 6 and 240 < line.box.top < 300


def test_born_digital_page_is_read_from_its_text_layer(tmp_path: Path) -> None:
    """The worker keeps the PDF's own words (exact, confidence 0.99), not OCR of its rendering."""
    content = b"\n".join(
        f"BT /F1 11 Tf 72 {720 - 16 * i} Td ({LINE} dong {i}) Tj ET".encode() for i in range(6)
    )
    path = _vector_pdf(tmp_path / "letter.pdf", content)
    page = process_page(path, 0, Settings().ocr, tmp_path / "work")
    assert [ln.text for ln in page.lines] == [f"{LINE} dong {i}" for i in range(6)]
    assert all(w.confidence == 0.99 for ln in page.lines for w in ln.words)

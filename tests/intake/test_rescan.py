"""A rescan of a held paper (different bytes, same content) is linked as reused, not stored twice.

The committed ID card scan is re-rendered as a scanner would on a second pass (rasterised by
poppler, turned a little, grain added, written as a new PDF), then goes through the real OCR
path; the match uses the type registry's owner and number fields.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image
from sqlalchemy import func, select, update

from pipeline.intake import Intake, Status
from storage.db.dossiers import create_dossier, get_dossier
from storage.db.engine import read_session, write_session
from storage.db.models import AuditEntry, Document, DossierComponent, ExtractedField, Scan
from storage.objects.keys import hash_file
from tests.db.fixtures import Database

SCAN = Path(__file__).resolve().parents[1] / "data" / "scans" / "clean_cccd_2021_card.pdf"
AGENCY = "H55.242"
PROCEDURE = "1.004873"  # shipped: application_form, cccd


def rescan(source: Path, out: Path, seed: int, angle: float) -> Path:
    """The same paper scanned again: rasterised at 200 dpi, rotated, with sensor noise."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(source), str(stem)], check=True)
    rng = np.random.default_rng(seed)
    pages = []
    for png in sorted(out.parent.glob(stem.name + "-*.png")):
        image = Image.open(png).convert("L").rotate(angle, expand=True, fillcolor=255)
        grain = rng.normal(0, 6, (image.height, image.width)).astype(np.int16)
        pixels = np.asarray(image, dtype=np.int16) + grain
        pages.append(Image.fromarray(pixels.clip(0, 255).astype(np.uint8)))
        png.unlink()
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=200)
    return out


def _count(db: Database, column: object) -> int:
    with read_session(db.engine) as s:
        return int(s.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


def test_rescan_of_a_held_card_is_reused_not_stored(db: Database, make_intake, tmp_path: Path) -> None:
    intake: Intake = make_intake()
    first = intake.ingest([SCAN], procedure_code=PROCEDURE, agency_code=AGENCY)
    assert first.outcomes[0].status == Status.INGESTED, first.outcomes[0].message
    (held_id,) = first.outcomes[0].document_ids
    again = rescan(SCAN, tmp_path / "rescan" / "the-card-again.pdf", seed=1, angle=1.3)
    assert hash_file(again).sha256 != hash_file(SCAN).sha256  # not a byte-level duplicate

    second = create_dossier(db.engine, AGENCY, procedure_code=PROCEDURE, actor="test")
    report = intake.ingest([again], dossier_code=second)
    outcome = report.outcomes[0]
    assert outcome.status == Status.DUPLICATE, outcome.message
    assert outcome.document_ids == [held_id]
    assert _count(db, Scan.id) == 1 and _count(db, Document.id) == 1  # stored once
    with read_session(db.engine) as s:
        dossier = get_dossier(s, second)
        components = s.execute(
            select(DossierComponent.doc_type, DossierComponent.document_id, DossierComponent.reused).where(
                DossierComponent.dossier_id == dossier.id
            )
        ).all()
        assert [tuple(c) for c in components] == [("cccd", held_id, True)]
        logged = s.scalars(select(AuditEntry).where(AuditEntry.action == "scan.content_duplicate")).all()
        assert [e.details["scan"] for e in logged] == [outcome.sha256]

    # A card of the same holder with another issue date is another paper: stored, not matched.
    with write_session(db.engine) as s:
        s.execute(
            update(ExtractedField)
            .where(ExtractedField.document_id == held_id, ExtractedField.key == "issue_date")
            .values(value="2016-01-01")
        )
    renewed = rescan(SCAN, tmp_path / "renewed" / "another-card.pdf", seed=2, angle=-0.8)
    report = intake.ingest([renewed], dossier_code=second)
    assert report.outcomes[0].status == Status.INGESTED, report.outcomes[0].message
    assert _count(db, Scan.id) == 2 and _count(db, Document.id) == 2

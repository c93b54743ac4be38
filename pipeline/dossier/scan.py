"""Scanning what is still missing into a received dossier (intake, then typing the components).

The classifier knows the common document types; a component the procedure names that it does
not know (giấy chứng sinh, giấy báo tử…) comes out as ``other``, so the clerk who scans it says
which component it is (``component``) and the new components of these files take that type.
A scan already held (same bytes, filed in another dossier) is linked as reused by intake.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.dossier.lifecycle import RUNNING, State, get_case
from pipeline.intake import BatchReport, Intake
from storage.db.dossiers import audit
from storage.db.engine import read_session, run_in_transaction
from storage.db.errors import BadInputError
from storage.db.models import DossierComponent

DOC_TYPE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def scan_into(
    intake: Intake, code: str, files: list[Path], component: str | None = None
) -> tuple[BatchReport, int]:
    """Ingest ``files`` into dossier ``code``; returns the report and how many components were retyped."""
    if component is not None and (
        not component or not set(component) <= DOC_TYPE_CHARS or len(component) > 64
    ):
        raise BadInputError("Loại thành phần không hợp lệ (invalid component type)")
    with read_session(intake.engine) as session:
        dossier, case = get_case(session, code)
        if case.state not in (*RUNNING, State.SUPPLEMENT_REQUESTED.value):
            raise BadInputError("Hồ sơ đã kết thúc, không nhận thêm giấy tờ (dossier is closed)")
        dossier_id = dossier.id
        before = set(
            session.scalars(select(DossierComponent.id).where(DossierComponent.dossier_id == dossier_id))
        )
    report = intake.ingest(files, dossier_code=code)
    if component is None:
        return report, 0

    def retype(session: Session) -> int:
        new = [
            c
            for c in session.scalars(
                select(DossierComponent).where(DossierComponent.dossier_id == dossier_id)
            )
            if c.id not in before and not c.reused
        ]
        if not new:
            return 0
        session.execute(
            update(DossierComponent)
            .where(DossierComponent.id.in_([c.id for c in new]))
            .values(doc_type=component)
        )
        audit(
            session,
            "component.typed",
            actor=intake.actor,
            dossier_id=dossier_id,
            doc_type=component,
            components=len(new),
        )
        return len(new)

    return report, run_in_transaction(intake.engine, retype)

"""Agency-scoped reads: a record outside the caller's agencies is answered 404, as if absent.

Answering 404 rather than 403 keeps a system from learning which document ids or dossier codes
exist in agencies it was not granted.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.errors import not_found
from pipeline.principals import Principal
from storage.db.models import Agency, Document, Dossier


def dossier_agency(session: Session, dossier_id: int | None) -> str | None:
    if dossier_id is None:
        return None
    return session.scalar(
        select(Agency.code).join(Dossier, Dossier.agency_id == Agency.id).where(Dossier.id == dossier_id)
    )


def visible_document(session: Session, document_id: int, principal: Principal) -> Document:
    document = session.get(Document, document_id)
    if document is None or not principal.may_see(dossier_agency(session, document.dossier_id)):
        raise not_found()
    return document


def visible_dossier(session: Session, code: str, principal: Principal) -> Dossier:
    if len(code) > 64:
        raise not_found("hồ sơ (dossier)")
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None or not principal.may_see(dossier.agency.code):
        raise not_found("hồ sơ (dossier)")
    return dossier

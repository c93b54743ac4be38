"""The Decision 766 digitisation indicators, computed by SQL aggregates.

Each indicator is a share with its numerator and denominator, per agency, over the dossiers
received in a period. The definitions, as the data model records them:

- ``digitised``: every component of the dossier is digital, there is at least one component
  (a dossier whose every file failed has none, and is not digitised), and a finished dossier
  also has a result with a stored copy. A component is digital when it was reused from a held
  document, or its document is a signed electronic one, or the receiving official has signed
  its digitised copy: a searchable PDF alone is not yet a digitised copy (Decision 766 counts
  copies signed by the receiving official).
- ``e_results``: among finished dossiers, those whose result is an electronic document signed
  here (a document of the dossier with source ``signed``).
- ``reused``: dossiers with at least one component filled from a held document.
- ``on_time``: among finished dossiers with a promised date, those finished by that date.
- ``e_copy_certifications``: certified copies made electronically among all certifications
  recorded in the book in the period, paper ones included (``medium``); certification books
  are not tied to an agency, so this one is reported for the whole installation.

A dossier's result is any document attached to the dossier that is not one of its components.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Exists, Select, and_, case, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from storage.db.models import (
    Agency,
    Document,
    DocumentSource,
    DocumentVersion,
    Dossier,
    DossierComponent,
    DossierStatus,
    VersionKind,
)

FINISHED = (DossierStatus.FINISHED.value, DossierStatus.RETURNED.value)
DIGITAL_KINDS = (VersionKind.SEARCHABLE.value, VersionKind.SIGNED.value)


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def ratio(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    def as_dict(self) -> dict[str, int | float | None]:
        ratio = self.ratio
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "ratio": None if ratio is None else round(ratio, 4),
        }


@dataclass(frozen=True)
class AgencyIndicators:
    agency: str
    dossiers: int
    digitised: Share
    e_results: Share
    reused: Share
    on_time: Share

    def as_dict(self) -> dict[str, object]:
        return {
            "agency": self.agency,
            "dossiers": self.dossiers,
            "digitised": self.digitised.as_dict(),
            "e_results": self.e_results.as_dict(),
            "reused": self.reused.as_dict(),
            "on_time": self.on_time.as_dict(),
        }


@dataclass(frozen=True)
class Report:
    period_from: date | None
    period_to: date | None
    agencies: list[AgencyIndicators] = field(default_factory=list)
    total: AgencyIndicators | None = None
    e_copy_certifications: Share = Share(0, 0)

    def as_dict(self) -> dict[str, object]:
        return {
            "from": self.period_from.isoformat() if self.period_from else None,
            "to": self.period_to.isoformat() if self.period_to else None,
            "agencies": [a.as_dict() for a in self.agencies],
            "total": self.total.as_dict() if self.total else None,
            "e_copy_certifications": self.e_copy_certifications.as_dict(),
        }


def _has_digital_copy(document_id: Any) -> Exists:
    return exists().where(
        DocumentVersion.document_id == document_id, DocumentVersion.kind.in_(DIGITAL_KINDS)
    )


def _component_is_digital() -> ColumnElement[bool]:
    doc = Document.__table__.alias("component_doc")
    signed_copy = exists().where(
        DocumentVersion.document_id == DossierComponent.document_id,
        DocumentVersion.kind == VersionKind.SIGNED.value,
    )
    return or_(
        signed_copy,
        DossierComponent.reused.is_(True),
        exists().where(
            doc.c.id == DossierComponent.document_id, doc.c.source != DocumentSource.DIGITISED.value
        ),
    )


def _result_documents() -> Select[Any]:
    """Documents of a dossier that are not among its components: its results.

    The inner test is correlated to the outer dossier explicitly: two levels down, automatic
    correlation would see a free ``dossiers`` and ask "is it a component of ANY dossier", and a
    result reused by the citizen's next dossier would stop counting as this one's result.
    """
    own_component = (
        exists()
        .where(DossierComponent.dossier_id == Dossier.id, DossierComponent.document_id == Document.id)
        .correlate(Dossier, Document)
    )
    own = select(Document.id).where(Document.dossier_id == Dossier.id, not_(own_component))
    return own.correlate(Dossier)


def _indicator_columns() -> list[Any]:
    finished = Dossier.status.in_(FINISHED)
    has_component = exists().where(DossierComponent.dossier_id == Dossier.id)
    undigitised_component = exists().where(
        DossierComponent.dossier_id == Dossier.id, not_(_component_is_digital())
    )
    results = _result_documents()
    digital_result = exists(results.where(_has_digital_copy(Document.id)))
    signed_result = exists(results.where(Document.source == DocumentSource.SIGNED.value))
    reused = exists().where(DossierComponent.dossier_id == Dossier.id, DossierComponent.reused.is_(True))
    digitised = and_(
        has_component, not_(undigitised_component), or_(not_(finished), digital_result)
    )
    with_promise = and_(finished, Dossier.promised_date.is_not(None), Dossier.finished_at.is_not(None))
    on_time = and_(with_promise, func.date(Dossier.finished_at) <= func.date(Dossier.promised_date))

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return [
        func.count(Dossier.id).label("dossiers"),
        count_if(digitised).label("digitised"),
        count_if(finished).label("finished"),
        count_if(and_(finished, signed_result)).label("e_results"),
        count_if(reused).label("reused"),
        count_if(with_promise).label("with_promise"),
        count_if(on_time).label("on_time"),
    ]


def _period_bounds(period_from: date | None, period_to: date | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if period_from:
        conditions.append(Dossier.received_at >= datetime.combine(period_from, time.min, tzinfo=UTC))
    if period_to:
        end = datetime.combine(period_to + timedelta(days=1), time.min, tzinfo=UTC)
        conditions.append(Dossier.received_at < end)
    return conditions


def _indicators(agency: str, row: Any) -> AgencyIndicators:
    r = row._mapping
    return AgencyIndicators(
        agency=agency,
        dossiers=int(r["dossiers"]),
        digitised=Share(int(r["digitised"]), int(r["dossiers"])),
        e_results=Share(int(r["e_results"]), int(r["finished"])),
        reused=Share(int(r["reused"]), int(r["dossiers"])),
        on_time=Share(int(r["on_time"]), int(r["with_promise"])),
    )


def _certifications(session: Session, period_from: date | None, period_to: date | None) -> Share:
    try:
        from storage.db.certification import CertificationAct
    except ImportError:  # the certification book is not installed
        return Share(0, 0)
    from storage.db.certification import MEDIUM_ELECTRONIC

    electronic_act = case((CertificationAct.medium == MEDIUM_ELECTRONIC, 1), else_=0)
    query = select(func.count(CertificationAct.id), func.coalesce(func.sum(electronic_act), 0))
    if period_from:
        query = query.where(CertificationAct.certified_on >= period_from)
    if period_to:
        query = query.where(CertificationAct.certified_on <= period_to)
    total, electronic = session.execute(query).one()
    return Share(int(electronic or 0), int(total or 0))


def build_report(
    session: Session,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    agencies: list[str] | None = None,
) -> Report:
    """Indicators per agency (``agencies`` limits them; ``None`` means all) and in total."""
    columns = _indicator_columns()
    conditions = _period_bounds(period_from, period_to)
    if agencies is not None:
        conditions.append(Agency.code.in_(agencies))
    per_agency = (
        select(Agency.code, *columns)
        .join(Agency, Agency.id == Dossier.agency_id)
        .where(*conditions)
        .group_by(Agency.code)
        .order_by(Agency.code)
    )
    rows = session.execute(per_agency).all()
    total_query = select(*columns).join(Agency, Agency.id == Dossier.agency_id).where(*conditions)
    total = session.execute(total_query).one()
    return Report(
        period_from=period_from,
        period_to=period_to,
        agencies=[_indicators(row[0], row) for row in rows],
        total=_indicators("*", total),
        e_copy_certifications=_certifications(session, period_from, period_to),
    )

"""A small sample catalogue of procedures, seeded on first use so the CLI works out of the box.

Production loads the province's procedure list (Cổng dịch vụ công) instead; these entries only
give the embedded default something to check ``lookup --procedure`` against.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db.models import Procedure, ProcedureRequirement


@dataclass(frozen=True)
class ProcedureSeed:
    code: str
    name: str
    required: tuple[str, ...]


SAMPLE_PROCEDURES: tuple[ProcedureSeed, ...] = (
    ProcedureSeed("1.001193", "Đăng ký khai sinh", ("application_form", "cccd")),
    ProcedureSeed("1.000894", "Đăng ký kết hôn", ("application_form", "cccd", "birth_certificate")),
)


def seed_catalogue(session: Session, seeds: tuple[ProcedureSeed, ...] = SAMPLE_PROCEDURES) -> int:
    """Add the procedures that are missing; never alters one that exists. Returns how many."""
    existing = set(session.scalars(select(Procedure.code)))
    added = 0
    for seed in seeds:
        if seed.code in existing:
            continue
        procedure = Procedure(code=seed.code, name=seed.name)
        procedure.requirements = [
            ProcedureRequirement(doc_type=doc_type, position=i) for i, doc_type in enumerate(seed.required)
        ]
        session.add(procedure)
        added += 1
    return added

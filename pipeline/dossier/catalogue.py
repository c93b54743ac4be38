"""The procedure catalogue: import a province's list (CSV or JSON) and the shipped default.

A procedure as the national catalogue describes it: its code (``1.001193``), name, online
service level, the components of its dossier (document type, label, whether the original must
be seen), the time limit in working days, the fee and the type of its result. Importing is an
upsert by code: a procedure that exists is brought in line with the file (its components
replaced), so importing the same file twice changes nothing.

JSON: ``{"procedures": [{"code", "name", "level", "processing_days", "fee_vnd",
"result_doc_type", "components": [{"doc_type", "label", "original_required"}]}]}`` (or the bare
list). CSV: one row per component, the procedure's columns repeated on each row
(``code,name,level,processing_days,fee_vnd,result_doc_type,doc_type,label,original_required``).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db.errors import BadInputError
from storage.db.models import Procedure, ProcedureRequirement, is_procedure_code

MAX_FILE_BYTES = 20 * 1024 * 1024
DOC_TYPE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
TRUE_WORDS = {"1", "true", "yes", "y", "có", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "không", ""}


class ComponentSpec(BaseModel):
    doc_type: str = Field(min_length=1, max_length=64)
    label: str | None = Field(None, max_length=255)
    original_required: bool = False

    @field_validator("doc_type")
    @classmethod
    def _doc_type(cls, value: str) -> str:
        if not set(value) <= DOC_TYPE_CHARS:
            raise ValueError("document type: lower-case letters, digits and _")
        return value


class ProcedureSpec(BaseModel):
    code: str
    name: str = Field(min_length=1, max_length=500)
    level: int | None = Field(None, ge=1, le=4)
    processing_days: int | None = Field(None, ge=0, le=3650)
    fee_vnd: int | None = Field(None, ge=0)
    result_doc_type: str | None = Field(None, max_length=64)
    components: list[ComponentSpec] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not is_procedure_code(value):
            raise ValueError("procedure code, e.g. 1.001193")
        return value


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def _bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"original_required: {text!r} is not yes/no")


def _int_or_none(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


def _parse_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    required = {"code", "name", "doc_type"}
    if reader.fieldnames is None or not required <= set(reader.fieldnames):
        raise BadInputError("Tệp CSV thiếu cột (CSV lacks columns): cần ít nhất code, name, doc_type")
    procedures: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        try:
            entry = procedures.setdefault(
                code,
                {
                    "code": code,
                    "name": (row.get("name") or "").strip(),
                    "level": _int_or_none(row.get("level")),
                    "processing_days": _int_or_none(row.get("processing_days")),
                    "fee_vnd": _int_or_none(row.get("fee_vnd")),
                    "result_doc_type": (row.get("result_doc_type") or "").strip() or None,
                    "components": [],
                },
            )
            doc_type = (row.get("doc_type") or "").strip()
            if doc_type:
                entry["components"].append(
                    {
                        "doc_type": doc_type,
                        "label": (row.get("label") or "").strip() or None,
                        "original_required": _bool(row.get("original_required") or ""),
                    }
                )
        except ValueError as exc:
            raise BadInputError(f"Dòng {line} của tệp CSV không hợp lệ (bad CSV row): {exc}") from None
    return list(procedures.values())


def parse_catalogue(data: bytes, name: str) -> list[ProcedureSpec]:
    """The procedures of a CSV or JSON file (by extension, else by content), validated."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInputError("Tệp danh mục phải là UTF-8 (catalogue must be UTF-8)") from None
    is_json = name.lower().endswith(".json") or text.lstrip().startswith(("{", "["))
    if is_json:
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInputError(f"Tệp JSON không hợp lệ (invalid JSON): dòng {exc.lineno}") from None
        raw = loaded.get("procedures") if isinstance(loaded, dict) else loaded
        if not isinstance(raw, list):
            raise BadInputError('Tệp JSON cần danh sách "procedures" (a procedures list)')
    else:
        raw = _parse_csv(text)
    specs: list[ProcedureSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        try:
            spec = ProcedureSpec.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BadInputError(
                f"Thủ tục thứ {index} không hợp lệ (invalid procedure {index}): {where}: {first['msg']}"
            ) from None
        if spec.code in seen:
            raise BadInputError(f"Mã thủ tục {spec.code} lặp lại (duplicate procedure code)")
        types = [c.doc_type for c in spec.components]
        if len(set(types)) != len(types):
            raise BadInputError(f"Thủ tục {spec.code}: thành phần lặp lại (duplicate component)")
        seen.add(spec.code)
        specs.append(spec)
    return specs


def read_catalogue_file(path: Path) -> list[ProcedureSpec]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BadInputError("Tệp danh mục quá lớn (catalogue file larger than 20 MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"Không đọc được tệp {path.name} (cannot read): {exc.strerror}") from None
    return parse_catalogue(data, path.name)


def default_catalogue() -> list[ProcedureSpec]:
    """The catalogue shipped with sohoa (``pipeline/dossier/data/procedures.json``)."""
    data = resources.files("pipeline.dossier").joinpath("data/procedures.json").read_bytes()
    return parse_catalogue(data, "procedures.json")


def _same(procedure: Procedure, spec: ProcedureSpec) -> bool:
    current = [(r.doc_type, r.label, r.original_required) for r in procedure.requirements]
    wanted = [(c.doc_type, c.label, c.original_required) for c in spec.components]
    return (
        procedure.name == spec.name
        and procedure.level == spec.level
        and procedure.processing_days == spec.processing_days
        and procedure.fee_vnd == spec.fee_vnd
        and procedure.result_doc_type == spec.result_doc_type
        and current == wanted
    )


def import_procedures(session: Session, specs: list[ProcedureSpec]) -> ImportSummary:
    """Upsert ``specs`` by code inside the caller's transaction."""
    existing = {
        p.code: p
        for p in session.scalars(select(Procedure).where(Procedure.code.in_([s.code for s in specs])))
    }
    added = updated = unchanged = 0
    for spec in specs:
        procedure = existing.get(spec.code)
        if procedure is not None and _same(procedure, spec):
            unchanged += 1
            continue
        if procedure is None:
            procedure = Procedure(code=spec.code, name=spec.name)
            session.add(procedure)
            added += 1
        else:
            updated += 1
            procedure.requirements.clear()
            session.flush()
        procedure.name = spec.name
        procedure.level = spec.level
        procedure.processing_days = spec.processing_days
        procedure.fee_vnd = spec.fee_vnd
        procedure.result_doc_type = spec.result_doc_type
        procedure.requirements.extend(
            ProcedureRequirement(
                doc_type=c.doc_type, position=i, label=c.label, original_required=c.original_required
            )
            for i, c in enumerate(spec.components)
        )
    session.flush()
    return ImportSummary(added, updated, unchanged)


def ensure_default_catalogue(session: Session) -> int:
    """Add the shipped procedures that are missing; never changes an imported one.

    A procedure without a time limit was seeded by an earlier sohoa (code, name and types
    only), not imported: it is completed from the shipped file. Returns how many changed.
    """
    have = {code: days for code, days in session.execute(select(Procedure.code, Procedure.processing_days))}
    wanted = [s for s in default_catalogue() if s.code not in have or have[s.code] is None]
    if not wanted:
        return 0
    summary = import_procedures(session, wanted)
    return summary.added + summary.updated

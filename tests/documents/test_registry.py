"""The document-type registry is the one place a type is described; everything reads from it."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.documents.types import BY_NAME, REGISTRY, catalogue, document_type

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "spec" / "documents.md"
if not SPEC.is_file():
    SPEC = Path("/work/shared/spec/documents.md")


def test_every_type_of_the_spec_is_registered_with_its_keys() -> None:
    text = SPEC.read_text(encoding="utf-8")
    spec_types = [*re.findall(r"^## (\w+):", text, flags=re.M), "other"]
    assert sorted(spec_types) == sorted(BY_NAME)
    cccd_keys = {k for k, _ in document_type("cccd").spec.output_keys()}
    assert {"id_number", "full_name", "date_of_birth", "sex", "expiry_date", "issue_date"} <= cccd_keys


def test_each_type_has_display_names_owners_and_required_fields() -> None:
    for t in REGISTRY:
        assert t.display_name and t.gloss
        keys = {k for k, _ in t.spec.output_keys()}
        assert set(t.required_keys) <= keys
        assert {k for k, _ in t.owner_fields} <= keys, t.name
        assert set(t.number_fields) <= keys, t.name  # a rescan is matched on fields the type reads
        assert not t.number_fields or t.owner_fields, t.name  # ... and always on its owners too
        assert set(t.field_names) == keys, t.name  # every field the web page shows has a name
    assert document_type("land_use_certificate").owner_fields == (("holder_id_number", "holder"),)
    assert document_type("no-such-type").name == "other"


def test_no_other_module_lists_the_types() -> None:
    """Adding a type touches its module and the registry only: no copies of the list elsewhere."""
    names = [t.name for t in REGISTRY if t.name != "other"]
    allowed = {ROOT / "pipeline" / "documents" / "types", ROOT / "storage" / "db" / "catalogue.py"}
    offenders = []
    for path in [
        *ROOT.glob("pipeline/**/*.py"),
        *ROOT.glob("storage/**/*.py"),
        *ROOT.glob("pipeline/**/*.js"),
    ]:
        if any(path == a or a in path.parents for a in allowed):
            continue
        text = path.read_text(encoding="utf-8")
        if sum(1 for n in names if f'"{n}"' in text or f"{n}:" in text) >= 2:
            offenders.append(path.relative_to(ROOT))
    assert offenders == []


def test_catalogue_is_what_the_web_page_reads() -> None:
    entries = {e["doc_type"]: e for e in catalogue()}
    assert entries["birth_certificate"]["display_name"] == "Giấy khai sinh"
    marriage = {f["key"]: f["display_name"] for f in entries["marriage_certificate"]["fields"]}  # type: ignore[union-attr]
    assert marriage["wife_name"] == "Họ và tên (vợ)"

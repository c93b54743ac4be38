"""The shape of a document type: its printed titles and labels, the fields it yields, and the
rules that say whose it is, what it must contain and how it is split and reviewed.

One module per type under ``pipeline.documents.types`` builds a :class:`DocumentType`; the
registry there is the only place that lists them. Keys starting with ``_`` are labels we do not
extract but must recognise, so that the value of the field before them stops where they start
("Giới tính: Nam   Dân tộc: Kinh").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pipeline.documents.lines import TextLine
    from pipeline.documents.models import FieldValue

Kind = Literal[
    "text",
    "address",
    "name",
    "date",
    "sex",
    "id12",
    "digits",
    "area",
    "phone",
    "serial",
    "enterprise",
    "book",
    "procedure",
    "ethnicity",
    "nationality",
    "ignore",
]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    labels: tuple[str, ...]
    kind: Kind = "text"
    sectioned: bool = False  # the key gets the prefix of the section it is printed in


@dataclass(frozen=True)
class DocTypeSpec:
    doc_type: str
    titles: tuple[str, ...]  # printed titles; one near the top of a page starts a document
    fields: tuple[FieldSpec, ...]
    keywords: tuple[str, ...] = ()  # other strong evidence anywhere on the page
    # (key prefix, printed headings): "Thông tin người chồng" → husband_name, ...
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def extracted(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if not f.key.startswith("_"))

    def output_keys(self) -> list[tuple[str, FieldSpec]]:
        """Every key this type yields, in printed order, with the spec that extracts it."""
        out: list[tuple[str, FieldSpec]] = []
        for fs in self.extracted:
            if fs.sectioned:
                out.extend((prefix + fs.key, fs) for prefix, _ in self.sections)
            else:
                out.append((fs.key, fs))
        return out


def label(key: str, kind: Kind, *labels: str) -> FieldSpec:
    return FieldSpec(key, labels, kind)


# Printed furniture of every form that looks like a label ("ghi rõ họ, chữ đệm, tên" under a
# signature); recognised so that it never passes for the field it resembles.
COMMON_IGNORE: tuple[FieldSpec, ...] = (
    label(
        "_sign_note",
        "ignore",
        "Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu",
        "Ký, ghi rõ họ, chữ đệm, tên",
        "Ký, ghi rõ họ tên",
        "Ký, ghi rõ họ, tên",
    ),
)


def with_common(spec: DocTypeSpec) -> DocTypeSpec:
    return replace(spec, fields=spec.fields + COMMON_IGNORE)


PostExtract = Callable[["dict[str, FieldValue]", "Sequence[TextLine]"], object]


@dataclass(frozen=True, eq=False)
class Person:
    """Whose id a field is, for the checks an id number encodes (birth year, sex)."""

    id_key: str
    dob_key: str = ""
    sex_key: str = ""  # a field key, or "=Nam" / "=Nữ" when the section fixes it


@dataclass(frozen=True, eq=False)
class DocumentType:
    """Everything sohoa knows about one document type, in one place."""

    spec: DocTypeSpec
    display_name: str  # Vietnamese, as staff call it (web page, CLI)
    gloss: str  # English gloss shown in brackets
    field_names: dict[str, str] = field(default_factory=dict)  # key → Vietnamese display name
    owner_fields: tuple[tuple[str, str], ...] = ()  # (field key, owner role): whose document it is
    number_fields: tuple[str, ...] = ()
    """With the owner ids, the fields that name one paper (its number): a rescan whose values
    match a held document of the same owner is that document, linked as reused, not stored
    again. Empty: never matched (an application form is filled anew for each dossier)."""
    required: tuple[str, ...] | None = None  # None: every key the type yields
    split: Literal["title", "card_sides"] = "title"  # card_sides: front and back stay together
    persons: tuple[Person, ...] = ()
    past_dates: tuple[str, ...] = ()  # dates that cannot lie in the future
    post_extract: PostExtract | None = None  # e.g. the CCCD's machine-readable zone
    review_always: bool = False  # every value goes to a clerk (``other``: nothing to check against)
    qr_parser: Callable[[str], dict[str, str] | None] | None = None  # the type's printed QR code

    @property
    def name(self) -> str:
        return self.spec.doc_type

    @property
    def required_keys(self) -> tuple[str, ...]:
        if self.required is not None:
            return self.required
        return tuple(k for k, _ in self.spec.output_keys())

    def display(self) -> str:
        return f"{self.display_name} ({self.gloss})"

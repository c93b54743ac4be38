"""Signing a tagged PDF again the way iText does (the VGCA sign service) keeps earlier signatures.

iText records each new signature widget in the structure tree: a ``/Form`` element with an
object reference to the widget, appended to an existing element, and a rewritten parent tree.
Found on a real decree (50/2026/NĐ-CP, six signatures): five good signatures read "modified".
Changing the tree in any other way (alternative text, a new element of another kind, an old
parent-tree entry re-pointed) still voids them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from signing.pdfsig import run_pdfsig
from signing.verify import VerificationReport, verify_pdf
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_fixture,
    sign_bytes,
    signer_for,
)

Tamper = Callable[[IncrementalPdfFileWriter, dict[str, generic.IndirectObject]], None]


def tagged_pdf_bytes() -> bytes:
    """One page, one paragraph (marked content 0) in a structure tree, as Word exports it."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    content = b"/P <</MCID 0>> BDC BT /F1 18 Tf 72 760 Td (QUYET DINH so 12/QD-UBND) Tj ET EMC"
    pdf.pages.append(
        pikepdf.Page(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, 595, 842],
                Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                Contents=pdf.make_stream(content),
                StructParents=0,
            )
        )
    )
    page = pdf.pages[0].obj
    root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    doc = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root))
    para = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.P, P=doc, Pg=page, K=[0])
    )
    doc.K = pikepdf.Array([para])
    root.K = pikepdf.Array([doc])
    root.ParentTree = pdf.make_indirect(
        pikepdf.Dictionary(Nums=[0, pdf.make_indirect(pikepdf.Array([para]))])
    )
    root.ParentTreeNextKey = 1
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    buf = io.BytesIO()
    pdf.save(buf, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return buf.getvalue()


def sign_like_itext(data: bytes, signer: signers.Signer, field: str, tamper: Tamper | None = None) -> bytes:
    """A new visible signature field, its /Form entry and a rewritten parent tree, one revision."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    fields.append_signature_field(w, fields.SigFieldSpec(field, on_page=0, box=(380, 40, 560, 110)))
    page_ref, _ = w.find_page_for_modification(0)
    page = page_ref.get_object()
    annots = page["/Annots"]
    widget_ref = annots.raw_get(len(annots) - 1)
    root_ref = w.root.raw_get("/StructTreeRoot")
    root = root_ref.get_object()
    key = int(root["/ParentTreeNextKey"])
    widget_ref.get_object()["/StructParent"] = generic.NumberObject(key)
    doc_ref = root["/K"].raw_get(0)
    form = w.add_object(
        generic.DictionaryObject(
            {
                "/Type": generic.NameObject("/StructElem"),
                "/S": generic.NameObject("/Form"),
                "/P": doc_ref,
                "/Pg": page_ref,
                "/K": generic.DictionaryObject(
                    {"/Type": generic.NameObject("/OBJR"), "/Obj": widget_ref, "/Pg": page_ref}
                ),
            }
        )
    )
    doc_ref.get_object()["/K"].append(form)
    w.mark_update(doc_ref)
    nums = root["/ParentTree"]["/Nums"]
    rewritten = generic.ArrayObject()
    for i in range(0, len(nums), 2):
        value = nums.raw_get(i + 1)
        if isinstance(value, generic.IndirectObject) and isinstance(value.get_object(), generic.ArrayObject):
            items = value.get_object()
            value = w.add_object(generic.ArrayObject(items.raw_get(j) for j in range(len(items))))
        rewritten.extend([nums.raw_get(i), value])
    rewritten.extend([generic.NumberObject(key), form])
    root["/ParentTree"] = w.add_object(generic.DictionaryObject({"/Nums": rewritten}))
    root["/ParentTreeNextKey"] = generic.NumberObject(key + 1)
    w.mark_update(root_ref)
    if tamper is not None:
        tamper(w, {"doc": doc_ref, "root": root_ref, "form": form, "page": page_ref})
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(w, meta, signer=signer).getvalue()


def _verify(tmp_path: Path, env: PkiEnv, data: bytes, name: str) -> VerificationReport:
    path = tmp_path / name
    path.write_bytes(data)
    return verify_pdf(path, trust_roots=env.pki.trust_roots)


@pytest.fixture(scope="module")
def signed_once(pki_env: PkiEnv) -> bytes:
    pki = pki_env.pki
    return sign_bytes(tagged_pdf_bytes(), signer_for(pki, pki.official_rsa))


def test_itext_style_seals_keep_earlier_signatures(
    tmp_path: Path, pki_env: PkiEnv, signed_once: bytes
) -> None:
    pki = pki_env.pki
    twice = sign_like_itext(signed_once, signer_for(pki, pki.seal), "Seal1")
    # the signed revision against two later ones (another signer: pdfsig's NSS reports "unknown
    # issue" on a third signature by a certificate that already signed the file, tagged or not)
    thrice = sign_like_itext(twice, signer_for(pki, pki.official_ecdsa), "Seal2")
    report = _verify(tmp_path, pki_env, thrice, "tagged.pdf")
    assert report.valid, report.reason
    assert [s.status for s in report.signatures] == ["valid", "valid", "valid"]
    assert report.signatures[0].modification_level == "FORM_FILLING"
    assert run_pdfsig(tmp_path / "tagged.pdf", pki_env.nss_dir).all_valid
    # the structure tree really carries the two new entries
    with pikepdf.open(io.BytesIO(thrice)) as pdf:
        kids = pdf.Root.StructTreeRoot.K[0].K
        assert [str(k.S) for k in kids] == ["/P", "/Form", "/Form"]


def _actual_text_on_paragraph(w: IncrementalPdfFileWriter, refs: dict[str, generic.IndirectObject]) -> None:
    para_ref = refs["doc"].get_object()["/K"].raw_get(0)
    para_ref.get_object()["/ActualText"] = generic.TextStringObject("QUYET DINH so 99/QD-UBND")
    w.mark_update(para_ref)


def _alt_on_form(w: IncrementalPdfFileWriter, refs: dict[str, generic.IndirectObject]) -> None:
    refs["form"].get_object()["/Alt"] = generic.TextStringObject("900 VND")


def _new_paragraph(w: IncrementalPdfFileWriter, refs: dict[str, generic.IndirectObject]) -> None:
    para = w.add_object(
        generic.DictionaryObject(
            {
                "/Type": generic.NameObject("/StructElem"),
                "/S": generic.NameObject("/P"),
                "/P": refs["doc"],
                "/ActualText": generic.TextStringObject("900 VND"),
            }
        )
    )
    refs["doc"].get_object()["/K"].append(para)


def _old_key_repointed(w: IncrementalPdfFileWriter, refs: dict[str, generic.IndirectObject]) -> None:
    root = refs["root"].get_object()
    nums = root["/ParentTree"]["/Nums"]
    nums[1] = generic.ArrayObject([refs["form"]])


def _old_array_changed_in_place(w: IncrementalPdfFileWriter, refs: dict[str, generic.IndirectObject]) -> None:
    """The signed parent-tree array, same object number, now naming another element."""
    old_value = w.prev.root["/StructTreeRoot"]["/ParentTree"]["/Nums"].raw_get(1)
    ref = old_value.reference
    array = w.get_object(ref)
    array[0] = refs["form"]
    w.mark_update(ref)
    refs["root"].get_object()["/ParentTree"]["/Nums"][1] = generic.IndirectObject(
        ref.idnum, ref.generation, w
    )


@pytest.mark.parametrize(
    "tamper",
    [
        _actual_text_on_paragraph,
        _alt_on_form,
        _new_paragraph,
        _old_key_repointed,
        _old_array_changed_in_place,
    ],
    ids=["actual-text", "alt-on-form", "new-paragraph", "old-key-repointed", "old-array-in-place"],
)
def test_other_structure_changes_still_void(
    tmp_path: Path, pki_env: PkiEnv, signed_once: bytes, tamper: Tamper
) -> None:
    pki = pki_env.pki
    data = sign_like_itext(signed_once, signer_for(pki, pki.seal), "Seal1", tamper)
    report = _verify(tmp_path, pki_env, data, "tampered.pdf")
    first = report.signatures[0]
    assert not report.valid and not first.valid
    assert first.status == "modified", first.problems

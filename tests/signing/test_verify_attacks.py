"""Every attack of issue 4 is built on a properly signed file and must be rejected."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from signing.pdfsig import run_pdfsig
from signing.testpki import create_test_pki
from signing.verify import VerificationReport, VerifyInputError, verify_pdf
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_crl_only_fixture,
    pki_env_fixture,
    pki_env_ocsp_only_fixture,
    self_signed_p12,
    sign_bytes,
    signer_for,
    text_pdf_bytes,
)

# One worker runs every test on the shared PKI services: their session fixtures start once.
pytestmark = pytest.mark.xdist_group("pki_env")


@pytest.fixture(scope="module")
def signed(pki_env: PkiEnv) -> bytes:
    """A properly signed two-page document (official, RSA, B-B)."""
    return sign_bytes(text_pdf_bytes(pages=2), signer_for(pki_env.pki, pki_env.pki.official_rsa))


def _verify(
    tmp_path: Path, env: PkiEnv, data: bytes, name: str = "doc.pdf", **kw: object
) -> VerificationReport:
    path = tmp_path / name
    path.write_bytes(data)
    return verify_pdf(path, trust_roots=env.pki.trust_roots, **kw)  # type: ignore[arg-type]


def _incremental(data: bytes, edit) -> bytes:  # type: ignore[no-untyped-def]
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    edit(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _first_page(w: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    page = w.root["/Pages"]["/Kids"][0].get_object()
    assert isinstance(page, generic.DictionaryObject)
    return page


def test_baseline_signed_file_is_valid(tmp_path: Path, pki_env: PkiEnv, signed: bytes) -> None:
    report = _verify(tmp_path, pki_env, signed)
    assert report.valid, report.reason
    (sig,) = report.signatures
    assert (sig.intact, sig.trusted, sig.coverage, sig.modification_level) == (
        True,
        True,
        "ENTIRE_FILE",
        "NONE",
    )


def test_byte_changed_inside_signed_range(tmp_path: Path, pki_env: PkiEnv, signed: bytes) -> None:
    pos = signed.index(b"12/QD-UBND")
    forged = signed[:pos] + b"13" + signed[pos + 2 :]
    report = _verify(tmp_path, pki_env, forged)
    assert not report.valid
    assert report.signatures[0].intact is False
    assert "không toàn vẹn" in (report.signatures[0].reason or "")


def test_page_added_in_incremental_update(tmp_path: Path, pki_env: PkiEnv, signed: bytes) -> None:
    def add_page(w: IncrementalPdfFileWriter) -> None:
        stream = w.add_object(
            generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 700 Td (TRANG GIA MAO) Tj ET")
        )
        page = generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Page"),
                generic.NameObject("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 595, 842)]
                ),
                generic.NameObject("/Contents"): stream,
            }
        )
        w.insert_page(page)

    report = _verify(tmp_path, pki_env, _incremental(signed, add_page))
    assert not report.valid
    sig = report.signatures[0]
    assert sig.intact and sig.trusted  # the signature itself is fine ...
    assert sig.coverage == "ENTIRE_REVISION"
    assert sig.modification_level not in ("NONE", "LTA_UPDATES", "FORM_FILLING")  # ... the update is not
    assert "thay đổi sau khi ký" in (sig.reason or "")


def test_text_replaced_in_content_stream(tmp_path: Path, pki_env: PkiEnv, signed: bytes) -> None:
    def replace_text(w: IncrementalPdfFileWriter) -> None:
        page = _first_page(w)
        ref = page.raw_get("/Contents")
        old = ref.get_object()
        assert b"12/QD-UBND" in old.data
        new = generic.StreamObject(stream_data=old.data.replace(b"12/QD-UBND", b"99/QD-UBND"))
        w.mark_update(ref)
        w.objects[(ref.generation, ref.idnum)] = new  # same object number, new bytes

    report = _verify(tmp_path, pki_env, _incremental(signed, replace_text))
    assert not report.valid
    assert report.signatures[0].modification_level == "OTHER"


def test_annotation_drawn_over_content(tmp_path: Path, pki_env: PkiEnv, signed: bytes) -> None:
    def draw_over(w: IncrementalPdfFileWriter) -> None:
        ap = generic.StreamObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/XObject"),
                generic.NameObject("/Subtype"): generic.NameObject("/Form"),
                generic.NameObject("/BBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 595, 842)]
                ),
            },
            stream_data=b"1 1 1 rg 0 0 595 842 re f 0 0 0 rg BT /Helv 18 Tf 72 760 Td (99/QD-UBND) Tj ET",
        )
        annot = generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/Square"),
                generic.NameObject("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 595, 842)]
                ),
                generic.NameObject("/AP"): generic.DictionaryObject(
                    {generic.NameObject("/N"): w.add_object(ap)}
                ),
            }
        )
        page = _first_page(w)
        page[generic.NameObject("/Annots")] = generic.ArrayObject([w.add_object(annot)])
        w.update_container(page)

    report = _verify(tmp_path, pki_env, _incremental(signed, draw_over))
    assert not report.valid
    assert report.signatures[0].modification_level in ("ANNOTATIONS", "OTHER")


def test_bytes_appended_after_eof(tmp_path: Path, pki_env: PkiEnv, signed: bytes) -> None:
    forged = signed + b"\n1 0 obj\n(noi dung an) \nendobj\n"
    report = _verify(tmp_path, pki_env, forged)
    assert not report.valid
    assert report.trailing_bytes > 0
    assert report.signatures[0].coverage != "ENTIRE_FILE"
    assert "ngoài vùng ký" in (report.signatures[0].reason or "")
    # poppler agrees the signature no longer covers the whole file
    pdfsig = run_pdfsig(tmp_path / "doc.pdf", pki_env.nss_dir)
    assert not pdfsig.signatures[0].total_document_signed


def test_unreferenced_revision_appended_with_eof(tmp_path: Path, pki_env: PkiEnv, signed: bytes) -> None:
    """Junk ending in its own startxref/%%EOF that points back at the signed xref."""
    startxref = re.findall(rb"startxref\s+(\d+)", signed)[-1]
    forged = signed + b"1 0 obj\n(an) \nendobj\nstartxref\n" + startxref + b"\n%%EOF\n"
    report = _verify(tmp_path, pki_env, forged)
    assert not report.valid
    assert report.signatures[0].coverage != "ENTIRE_FILE"
    assert "ngoài vùng ký" in (report.signatures[0].reason or "")


def test_forged_byte_range(tmp_path: Path, pki_env: PkiEnv, signed: bytes) -> None:
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", signed)
    assert m is not None
    a, b, c, d = (int(x) for x in m.groups())
    # claim the second range stops 100 bytes early, keeping the array the same length
    fake = f"/ByteRange [{a} {b} {c} {d - 100}]".encode()
    fake = fake.ljust(m.end() - m.start(), b" ")
    forged = signed[: m.start()] + fake + signed[m.end() :]
    report = _verify(tmp_path, pki_env, forged)
    assert not report.valid
    sig = report.signatures[0]
    assert not sig.intact or sig.coverage not in ("ENTIRE_FILE", "ENTIRE_REVISION")


@pytest.mark.parametrize("revocation", ["soft-fail", "hard-fail"])
def test_revoked_certificate_via_crl(tmp_path: Path, pki_env_crl_only: PkiEnv, revocation: str) -> None:
    env = pki_env_crl_only
    before = env.services.requests["crl"]
    data = sign_bytes(text_pdf_bytes(), signer_for(env.pki, env.pki.revoked))
    report = _verify(tmp_path, env, data, revocation=revocation)
    assert not report.valid
    assert report.signatures[0].revoked
    assert "thu hồi" in (report.signatures[0].reason or "")
    assert env.services.requests["crl"] > before and env.services.requests["ocsp"] == 0


@pytest.mark.parametrize("revocation", ["soft-fail", "hard-fail"])
def test_revoked_certificate_via_ocsp(tmp_path: Path, pki_env_ocsp_only: PkiEnv, revocation: str) -> None:
    env = pki_env_ocsp_only
    before = env.services.requests["ocsp"]
    data = sign_bytes(text_pdf_bytes(), signer_for(env.pki, env.pki.revoked))
    report = _verify(tmp_path, env, data, revocation=revocation)
    assert not report.valid
    assert report.signatures[0].revoked
    assert env.services.requests["ocsp"] > before
    # a good certificate of the same PKI passes the same OCSP check
    good = sign_bytes(text_pdf_bytes(), signer_for(env.pki, env.pki.official_ecdsa))
    assert _verify(tmp_path, env, good, name="good.pdf", revocation=revocation).valid


def test_revoked_certificate_pdfsig_agrees(tmp_path: Path, pki_env: PkiEnv) -> None:
    path = tmp_path / "revoked.pdf"
    path.write_bytes(sign_bytes(text_pdf_bytes(), signer_for(pki_env.pki, pki_env.pki.revoked)))
    result = run_pdfsig(path, pki_env.nss_dir)
    assert result.signatures[0].signature_valid
    assert result.signatures[0].certificate_status == "Certificate has been Revoked.", result.output


def test_self_signed_certificate_is_untrusted(tmp_path: Path, pki_env: PkiEnv) -> None:
    p12 = self_signed_p12(tmp_path)
    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=b"sohoa-test")
    assert signer is not None
    report = _verify(tmp_path, pki_env, sign_bytes(text_pdf_bytes(), signer))
    assert not report.valid
    sig = report.signatures[0]
    assert sig.intact and not sig.trusted
    assert "không được tin cậy" in (sig.reason or "")


def test_certificate_from_another_root_is_untrusted(tmp_path: Path, pki_env: PkiEnv) -> None:
    other = create_test_pki(tmp_path / "other-pki")
    data = sign_bytes(text_pdf_bytes(), signer_for(other, other.official_rsa))
    report = _verify(tmp_path, pki_env, data)
    assert not report.valid and not report.signatures[0].trusted
    # ... and trusted when its own root is given; that PKI publishes no CRL/OCSP, so (issue 12)
    # the verdict is "revocation not checked", never valid
    path = tmp_path / "doc.pdf"
    own = verify_pdf(path, trust_roots=other.trust_roots)
    assert own.signatures[0].trusted and own.signatures[0].status == "revocation_not_checked"
    assert not own.valid


@pytest.mark.parametrize("who", ["expired", "not_yet_valid", "no_signing_usage"])
def test_unusable_certificates(tmp_path: Path, pki_env: PkiEnv, who: str) -> None:
    signer = signer_for(pki_env.pki, pki_env.pki.identity(who))
    report = _verify(tmp_path, pki_env, sign_bytes(text_pdf_bytes(), signer))
    assert not report.valid
    assert report.signatures[0].intact
    assert not report.signatures[0].trusted


class _UnrulyPdfSigner(signers.PdfSigner):
    """Signs even where the certification forbids it (an attacker's tool would)."""

    def _enforce_certification_constraints(self, reader):  # type: ignore[no-untyped-def]
        return None


def test_certified_no_changes_then_second_signature_is_rejected(tmp_path: Path, pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    data = sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa), certify=fields.MDPPerm.NO_CHANGES)
    out = _UnrulyPdfSigner(
        signers.PdfSignatureMetadata(field_name="Seal"), signer=signer_for(pki, pki.seal)
    ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)))
    data = out.getvalue()
    report = _verify(tmp_path, pki_env, data)
    assert not report.valid
    first, second = report.signatures
    assert first.kind == "certification" and first.docmdp == "NO_CHANGES"
    assert not first.valid and second.valid


def test_unsigned_pdf(tmp_path: Path, pki_env: PkiEnv) -> None:
    report = _verify(tmp_path, pki_env, text_pdf_bytes())
    assert not report.valid and report.signatures == []
    assert "không có chữ ký" in (report.reason or "")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a pdf at all",
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog",
    ],
    ids=["empty", "text", "truncated"],
)
def test_corrupt_file_is_a_clear_error(tmp_path: Path, pki_env: PkiEnv, content: bytes) -> None:
    with pytest.raises(VerifyInputError) as err:
        _verify(tmp_path, pki_env, content)
    assert "doc.pdf" in str(err.value) or "PDF" in str(err.value)
    assert "\n" not in str(err.value)


def test_truncated_signed_file(tmp_path: Path, pki_env: PkiEnv, signed: bytes) -> None:
    try:
        report = _verify(tmp_path, pki_env, signed[: len(signed) // 2])
    except VerifyInputError:
        return
    assert not report.valid


def test_junk_hidden_between_signed_revision_and_allowed_update(
    tmp_path: Path, pki_env: PkiEnv, signed: bytes
) -> None:
    """Junk after the signature's %%EOF, then a harmless update (a DSS) so the file ends cleanly."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import add_validation_info
    from pyhanko_certvalidator import ValidationContext

    junk = b"\n% hidden\n99 0 obj\n(So 99/QD-UBND: noi dung an) \nendobj\n"
    reader = PdfFileReader(io.BytesIO(signed + junk), strict=False)
    vc = ValidationContext(
        trust_roots=[load_cert_from_pemder(str(pki_env.pki.root.cert))], allow_fetching=True
    )
    forged = add_validation_info(reader.embedded_signatures[0], vc).getvalue()
    assert junk in forged and forged.startswith(signed)
    report = _verify(tmp_path, pki_env, forged)
    assert not report.valid
    assert report.hidden_bytes > 0 and report.trailing_bytes == 0
    sig = report.signatures[0]
    assert sig.intact and sig.trusted and sig.modification_level == "LTA_UPDATES"  # pyHanko alone: fine
    assert "giữa các phiên bản" in (sig.reason or "")
    # the same update without the junk is accepted
    clean = add_validation_info(PdfFileReader(io.BytesIO(signed)).embedded_signatures[0], vc).getvalue()
    assert _verify(tmp_path, pki_env, clean, name="clean.pdf").valid


def test_even_blank_padding_after_the_last_signature_is_refused(
    tmp_path: Path, pki_env: PkiEnv, signed: bytes
) -> None:
    """The last signature must cover the entire file (interfaces.md), blank bytes included."""
    report = _verify(tmp_path, pki_env, signed + b"\r\n" * 100 + b"\x00" * 16)
    assert report.trailing_bytes == 0  # nothing but blanks ...
    sig = report.signatures[0]
    assert sig.intact and sig.trusted and sig.coverage == "ENTIRE_REVISION"
    assert not report.valid  # ... yet not covered by the last signature
    assert "ngoài vùng ký" in (sig.reason or "")


def test_timestamp_from_an_untrusted_tsa(tmp_path: Path, pki_env: PkiEnv) -> None:
    """A trusted signer, but the 'proof of time' comes from a TSA nobody trusts."""
    from signing.testpki_services import start_pki_with_services

    rogue, rogue_services = start_pki_with_services(tmp_path / "rogue")
    try:
        from pyhanko.sign import timestamps

        data = signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(text_pdf_bytes())),
            signers.PdfSignatureMetadata(field_name="Sig1", subfilter=fields.SigSeedSubFilter.PADES),
            signer=signer_for(pki_env.pki, pki_env.pki.official_rsa),
            timestamper=timestamps.HTTPTimeStamper(rogue.tsa_url or ""),
        ).getvalue()
    finally:
        rogue_services.stop()
    report = _verify(tmp_path, pki_env, data)
    assert not report.valid
    sig = report.signatures[0]
    assert sig.intact and sig.trusted
    assert sig.timestamp_source == "tsa" and sig.timestamp_trusted is False
    assert "dấu thời gian" in (sig.reason or "")


def test_signature_value_tampered(tmp_path: Path, pki_env: PkiEnv, signed: bytes) -> None:
    """A digit changed inside /Contents (the CMS blob, outside the signed ranges)."""
    m = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", signed)
    assert m is not None
    blob = bytearray(m.group(1))
    i = len(blob.rstrip(b"0")) - 8  # inside the signature value, before the zero padding
    blob[i] = ord("0") if blob[i] != ord("0") else ord("1")
    forged = signed[: m.start(1)] + bytes(blob) + signed[m.end(1) :]
    report = _verify(tmp_path, pki_env, forged)
    assert not report.valid
    assert not report.signatures[0].intact


def test_revoked_certificate_via_offline_crl_file(tmp_path: Path) -> None:
    """A PKI whose certificates name no CRL/OCSP: revocation is known only from a CRL file."""
    pki = create_test_pki(tmp_path / "no-urls")
    path = tmp_path / "revoked.pdf"
    path.write_bytes(sign_bytes(text_pdf_bytes(), signer_for(pki, pki.revoked)))
    # without revocation data, 'require' refuses to trust anything; the softer modes cannot know
    assert not verify_pdf(path, trust_roots=pki.trust_roots, revocation="require").valid
    # issue 12: soft-fail used to call this revoked file valid; now it is "not checked"
    unchecked = verify_pdf(path, trust_roots=pki.trust_roots, revocation="soft-fail")
    assert not unchecked.valid and unchecked.signatures[0].status == "revocation_not_checked"
    for mode in ("soft-fail", "hard-fail"):  # a CRL file given by hand counts in every mode
        r = verify_pdf(path, trust_roots=pki.trust_roots, crls=[pki.crl], revocation=mode)  # type: ignore[arg-type]
        assert not r.valid and r.signatures[0].revoked, mode
    report = verify_pdf(path, trust_roots=pki.trust_roots, crls=[pki.crl, pki.root_crl], revocation="require")
    assert not report.valid and report.signatures[0].revoked
    good = tmp_path / "good.pdf"
    good.write_bytes(sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa)))
    assert verify_pdf(
        good, trust_roots=pki.trust_roots, crls=[pki.crl, pki.root_crl], revocation="require"
    ).valid
    with pytest.raises(VerifyInputError, match="CRL"):
        verify_pdf(good, trust_roots=pki.trust_roots, crls=[pki.root.cert])


def test_encrypted_pdfs(tmp_path: Path, pki_env: PkiEnv) -> None:
    """Password-protected: a clear error. Encrypted with an empty user password: verified."""
    import pikepdf

    locked = tmp_path / "locked.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(locked, encryption=pikepdf.Encryption(user="mat-khau", owner="chu"))
    with pytest.raises(VerifyInputError, match="mật khẩu"):
        verify_pdf(locked, trust_roots=pki_env.pki.trust_roots)

    open_enc = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(open_enc, encryption=pikepdf.Encryption(user="", owner="chu"))
    w = IncrementalPdfFileWriter(io.BytesIO(open_enc.getvalue()))
    w.encrypt("")
    data = signers.sign_pdf(
        w, signers.PdfSignatureMetadata(field_name="Sig1"), signer=signer_for(pki_env.pki, pki_env.pki.seal)
    ).getvalue()
    report = _verify(tmp_path, pki_env, data)
    assert report.valid, report.reason

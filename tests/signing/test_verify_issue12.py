"""Issue 12: every attack class on every kind of file sohoa signs is rejected; good files pass.

Bases: an approval signature, a P=2 certification followed by the seal, ``sohoa sign`` (official
+ seal) and ``sohoa certify`` (certified e-copy) through the console script, and a signed form
(for the field attacks). Good files: linearized and hybrid-reference files signed twice, a
later empty signature field. Revocation: CRL reachable, unreachable, embedded.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields
from pyhanko.sign.validation.dss import DocumentSecurityStore

from signing.pdfsig import run_pdfsig
from signing.verify import VerificationReport, VerifyInputError, verify_pdf
from tests.signing import attacks
from tests.signing.helpers import pdftotext
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_crl_only_fixture,
    pki_env_fixture,
    services_online_fixture,
    sign_bytes,
    signer_for,
    text_pdf_bytes,
)
from tests.signing.signed_bases import STRUCTURE_ATTACKS, signed_bases

# One worker runs every test on the shared PKI services: their session fixtures start once.
pytestmark = pytest.mark.xdist_group("pki_env")


@pytest.fixture(scope="module")
def bases(pki_env: PkiEnv, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Signed files of every kind sohoa makes, made once per module."""
    return signed_bases(pki_env, tmp_path_factory.mktemp)


def _verify(tmp_path: Path, env: PkiEnv, data: bytes, name: str = "doc.pdf") -> VerificationReport:
    path = tmp_path / name
    path.write_bytes(data)
    return verify_pdf(path, trust_roots=env.pki.trust_roots)


def test_bases_are_valid(tmp_path: Path, pki_env: PkiEnv, bases: dict[str, bytes]) -> None:
    for name, data in bases.items():
        report = _verify(tmp_path, pki_env, data, f"{name}.pdf")
        assert report.valid, (name, report.reason)
        assert report.revocation_checked and not report.structure, name




@pytest.mark.parametrize("attack", sorted(STRUCTURE_ATTACKS))
def test_structure_attacks_rejected_on_every_base(
    tmp_path: Path, pki_env: PkiEnv, bases: dict[str, bytes], attack: str
) -> None:
    for base, data in bases.items():
        forged = STRUCTURE_ATTACKS[attack](data)
        report = _verify(tmp_path, pki_env, forged, f"{base}.pdf")
        assert not report.valid, (attack, base)
        assert any(not s.valid for s in report.signatures), (attack, base)
        assert all(s.intact for s in report.signatures), (attack, base)  # the bytes signed are untouched
        last = report.signatures[-1]
        assert last.status in ("structure", "modified"), (attack, base, last.status, last.reason)


def test_duplicate_xref_entry_is_what_poppler_displays(
    tmp_path: Path, pki_env: PkiEnv, bases: dict[str, bytes]
) -> None:
    """The attack is real: poppler shows the forged page; pyHanko alone saw nothing."""
    forged = attacks.duplicate_xref_entry(bases["approval"])
    path = tmp_path / "dup.pdf"
    path.write_bytes(forged)
    assert attacks.FORGED.decode() in pdftotext(path)
    report = verify_pdf(path, trust_roots=pki_env.pki.trust_roots)
    sig = report.signatures[0]
    assert sig.modification_level in ("NONE", "LTA_UPDATES", "FORM_FILLING")  # pyHanko's view
    assert not report.valid and any("hai lần" in p for p in sig.problems)


@pytest.fixture(scope="module")
def signed_form(pki_env: PkiEnv) -> bytes:
    pki = pki_env.pki
    return sign_bytes(attacks.form_pdf_bytes(), signer_for(pki, pki.official_rsa))


def test_signed_form_is_valid(tmp_path: Path, pki_env: PkiEnv, signed_form: bytes) -> None:
    assert _verify(tmp_path, pki_env, signed_form).valid


@pytest.mark.parametrize(
    "attack",
    [
        attacks.hide_field("SoTien"),
        attacks.appearance_not_showing_value("SoTien"),
        attacks.hide_field("Sig1"),
    ],
    ids=["hidden-text-field", "appearance-not-showing-value", "hidden-signature"],
)
def test_field_attacks_rejected(
    tmp_path: Path, pki_env: PkiEnv, signed_form: bytes, attack: Callable[[bytes], bytes]
) -> None:
    report = _verify(tmp_path, pki_env, attack(signed_form))
    assert not report.valid
    sig = report.signatures[0]
    assert sig.intact and sig.trusted and sig.status == "modified", sig.problems


def test_stripped_seal_is_reported(tmp_path: Path, pki_env: PkiEnv, bases: dict[str, bytes]) -> None:
    for base in ("certified-p2+seal", "sohoa-sign", "sohoa-certify"):
        if base not in bases:
            continue
        names = [s.field for s in _verify(tmp_path, pki_env, bases[base]).signatures]
        forged = attacks.strip_signature(names[-1])(bases[base])
        report = _verify(tmp_path, pki_env, forged, f"{base}.pdf")
        assert not report.valid, base
        assert report.stripped_signatures == [names[-1]], base
        assert "gỡ bỏ" in (report.reason or "")


def test_empty_extra_signature_field_keeps_a_good_file_good(
    tmp_path: Path, pki_env: PkiEnv, bases: dict[str, bytes]
) -> None:
    for base, data in bases.items():
        report = _verify(tmp_path, pki_env, attacks.empty_signature_field_added(data), f"{base}.pdf")
        assert report.valid, (base, report.reason)
        assert report.empty_signature_fields == ["ChoKy2"]


def test_startxref_zero_is_a_clear_error(tmp_path: Path, pki_env: PkiEnv, bases: dict[str, bytes]) -> None:
    try:
        report = _verify(tmp_path, pki_env, attacks.startxref_zero(bases["approval"]))
    except VerifyInputError as exc:
        assert "\n" not in str(exc)
        return
    assert not report.valid


def test_linearized_signed_twice_is_valid(tmp_path: Path, pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    lin = attacks.linearized_pdf_bytes(str(tmp_path))
    once = sign_bytes(lin, signer_for(pki, pki.official_rsa))
    twice = sign_bytes(once, signer_for(pki, pki.seal), field="Seal")
    report = _verify(tmp_path, pki_env, twice)
    assert report.valid, report.reason
    assert report.linearized and report.hidden_bytes == 0
    assert run_pdfsig(tmp_path / "doc.pdf", pki_env.nss_dir).all_valid
    # ... and an attack on it is still seen
    assert not _verify(tmp_path, pki_env, attacks.duplicate_xref_entry(twice), "bad.pdf").valid


def test_hybrid_reference_file_signed_twice_is_valid(tmp_path: Path, pki_env: PkiEnv) -> None:
    from pyhanko.sign import signers

    pki = pki_env.pki

    def sign(data: bytes, who: signers.Signer, name: str) -> bytes:  # pyHanko signs hybrid files non-strict
        w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        meta = signers.PdfSignatureMetadata(field_name=name, subfilter=fields.SigSeedSubFilter.PADES)
        return signers.sign_pdf(w, meta, signer=who).getvalue()

    once = sign(attacks.hybrid_pdf_bytes(), signer_for(pki, pki.official_rsa), "Sig1")
    twice = sign(once, signer_for(pki, pki.seal), "Seal")
    report = _verify(tmp_path, pki_env, twice)
    assert report.valid, report.reason
    assert report.hybrid_xref and all(s.intact for s in report.signatures)
    assert run_pdfsig(tmp_path / "doc.pdf", pki_env.nss_dir).all_valid


# --- revocation ----------------------------------------------------------------------------------


def test_revoked_crl_reachable_unreachable_embedded(
    tmp_path: Path, pki_env_crl_only: PkiEnv, services_online: object
) -> None:
    env = pki_env_crl_only
    pki = env.pki
    data = sign_bytes(text_pdf_bytes(), signer_for(pki, pki.revoked))
    reachable = _verify(tmp_path, env, data, "reachable.pdf")
    assert not reachable.valid and reachable.signatures[0].revoked
    assert reachable.signatures[0].status == "revoked"

    env.services.offline = True
    try:
        unreachable = _verify(tmp_path, env, data, "unreachable.pdf")
        sig = unreachable.signatures[0]
        assert not unreachable.valid and not sig.revoked and not sig.revocation_checked
        assert sig.status == "revocation_not_checked" and "thu hồi" in sig.verdict

        # the CRL embedded in the file (DSS) speaks even with the CA down
        w = IncrementalPdfFileWriter(io.BytesIO(data))
        from pyhanko.pdf_utils.reader import PdfFileReader

        contents = PdfFileReader(io.BytesIO(data)).embedded_signatures[0].pkcs7_content
        from asn1crypto import crl as asn1_crl

        crl = asn1_crl.CertificateList.load(pki.crl.read_bytes())
        DocumentSecurityStore.supply_dss_in_writer(w, contents, crls=[crl])
        buf = io.BytesIO()
        w.write(buf)
        embedded = _verify(tmp_path, env, buf.getvalue(), "embedded.pdf")
        assert not embedded.valid and embedded.signatures[0].revoked
    finally:
        env.services.offline = False


def test_json_report_on_unreadable_file(tmp_path: Path, pki_env: PkiEnv, bases: dict[str, bytes]) -> None:
    """``--json`` always prints a report: valid false and the reason, even for a broken file."""
    import typer
    from typer.testing import CliRunner

    from pipeline.cli.verify_cmd import register_verify

    app = typer.Typer()
    register_verify(app)
    app.command("noop")(lambda: None)
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"x" * 100 + b"\nstartxref 0 %%EOF")
    res = CliRunner().invoke(app, ["verify", str(path), "--json", "--trust", str(pki_env.pki.root.cert)])
    doc = json.loads(res.stdout)
    assert doc["valid"] is False and doc["reason"]


@pytest.mark.parametrize("certify", [None, fields.MDPPerm.FILL_FORMS, fields.MDPPerm.NO_CHANGES])
def test_form_filled_after_signing(tmp_path: Path, pki_env: PkiEnv, certify: fields.MDPPerm | None) -> None:
    """Filling a field (value and an appearance showing it) is allowed, except under P=1."""
    pki = pki_env.pki
    signed = sign_bytes(attacks.form_pdf_bytes(), signer_for(pki, pki.official_rsa), certify=certify)
    report = _verify(tmp_path, pki_env, attacks.fill_text_field("SoTien", "200 VND")(signed))
    if certify == fields.MDPPerm.NO_CHANGES:
        assert not report.valid and report.signatures[0].status == "modified"
    else:
        assert report.valid, report.reason

"""Verification of good files: JSON shape, PAdES levels, revocation modes, two signatures."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.validation import add_validation_info
from pyhanko_certvalidator import ValidationContext

from signing.pdfsig import run_pdfsig
from signing.verify import VerifyInputError, verify_pdf
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_fixture,
    services_online_fixture,
    sign_bytes,
    signer_for,
    text_pdf_bytes,
)

# One worker runs every test on the shared PKI services: their session fixtures start once.
pytestmark = pytest.mark.xdist_group("pki_env")

ISO_07 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


def _write(tmp_path: Path, data: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_report_has_the_fixed_json_shape(tmp_path: Path, pki_env: PkiEnv) -> None:
    path = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki_env.pki, pki_env.pki.official_ecdsa)))
    report = verify_pdf(path, trust_roots=pki_env.pki.trust_roots)
    doc = json.loads(report.model_dump_json())
    assert list(doc)[:2] == ["valid", "signatures"]
    assert doc["valid"] is True
    sig = doc["signatures"][0]
    assert list(sig)[:7] == [
        "field",
        "signer",
        "intact",
        "trusted",
        "modification_level",
        "coverage",
        "timestamp",
    ]
    assert sig["field"] == "Sig1"
    assert sig["signer"].startswith("CN=Trần Thị Bình (TEST)")
    assert sig["signer_name"] == "Trần Thị Bình (TEST)"
    assert (sig["modification_level"], sig["coverage"]) == ("NONE", "ENTIRE_FILE")
    assert ISO_07.match(sig["timestamp"]), sig["timestamp"]
    stamped = dt.datetime.fromisoformat(sig["timestamp"])
    assert abs((dt.datetime.now(dt.UTC) - stamped).total_seconds()) < 300
    assert sig["timestamp_source"] == "signer" and sig["pades_level"] == "B-B"


def test_other_offset(tmp_path: Path, pki_env: PkiEnv) -> None:
    path = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki_env.pki, pki_env.pki.seal)))
    report = verify_pdf(path, trust_roots=pki_env.pki.trust_roots, tz="+00:00")
    assert (report.signatures[0].timestamp or "").endswith("+00:00")


def test_b_t_timestamp_from_the_tsa(tmp_path: Path, pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    before = pki_env.services.requests["tsa"]
    path = _write(
        tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa), pki=pki, timestamp=True)
    )
    assert pki_env.services.requests["tsa"] > before
    report = verify_pdf(path, trust_roots=pki.trust_roots)
    sig = report.signatures[0]
    assert report.valid, report.reason
    assert sig.timestamp_source == "tsa" and sig.timestamp_trusted is True
    assert sig.pades_level == "B-T"
    assert ISO_07.match(sig.timestamp or "")


def test_b_lt_verifies_with_fetching_disabled_and_services_down(
    tmp_path: Path, pki_env: PkiEnv, services_online: object
) -> None:
    pki = pki_env.pki
    path = _write(
        tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa), pki=pki, ltv=True)
    )
    pki_env.services.offline = True
    hits = sum(pki_env.services.requests.values())
    for mode in ("hard-fail", "require"):
        report = verify_pdf(path, trust_roots=pki.trust_roots, revocation=mode, allow_fetching=False)
        assert report.valid, (mode, report.reason)
        sig = report.signatures[0]
        assert sig.pades_level == "B-LT"
        assert sig.coverage == "ENTIRE_REVISION" and sig.modification_level == "LTA_UPDATES"
    # fetching allowed but the CA unreachable: the embedded data still decides
    assert verify_pdf(path, trust_roots=pki.trust_roots, revocation="hard-fail").valid
    assert sum(pki_env.services.requests.values()) >= hits  # offline answers 503, counted or not


def test_b_b_needs_revocation_data_when_required(tmp_path: Path, pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    path = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa)))
    report = verify_pdf(path, trust_roots=pki.trust_roots, revocation="require", allow_fetching=False)
    assert not report.valid and not report.signatures[0].trusted
    # ... and passes once the CA can be asked
    assert verify_pdf(path, trust_roots=pki.trust_roots, revocation="require").valid


def test_revocation_modes_when_the_ca_is_down(
    tmp_path: Path, pki_env: PkiEnv, services_online: object
) -> None:
    pki = pki_env.pki
    path = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa)))
    pki_env.services.offline = True
    # issue 12: an unreachable CA is "revocation not checked", never valid (soft-fail used to pass)
    for mode in ("soft-fail", "hard-fail"):
        report = verify_pdf(path, trust_roots=pki.trust_roots, revocation=mode)  # type: ignore[arg-type]
        sig = report.signatures[0]
        assert not report.valid and sig.status == "revocation_not_checked", mode
        assert sig.trusted and not sig.revocation_checked and not sig.revoked
        assert "thu hồi" in (sig.reason or "")
    required = verify_pdf(path, trust_roots=pki.trust_roots, revocation="require")
    assert not required.valid and not required.signatures[0].trusted
    pki_env.services.offline = False
    report = verify_pdf(path, trust_roots=pki.trust_roots)
    assert report.valid and report.signatures[0].revocation_checked and report.revocation_checked


def test_official_then_seal_both_valid_and_pdfsig_agrees(tmp_path: Path, pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    data = sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa), certify=fields.MDPPerm.FILL_FORMS)
    data = sign_bytes(data, signer_for(pki, pki.seal), field="Seal")
    path = _write(tmp_path, data)
    report = verify_pdf(path, trust_roots=pki.trust_roots, revocation="hard-fail")
    assert report.valid, report.reason
    first, second = report.signatures
    assert (first.field, first.kind, first.docmdp) == ("Sig1", "certification", "FILL_FORMS")
    assert first.coverage == "ENTIRE_REVISION" and first.modification_level == "FORM_FILLING"
    assert (second.field, second.kind, second.coverage) == ("Seal", "approval", "ENTIRE_FILE")
    result = run_pdfsig(path, pki_env.nss_dir)
    assert result.all_valid and len(result.signatures) == 2, result.output
    by_field = result.by_field
    assert by_field["Sig1"].signer_name == "Nguyễn Văn An (TEST)"
    assert by_field["Seal"].signer_name == "UBND xã Tân Phú (TEST)"
    assert result.covering_file == [by_field["Seal"]]


def test_document_timestamp_b_lta(tmp_path: Path, pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    data = sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa), pki=pki, ltv=True)
    vc = ValidationContext(
        trust_roots=[load_cert_from_pemder(str(pki.root.cert))],
        allow_fetching=True,
        revocation_mode="hard-fail",
    )
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    out = signers.PdfTimeStamper(timestamps.HTTPTimeStamper(pki.tsa_url or "")).timestamp_pdf(
        w, "sha256", validation_context=vc
    )
    path = _write(tmp_path, out.getvalue())
    report = verify_pdf(path, trust_roots=pki.trust_roots, revocation="hard-fail")
    assert report.valid, report.reason
    kinds = [s.kind for s in report.signatures]
    assert kinds == ["approval", "document_timestamp"]
    assert report.signatures[0].pades_level == "B-LTA"
    assert report.signatures[1].timestamp_source == "tsa" and ISO_07.match(
        report.signatures[1].timestamp or ""
    )


def test_level_is_per_signature_a_dss_before_a_signature_does_not_count(
    tmp_path: Path, pki_env: PkiEnv
) -> None:
    """Official at B-LT, then the seal at B-T: the DSS written for the official comes before the
    seal (same issuing CA, so its CRL would "cover" the seal too), yet the seal is only B-T. A
    document timestamp then lifts neither signature's level on its own: only a DSS written after
    a signature makes it B-LT, and only a timestamp after that DSS makes it B-LTA."""
    pki = pki_env.pki
    official = sign_bytes(
        text_pdf_bytes(),
        signer_for(pki, pki.official_rsa),
        pki=pki,
        ltv=True,
        certify=fields.MDPPerm.FILL_FORMS,
    )
    b_t_seal = sign_bytes(official, signer_for(pki, pki.seal), field="Seal", pki=pki, timestamp=True)
    path = _write(tmp_path, b_t_seal, "b-lt-then-b-t.pdf")
    report = verify_pdf(path, trust_roots=pki.trust_roots, revocation="hard-fail")
    assert report.valid, report.reason
    assert [(s.field, s.pades_level) for s in report.signatures] == [("Sig1", "B-LT"), ("Seal", "B-T")]
    assert run_pdfsig(path, pki_env.nss_dir).all_valid

    b_lt_seal = sign_bytes(official, signer_for(pki, pki.seal), field="Seal", pki=pki, ltv=True)
    path = _write(tmp_path, b_lt_seal, "b-lt-then-b-lt.pdf")
    report = verify_pdf(path, trust_roots=pki.trust_roots, revocation="hard-fail")
    assert [s.pades_level for s in report.signatures] == ["B-LT", "B-LT"]

    w = IncrementalPdfFileWriter(io.BytesIO(b_t_seal))
    stamped = signers.PdfTimeStamper(timestamps.HTTPTimeStamper(pki.tsa_url or "")).timestamp_pdf(w, "sha256")
    path = _write(tmp_path, stamped.getvalue(), "b-lt-b-t-then-doc-ts.pdf")
    report = verify_pdf(path, trust_roots=pki.trust_roots, revocation="hard-fail")
    assert [s.pades_level for s in report.signatures] == ["B-LTA", "B-T", "B-LTA"]


def test_validation_data_added_later_is_allowed(tmp_path: Path, pki_env: PkiEnv) -> None:
    """Adding a DSS after a B-T signature (how B-LT is often produced) stays valid."""
    pki = pki_env.pki
    data = sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_ecdsa), pki=pki, timestamp=True)
    from pyhanko.pdf_utils.reader import PdfFileReader

    r = PdfFileReader(io.BytesIO(data))
    vc = ValidationContext(
        trust_roots=[load_cert_from_pemder(str(pki.root.cert))],
        allow_fetching=True,
        revocation_mode="hard-fail",
    )
    out = add_validation_info(r.embedded_signatures[0], vc)
    path = _write(tmp_path, out.getvalue())
    report = verify_pdf(path, trust_roots=pki.trust_roots, allow_fetching=False, revocation="hard-fail")
    assert report.valid, report.reason
    assert report.signatures[0].pades_level == "B-LT"


def test_pdfsig_agrees_on_rsa_and_ecdsa(tmp_path: Path, pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    for ident in (pki.official_rsa, pki.official_ecdsa):
        path = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki, ident)), f"{ident.name}.pdf")
        result = run_pdfsig(path, pki_env.nss_dir)
        (sig,) = result.signatures
        assert sig.valid and sig.total_document_signed, result.output
        assert sig.signer_name == ident.common_name
        assert verify_pdf(path, trust_roots=pki.trust_roots).valid


def test_bad_trust_roots_are_clear_errors(tmp_path: Path, pki_env: PkiEnv) -> None:
    path = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki_env.pki, pki_env.pki.seal)))
    with pytest.raises(VerifyInputError, match=r"(?i)không tìm thấy"):
        verify_pdf(path, trust_roots=[tmp_path / "missing.pem"])
    with pytest.raises(VerifyInputError, match="chứng thư gốc"):
        verify_pdf(path, trust_roots=[], shipped_trust=False)
    # issue 12: the shipped Vietnamese list is the default; the test PKI is not under it
    shipped_only = verify_pdf(path, trust_roots=[])
    assert not shipped_only.valid and shipped_only.signatures[0].status == "untrusted"
    assert "gov-root-g2" in shipped_only.trust_anchors
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(VerifyInputError):
        verify_pdf(path, trust_roots=[junk])
    with pytest.raises(VerifyInputError, match="Không tìm thấy tệp"):
        verify_pdf(tmp_path / "nope.pdf", trust_roots=pki_env.pki.trust_roots)


@pytest.mark.parametrize("days", [3, 60, 3 * 365])
def test_b_lt_stays_valid_after_revocation_data_and_certificate_expire(
    tmp_path: Path, pki_env: PkiEnv, days: int
) -> None:
    """In 3 days the OCSP answer is stale, in 60 the CRLs too, in 3 years the certificate."""
    pki = pki_env.pki
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    lt = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa), pki=pki, ltv=True))
    report = verify_pdf(lt, trust_roots=pki.trust_roots, revocation="hard-fail", at=later)
    assert report.valid, report.reason
    # the embedded OCSP answer is stale as of `later`: validated as of the timestamp instead
    validated_at = dt.datetime.fromisoformat(report.signatures[0].validated_at or "")
    assert abs((validated_at - dt.datetime.now(dt.UTC)).total_seconds()) < 300
    bb = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa)), "bb.pdf")
    assert not verify_pdf(bb, trust_roots=pki.trust_roots, revocation="hard-fail", at=later).valid


def test_validation_time_needs_an_offset(tmp_path: Path, pki_env: PkiEnv) -> None:
    path = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki_env.pki, pki_env.pki.seal)))
    with pytest.raises(VerifyInputError):
        verify_pdf(path, trust_roots=pki_env.pki.trust_roots, at=dt.datetime(2030, 1, 1))


def test_sync_entry_works_inside_a_running_event_loop(tmp_path: Path, pki_env: PkiEnv) -> None:
    """The API may call verify_pdf from an ``async def`` endpoint."""
    import asyncio

    path = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki_env.pki, pki_env.pki.seal)))

    async def inside_loop() -> bool:
        return verify_pdf(path, trust_roots=pki_env.pki.trust_roots).valid

    assert asyncio.run(inside_loop())


def test_document_timestamp_alone_is_not_a_signature(tmp_path: Path, pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    w = IncrementalPdfFileWriter(io.BytesIO(text_pdf_bytes()))
    out = signers.PdfTimeStamper(timestamps.HTTPTimeStamper(pki.tsa_url or "")).timestamp_pdf(w, "sha256")
    report = verify_pdf(_write(tmp_path, out.getvalue()), trust_roots=pki.trust_roots)
    (ts,) = report.signatures
    assert ts.kind == "document_timestamp" and ts.valid  # a sound timestamp ...
    assert not report.valid and "chỉ có dấu thời gian" in (report.reason or "")  # ... but nobody signed


def test_damaged_validation_data_is_dropped_with_a_warning(
    tmp_path: Path, pki_env: PkiEnv, services_online: object
) -> None:
    """Someone scribbles over an embedded CRL: the rest of the DSS, or the CA, still decide."""
    pki = pki_env.pki
    data = sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa), pki=pki, ltv=True)
    crl = pki.root_crl.read_bytes()
    assert crl in data  # pyHanko stores DSS CRLs as plain DER streams
    damaged = data.replace(crl, b"\x00" * len(crl))
    report = verify_pdf(_write(tmp_path, damaged), trust_roots=pki.trust_roots, revocation="hard-fail")
    assert any("DSS" in w for w in report.warnings), report.warnings
    sig = report.signatures[0]
    assert sig.intact  # the signature itself is untouched; only unsigned validation data was hit
    assert report.valid, report.reason  # the CA is up: fetched instead


def test_trust_roots_as_der_or_bundle(tmp_path: Path, pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    path = _write(tmp_path, sign_bytes(text_pdf_bytes(), signer_for(pki, pki.seal)))
    assert verify_pdf(path, trust_roots=[pki.root.cert_der]).valid
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(pki.intermediate.cert.read_bytes() + pki.root.cert.read_bytes())
    assert verify_pdf(path, trust_roots=[bundle]).valid

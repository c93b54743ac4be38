"""The loopback CRL / OCSP / TSA services answer like real ones (checked with cryptography/asn1crypto)."""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request

import pytest
from asn1crypto import algos, cms, core, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_fixture,
    services_online_fixture,
)

# One worker runs every test on the shared PKI services: their session fixtures start once.
pytestmark = pytest.mark.xdist_group("pki_env")


def _post(url: str, body: bytes, ctype: str) -> bytes:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": ctype}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.read()


def _ocsp_status(env: PkiEnv, cert: x509.Certificate) -> ocsp.OCSPResponse:
    issuer = env.pki.intermediate.load_cert()
    req = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
    der = _post(
        env.services.ocsp_url, req.public_bytes(serialization.Encoding.DER), "application/ocsp-request"
    )
    return ocsp.load_der_ocsp_response(der)


def test_crls_are_served(pki_env: PkiEnv) -> None:
    with urllib.request.urlopen(f"{pki_env.services.crl_url}/intermediate.crl", timeout=10) as resp:
        crl = x509.load_der_x509_crl(resp.read())
    assert crl.is_signature_valid(pki_env.pki.intermediate.load_cert().public_key())
    assert crl.get_revoked_certificate_by_serial_number(pki_env.pki.revoked.load_cert().serial_number)
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{pki_env.services.crl_url}/nope.crl", timeout=10)
    assert err.value.code == 404


def test_ocsp_good_revoked_unknown(pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    responder = pki.ocsp_responder.load_cert()
    good = _ocsp_status(pki_env, pki.official_rsa.load_cert())
    assert good.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert good.certificate_status == ocsp.OCSPCertStatus.GOOD
    responder.public_key().verify(  # type: ignore[call-arg, union-attr]
        good.signature, good.tbs_response_bytes, *_rsa_args(good)
    )
    revoked = _ocsp_status(pki_env, pki.revoked.load_cert())
    assert revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_reason == x509.ReasonFlags.key_compromise
    stranger = _ocsp_status(pki_env, pki.root.load_cert())  # not issued by the intermediate
    assert stranger.certificate_status == ocsp.OCSPCertStatus.UNKNOWN
    garbage = ocsp.load_der_ocsp_response(
        _post(pki_env.services.ocsp_url, b"not an ocsp request", "application/ocsp-request")
    )
    assert garbage.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def _rsa_args(resp: ocsp.OCSPResponse) -> tuple[object, object]:
    from cryptography.hazmat.primitives.asymmetric import padding

    assert resp.signature_hash_algorithm is not None
    return padding.PKCS1v15(), resp.signature_hash_algorithm


def test_tsa_grants_and_rejects(pki_env: PkiEnv) -> None:
    digest = hashlib.sha256(b"sohoa").digest()
    nonce = int.from_bytes(os.urandom(8), "big")
    req = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": tsp.MessageImprint(
                {"hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}), "hashed_message": digest}
            ),
            "nonce": nonce,
            "cert_req": True,
        }
    )
    resp = tsp.TimeStampResp.load(_post(pki_env.services.tsa_url, req.dump(), "application/timestamp-query"))
    assert resp["status"]["status"].native == "granted"
    info = resp["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    assert info["nonce"].native == nonce
    bad = _Rejection.load(_post(pki_env.services.tsa_url, b"garbage", "application/timestamp-query"))
    assert bad["status"]["status"].native == "rejection"
    assert bad["time_stamp_token"].native is None


class _Rejection(core.Sequence):
    """RFC 3161 TimeStampResp with its optional token (asn1crypto makes the token mandatory)."""

    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def test_offline_switch(pki_env: PkiEnv, services_online: object) -> None:
    pki_env.services.offline = True
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{pki_env.services.crl_url}/root.crl", timeout=10)
    assert err.value.code == 503

"""The test PKI's PKCS#8 keys import into SoftHSM2 and sign through pyHanko's PKCS#11 signer.

Runs in a subprocess: SoftHSM reads ``SOFTHSM2_CONF`` once per process, and the signing
engineer's fixtures own the token configuration of the test workers.

Verification checks revocation by default (issue 12), so the PKI is the session one whose
certificates point at the loopback CRL/OCSP services: a signature only passes with its
certificate's revocation status actually checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from signing.verify import verify_pdf
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_fixture,
    text_pdf_bytes,
)

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "123456"

pytestmark = [
    pytest.mark.skipif(not Path(MODULE).exists(), reason="softhsm2 not installed"),
    pytest.mark.xdist_group("pki_env"),  # one worker runs every test on the shared PKI services
]

SIGN_SCRIPT = textwrap.dedent(
    """
    import io, json, sys
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
    from pyhanko.config.pkcs11 import TokenCriteria

    args = json.loads(sys.argv[1])
    session = open_pkcs11_session(
        args["module"], token_criteria=TokenCriteria(label=args["token"]), user_pin=args["pin"]
    )
    try:
        chain = [load_cert_from_pemder(p) for p in args["chain"]]
        for name, out in args["jobs"]:
            # SoftHSM2 has no CKM_ECDSA_SHA256: hash here, sign raw (as sohoa's signer does)
            raw = name.endswith("ecdsa")
            signer = PKCS11Signer(
                session, key_label=name, cert_label=name, ca_chain=chain, use_raw_mechanism=raw
            )
            data = open(args["pdf"], "rb").read()
            signed = signers.sign_pdf(
                IncrementalPdfFileWriter(io.BytesIO(data)),
                signers.PdfSignatureMetadata(field_name="Sig1"),
                signer=signer,
            )
            open(out, "wb").write(signed.getvalue())
    finally:
        session.close()
    """
)


def _run(cmd: list[str], env: dict[str, str]) -> None:
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert res.returncode == 0, (cmd[0], res.stdout, res.stderr)


def test_keys_import_into_softhsm_and_sign(tmp_path: Path, pki_env: PkiEnv) -> None:
    pki = pki_env.pki
    tokendir = tmp_path / "tokens"
    tokendir.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokendir}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    _run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "testpki",
            "--pin",
            PIN,
            "--so-pin",
            "87654321",
        ],
        env,
    )
    jobs = []
    for i, ident in enumerate((pki.official_rsa, pki.official_ecdsa, pki.seal), start=1):
        _run(
            [
                "softhsm2-util",
                "--import",
                str(ident.key),
                "--token",
                "testpki",
                "--label",
                ident.name,
                "--id",
                f"{i:02x}",
                "--pin",
                PIN,
            ],
            env,
        )
        _run(
            [
                "pkcs11-tool",
                "--module",
                MODULE,
                "--token-label",
                "testpki",
                "--login",
                "--pin",
                PIN,
                "--write-object",
                str(ident.cert_der),
                "--type",
                "cert",
                "--label",
                ident.name,
                "--id",
                f"{i:02x}",
            ],
            env,
        )
        jobs.append((ident.name, str(tmp_path / f"{ident.name}.pdf")))
    src = tmp_path / "in.pdf"
    src.write_bytes(text_pdf_bytes())
    args = {
        "module": MODULE,
        "token": "testpki",
        "pin": PIN,
        "pdf": str(src),
        "jobs": jobs,
        "chain": [str(pki.intermediate.cert)],
    }
    _run([sys.executable, "-c", SIGN_SCRIPT, json.dumps(args)], env)
    for name, out in jobs:
        report = verify_pdf(Path(out), trust_roots=pki.trust_roots)
        assert report.valid, (name, report.reason)
        assert report.revocation_checked, name
        assert report.signatures[0].signer_name == pki.identity(name).common_name

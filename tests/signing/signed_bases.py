"""The signed files issue 12's attacks are built on, one recipe for its tests and its benchmark.

An approval signature, a P=2 certification followed by the seal and, when the console script is
installed, ``sohoa sign`` (official + seal) and ``sohoa certify`` (certified e-copy) run as a
user would run them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pyhanko.sign import fields

from tests.signing import attacks
from tests.signing.pki_fixtures import PkiEnv, sign_bytes, signer_for, text_pdf_bytes

SOHOA = Path(sys.executable).parent / "sohoa"

# Attacks on the file structure (xref, updates, trailing bytes), applied to every base.
STRUCTURE_ATTACKS: dict[str, Callable[[bytes], bytes]] = {
    "duplicate-xref-entry": attacks.duplicate_xref_entry,
    "duplicate-object-in-update": attacks.duplicate_object_in_update,
    "unreferenced-object-in-update": attacks.unreferenced_object_in_update,
    "junk-fake-eof-after-last-update": attacks.junk_and_fake_eof_after_last_update,
    "junk-after-signed-eof-relisting": attacks.junk_after_signed_eof_relisting,
}


def sohoa_signed(tmp: Path, env_pki: PkiEnv, *args: str) -> bytes:
    """A two-page PDF through ``sohoa <args[0]> IN -o OUT <args[1:]>`` with the test seal."""
    pki = env_pki.pki
    env = {
        **os.environ,
        "PKI_PW": pki.passphrase,
        "SOHOA_DATA_DIR": str(tmp / "data"),
        "SOHOA_SIGNING__TRUST_ROOTS": json.dumps([str(pki.root.cert)]),
    }
    src = tmp / "in.pdf"
    src.write_bytes(text_pdf_bytes(pages=2))
    out = tmp / "out.pdf"
    keys = ["--pin-env", "PKI_PW", "--seal-pkcs12", str(pki.seal.p12), "--seal-pin-env", "PKI_PW"]
    cmd = [str(SOHOA), args[0], str(src), "-o", str(out), *args[1:], *keys]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr
    return out.read_bytes()


def signed_bases(env: PkiEnv, new_dir: Callable[[str], Path]) -> dict[str, bytes]:
    """Signed files of every kind sohoa makes, by name; ``new_dir(name)`` gives an empty folder."""
    pki = env.pki
    out = {
        "approval": sign_bytes(text_pdf_bytes(pages=2), signer_for(pki, pki.official_rsa)),
        "certified-p2+seal": sign_bytes(
            sign_bytes(
                text_pdf_bytes(pages=2), signer_for(pki, pki.official_rsa), certify=fields.MDPPerm.FILL_FORMS
            ),
            signer_for(pki, pki.seal),
            field="Seal",
        ),
    }
    if SOHOA.exists():
        out["sohoa-sign"] = sohoa_signed(new_dir("sign"), env, "sign", "--pkcs12", str(pki.official_rsa.p12))
        out["sohoa-certify"] = sohoa_signed(
            new_dir("certify"),
            env,
            "certify",
            "--book",
            "01/2026-SCT/BS",
            "--requester",
            "Trần Văn Khách",
            "--pkcs12",
            str(pki.official_ecdsa.p12),
        )
    return out

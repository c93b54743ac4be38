"""Sign one queued PDF with the SoftHSM token in a child process, as the official's client does.

The PKCS#11 module reads ``SOFTHSM2_CONF`` once per process: loading it inside a test process
would pin that process to one worker's token directory (and poison the token tests run after).
So the API tests sign here, in a process of their own, with ``sign_request_for`` (the stamp the
queue item asks for), the way ``sohoa sign-client`` signs.

    python -m tests.api.token_sign IN OUT LABEL STAMP CHAIN   (PIN in $SOHOA_TEST_PIN)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from config.settings import load_settings
from pipeline.dossier.queue import sign_request_for
from signing.pades import SigningContext, sign_bytes
from signing.session import SignerSource, open_signer


def main(src: str, out: str, label: str, stamp: str, chain: str) -> None:
    ctx = SigningContext.from_settings(load_settings())
    source = SignerSource(
        module="/usr/lib/softhsm/libsofthsm2.so",
        token_label="sohoa-test",
        key_label=label,
        chain=[Path(chain)],
    )
    with open_signer(source, lambda _prompt: os.environ["SOHOA_TEST_PIN"]) as signer:
        request = sign_request_for("", stamp or None)
        Path(out).write_bytes(sign_bytes(Path(src).read_bytes(), signer, request, ctx, name=Path(src).name))


if __name__ == "__main__":
    main(*sys.argv[1:6])

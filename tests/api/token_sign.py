"""Sign one queued PDF with the SoftHSM token in a child process, as the official's client does.

The PKCS#11 module reads ``SOFTHSM2_CONF`` once per process: loading it inside a test process
would pin that process to one worker's token directory (and poison the token tests run after).
So the API tests sign here, in a process of their own, with ``sign_request_for`` (the stamp the
queue item asks for), the way ``sohoa sign-client`` signs.

    python -m tests.api.token_sign IN OUT LABEL STAMP CHAIN   (PIN in $SOHOA_TEST_PIN)

A refusal by sohoa's signer exits with its exit code and message (stderr), as sign-client and
the signing agent report it; STAMP ``foreign-seal`` signs the seal's field without sohoa.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from config.errors import SohoaError
from config.settings import load_settings
from pipeline.dossier.queue import sign_request_for
from signing.pades import SEAL_FIELD, SigningContext, sign_bytes
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
        if stamp == FOREIGN_SEAL:
            Path(out).write_bytes(foreign_seal(Path(src).read_bytes(), signer))
            return
        request = sign_request_for("", stamp or None)
        try:
            signed = sign_bytes(Path(src).read_bytes(), signer, request, ctx, name=Path(src).name)
        except SohoaError as exc:  # sohoa's own refusal: the message, as sign-client prints it
            print(exc.message, file=sys.stderr)
            raise SystemExit(int(exc.exit_code)) from None
        Path(out).write_bytes(signed)


FOREIGN_SEAL = "foreign-seal"
"""Fill the seal's field with pyHanko alone, as another vendor's client would: none of sohoa's
own refusals (a person's certificate in the seal's field) applies, only the server's checks."""


def foreign_seal(data: bytes, signer: signers.Signer) -> bytes:
    meta = signers.PdfSignatureMetadata(field_name=SEAL_FIELD, subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=signer).getvalue()


if __name__ == "__main__":
    main(*sys.argv[1:6])

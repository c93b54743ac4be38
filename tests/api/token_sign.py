"""Sign one queued PDF with the SoftHSM token in a child process, as the official's client does.

The PKCS#11 module reads ``SOFTHSM2_CONF`` once per process: loading it inside a test process
would pin that process to one worker's token directory (and poison the token tests run after).
So the API tests sign here, in a process of their own, with ``sign_request_for`` (the stamp the
queue item asks for), the way ``sohoa sign-client`` signs.

    python -m tests.api.token_sign IN OUT LABEL STAMP CHAIN   (PIN in $SOHOA_TEST_PIN)
    python -m tests.api.token_sign --serve   (one request a line on stdin, see ``serve``)

``--serve`` is what the tests use (:class:`TokenSigner`, one child per token and test process,
logging in for each item as sign-client does for each item of its queue): starting Python and
importing pyHanko cost about 2 s of CPU, which 20 signatures a test file used to pay each.

A refusal by sohoa's signer exits with its exit code and message (stderr), as sign-client and
the signing agent report it; STAMP ``foreign-seal`` signs the seal's field without sohoa.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import IO

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


def serve(requests: IO[str], replies: IO[str]) -> None:
    """One JSON request a line: ``{"args": [IN, OUT, LABEL, STAMP, CHAIN], "env": {...}}``.

    ``env`` holds the signing agent's own settings for this one signature (``SOHOA_*``: its level,
    TSA, data dir); they are undone after it, so nothing carries over to the next. Each reply is
    one JSON line: the exit code the one-shot command would have had and what it wrote to stderr.
    """
    for line in requests:
        request = json.loads(line)
        env: dict[str, str] = request["env"]
        before = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        err = io.StringIO()
        code = 0
        try:
            with contextlib.redirect_stderr(err):
                main(*request["args"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception:
            code = 1
            err.write(traceback.format_exc())
        finally:
            for k, v in before.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        replies.write(json.dumps({"returncode": code, "stderr": err.getvalue()}) + "\n")
        replies.flush()


class TokenSigner:
    """A ``--serve`` child for one token configuration (``SOFTHSM2_CONF``), started once."""

    def __init__(self, env: dict[str, str]) -> None:
        self._lock = threading.Lock()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.api.token_sign", "--serve"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """One signature: what ``python -m tests.api.token_sign ARGS`` would have answered."""
        with self._lock:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.write(json.dumps({"args": args, "env": env}) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        assert line, f"the signing child exited ({self._proc.poll()})"
        reply = json.loads(line)
        return subprocess.CompletedProcess(args, reply["returncode"], "", reply["stderr"])

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


_SIGNERS: dict[str, TokenSigner] = {}


def signer_for(env: dict[str, str]) -> TokenSigner:
    """This test process's signing child for ``env``'s token (``SOFTHSM2_CONF``), started on
    first use and stopped when the process exits."""
    conf = env["SOFTHSM2_CONF"]
    if conf not in _SIGNERS:
        _SIGNERS[conf] = TokenSigner(env)
        atexit.register(_SIGNERS[conf].close)
    return _SIGNERS[conf]


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        replies, sys.stdout = sys.stdout, sys.stderr  # the replies' channel carries nothing else
        serve(sys.stdin, replies)
        raise SystemExit(0)
    main(*sys.argv[1:6])

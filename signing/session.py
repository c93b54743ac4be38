"""Open the signer a command asked for (token or key file) once, for a whole batch.

The PIN/passphrase comes from a callback so that the CLI can prompt or read ``--pin-env`` and
the caller never stores it; the token's pin-pad needs no callback at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pyhanko.sign.signers import Signer

from signing.errors import SigningError, TokenError
from signing.keyfile import load_pkcs12_signer
from signing.token import TokenSession, TokenSpec
from signing.trust import load_certs

SecretSource = Callable[[str], str]
"""Given a prompt (which names the token or file, never a secret), return the PIN/passphrase."""


@dataclass(frozen=True)
class SignerSource:
    """Either a PKCS#12 file or a PKCS#11 token key; ``chain`` adds intermediates to embed."""

    pkcs12: Path | None = None
    module: str | None = None
    token_label: str | None = None
    key_label: str | None = None
    key_id: str | None = None
    pinpad: bool = False
    chain: list[Path] = field(default_factory=list)

    def describe(self) -> str:
        if self.pkcs12 is not None:
            return f"tệp khóa {self.pkcs12.name}"
        return f"token '{self.token_label}'"

    def validate(self) -> None:
        token_opts = any(v is not None for v in (self.module, self.token_label, self.key_label, self.key_id))
        if self.pkcs12 is not None and token_opts:
            raise TokenError(
                "Chọn --pkcs12 HOẶC token (--pkcs11-module...), không cả hai (choose one signer)"
            )
        if self.pkcs12 is None:
            if self.module is None or self.token_label is None:
                raise TokenError(
                    "Cần --pkcs12 FILE hoặc --pkcs11-module LIB --token-label LABEL (no signer given)"
                )
            if (self.key_label is None) == (self.key_id is None):
                raise TokenError("Cần đúng một trong --key-label hoặc --key-id (key label or id)")


@contextmanager
def open_signer(source: SignerSource, secret: SecretSource) -> Iterator[Signer]:
    """Log in once; the signer is valid until the ``with`` block ends."""
    source.validate()
    chain = load_certs(source.chain)
    if source.pkcs12 is not None:
        if not source.pkcs12.is_file():
            raise SigningError(f"Không thấy tệp khóa {source.pkcs12} (key file not found)")
        passphrase = secret(f"Mật khẩu của {source.describe()} (passphrase)")
        yield load_pkcs12_signer(source.pkcs12, passphrase, chain)
        return
    assert source.module is not None and source.token_label is not None
    spec = TokenSpec(source.module, source.token_label, source.key_label, source.key_id)
    prompt = f"Mã PIN của {source.describe()} (PIN)"
    pin = None if source.pinpad else (lambda: secret(prompt))
    with TokenSession(spec, pin, chain=chain) as session:
        yield session.signer

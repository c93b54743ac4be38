"""PKCS#11 tokens (an official's USB token): one login for a whole batch, never a PIN retry.

Tokens lock after a few wrong PINs, so a wrong PIN stops at once and reports what the token says
about the remaining tries; nothing here ever retries a login. The PIN is passed straight to the
module and never formatted into a message or log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass, TokenFlag
from pkcs11 import exceptions as p11_exc
from pyhanko.sign.pkcs11 import PKCS11Signer

from signing.certcheck import check_signing_cert
from signing.errors import PinError, TokenError


@dataclass(frozen=True)
class TokenSpec:
    """Where the key is: module, token label and key label or CKA_ID (hex)."""

    module: str
    token_label: str
    key_label: str | None = None
    key_id: str | None = None

    def key_id_bytes(self) -> bytes | None:
        if self.key_id is None:
            return None
        try:
            return bytes.fromhex(self.key_id.removeprefix("0x"))
        except ValueError:
            raise TokenError(f"--key-id phải là chuỗi hex (must be hex): {self.key_id!r}") from None


def pin_tries_message(flags: TokenFlag) -> str:
    """What the token reports about remaining PIN tries (PKCS#11 exposes only these flags)."""
    if flags & TokenFlag.USER_PIN_LOCKED:
        return "token đã bị khóa PIN, cần mã PUK/SO để mở (PIN locked)"
    if flags & TokenFlag.USER_PIN_FINAL_TRY:
        return "chỉ còn 1 lần thử, lần sai tiếp theo sẽ khóa token (final try left)"
    if flags & TokenFlag.USER_PIN_COUNT_LOW:
        return "số lần thử còn lại đã thấp (few tries left)"
    return "token không báo số lần thử còn lại bị giảm (token reports no low try count)"


def _find_token(lib: Any, label: str) -> tuple[pkcs11.Slot, pkcs11.Token]:
    try:
        slots = lib.get_slots(token_present=True)
    except p11_exc.PKCS11Error as exc:
        raise TokenError(f"Không liệt kê được khe token (cannot list slots): {type(exc).__name__}") from None
    for slot in slots:
        try:
            token = slot.get_token()
        except p11_exc.PKCS11Error:
            continue
        if token.label == label:
            return slot, token
    raise TokenError(f"Không tìm thấy token '{label}': hãy cắm token và thử lại (token absent)")


class TokenSession:
    """An open, logged-in session and the pyHanko signer on it; use as a context manager."""

    def __init__(
        self, spec: TokenSpec, pin: str | Callable[[], str] | None, *, chain: list | None = None
    ) -> None:
        """``pin=None`` means the token's own pin-pad (protected authentication path); a callable
        is asked only once the token is found and not locked, so nobody types a PIN for nothing."""
        self.spec = spec
        try:
            lib = pkcs11.lib(spec.module)
        except (OSError, RuntimeError, p11_exc.PKCS11Error) as exc:
            raise TokenError(
                f"Không nạp được thư viện PKCS#11 {spec.module} (cannot load module): {type(exc).__name__}"
            ) from None
        self._slot, token = _find_token(lib, spec.token_label)
        if token.flags & TokenFlag.USER_PIN_LOCKED:
            raise PinError(f"Token '{spec.token_label}' đã bị khóa PIN (PIN locked); không đăng nhập")
        if pin is None and not token.flags & TokenFlag.PROTECTED_AUTHENTICATION_PATH:
            raise PinError(f"Token '{spec.token_label}' không có bàn phím PIN; cần nhập PIN (PIN required)")
        if callable(pin):
            pin = pin()
        user_pin: object = pin if pin is not None else pkcs11.PROTECTED_AUTH
        try:
            self.session: Any = token.open(user_pin=user_pin)
        except p11_exc.PinIncorrect:
            raise PinError(
                f"Sai mã PIN của token '{spec.token_label}' (wrong PIN); "
                f"{pin_tries_message(self._fresh_flags())}; sohoa không tự thử lại"
            ) from None
        except p11_exc.PinLocked:
            raise PinError(f"Token '{spec.token_label}' đã bị khóa PIN (PIN locked)") from None
        except (p11_exc.PinLenRange, p11_exc.PinInvalid):
            raise PinError("Mã PIN không đúng định dạng của token (PIN length/format rejected)") from None
        except p11_exc.PKCS11Error as exc:
            raise TokenError(
                f"Không mở được phiên với token (cannot open session): {type(exc).__name__}"
            ) from None
        try:
            self.signer = self._make_signer(chain or [])
        except BaseException:
            self.close()
            raise

    def _fresh_flags(self) -> TokenFlag:
        try:
            return TokenFlag(self._slot.get_token().flags)
        except p11_exc.PKCS11Error:
            return TokenFlag(0)

    def _make_signer(self, chain: list) -> PKCS11Signer:
        key_id = self.spec.key_id_bytes()
        label = self.spec.key_label
        if label is None and key_id is None:
            raise TokenError("Cần --key-label hoặc --key-id để chọn khóa (key label or id required)")
        query: dict[Attribute, object] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
        if label is not None:
            query[Attribute.LABEL] = label
        if key_id is not None:
            query[Attribute.ID] = key_id
        try:
            found = list(self.session.get_objects(query))
        except p11_exc.PKCS11Error as exc:
            raise TokenError(f"Không tìm được khóa trên token: {type(exc).__name__}") from None
        which = f"label '{label}'" if label is not None else f"id {self.spec.key_id}"
        if len(found) != 1:
            raise TokenError(
                f"Token có {len(found)} khóa riêng khớp {which}, cần đúng 1 "
                "(expected exactly one private key)"
            )
        key_type = found[0][Attribute.KEY_TYPE]
        raw = key_type == KeyType.EC and Mechanism.ECDSA_SHA256 not in self._slot.get_mechanisms()
        signer = PKCS11Signer(
            self.session,
            key_label=label,
            key_id=key_id,
            cert_label=label,
            cert_id=key_id,
            ca_chain=chain,
            use_raw_mechanism=raw,
        )
        try:
            cert = signer.signing_cert  # loads the certificate and key handle now, not mid-document
        except p11_exc.PKCS11Error as exc:
            raise TokenError(f"Không đọc được chứng thư số {which} trên token: {exc}") from None
        if cert is None:
            raise TokenError(f"Token không có chứng thư số cho khóa {which} (no certificate)")
        check_signing_cert(cert)
        return signer

    def close(self) -> None:
        session = getattr(self, "session", None)
        if session is not None:
            with contextlib.suppress(p11_exc.PKCS11Error):
                session.close()
            self.session = None

    def __enter__(self) -> TokenSession:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def peek_certificate(spec: TokenSpec) -> str | None:
    """The subject of the key's certificate, read WITHOUT a login (certificates are public
    objects), so a signing agent can say which token is plugged in without asking for a PIN.
    ``None`` when the token or the certificate is absent; never raises for a missing token."""
    from cryptography import x509

    try:
        lib = pkcs11.lib(spec.module)
        _slot, token = _find_token(lib, spec.token_label)
        query: dict[Attribute, object] = {Attribute.CLASS: ObjectClass.CERTIFICATE}
        if spec.key_label is not None:
            query[Attribute.LABEL] = spec.key_label
        key_id = spec.key_id_bytes()
        if key_id is not None:
            query[Attribute.ID] = key_id
        with token.open() as session:
            found = list(session.get_objects(query))
            if len(found) != 1:
                return None
            der = bytes(found[0][Attribute.VALUE])
    except (OSError, RuntimeError, TokenError, p11_exc.PKCS11Error):
        return None
    return x509.load_der_x509_certificate(der).subject.rfc4514_string()

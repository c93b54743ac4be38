"""PKCS#11 token login, key selection and refusals on a real SoftHSM2 token."""

from __future__ import annotations

import pytest
from pkcs11 import TokenFlag

from config.errors import ExitCode
from signing.errors import PinError, SigningError, TokenError
from signing.token import TokenSession, TokenSpec, pin_tries_message
from signing.trust import load_certs
from tests.signing.conftest import OFFICIAL_NAME, USER_PIN, WRONG_PIN_TOKEN, PkiFixture, assert_pdfsig_valid


def spec(pki: PkiFixture, **kw: str) -> TokenSpec:
    return TokenSpec(module=pki.module, token_label=kw.pop("token", pki.token_label), **kw)


def test_key_by_label_and_by_id_give_the_same_certificate(pki: PkiFixture) -> None:
    with TokenSession(spec(pki, key_label="official-rsa"), USER_PIN) as a:
        by_label = a.signer.signing_cert
    with TokenSession(spec(pki, key_id="01"), USER_PIN) as b:
        by_id = b.signer.signing_cert
    assert by_label.dump() == by_id.dump()
    assert by_label.subject.native["common_name"] == OFFICIAL_NAME


def test_ec_key_uses_raw_ecdsa_when_token_lacks_hashing_mechanism(pki: PkiFixture) -> None:
    with TokenSession(spec(pki, key_label="official-ec"), USER_PIN) as t:
        assert t.signer.signing_cert.public_key.algorithm == "ec"
        assert t.signer.use_raw_mechanism is True


def test_wrong_pin_stops_with_tries_message_and_no_pin_in_it(pki: PkiFixture) -> None:
    wrong = "987650"
    with pytest.raises(PinError) as info:
        TokenSession(spec(pki, token=WRONG_PIN_TOKEN, key_label="pin-rsa"), wrong)
    msg = str(info.value)
    assert "Sai mã PIN" in msg and "không tự thử lại" in msg
    # SoftHSM2 raises CKF_USER_PIN_COUNT_LOW after a failure (it never locks)
    assert "số lần thử còn lại đã thấp" in msg
    assert wrong not in msg
    assert info.value.exit_code == ExitCode.PIN
    # the right PIN still works: a single failure was not followed by automatic retries
    with TokenSession(spec(pki, token=WRONG_PIN_TOKEN, key_label="pin-rsa"), USER_PIN) as t:
        assert t.signer.signing_cert is not None


def test_absent_token(pki: PkiFixture) -> None:
    with pytest.raises(TokenError, match="Không tìm thấy token 'khong-co'"):
        TokenSession(spec(pki, token="khong-co", key_label="official-rsa"), USER_PIN)


def test_missing_module(pki: PkiFixture, tmp_path) -> None:
    with pytest.raises(TokenError, match="thư viện PKCS#11"):
        TokenSession(TokenSpec(str(tmp_path / "nope.so"), "x", key_label="y"), USER_PIN)


def test_no_pinpad_and_no_pin(pki: PkiFixture) -> None:
    with pytest.raises(PinError, match="cần nhập PIN"):
        TokenSession(spec(pki, key_label="official-rsa"), None)


def test_unknown_key(pki: PkiFixture) -> None:
    with pytest.raises(TokenError, match="0 khóa"):
        TokenSession(spec(pki, key_id="ff"), USER_PIN)
    with pytest.raises(TokenError, match="hex"):
        TokenSession(spec(pki, key_id="zz"), USER_PIN)


@pytest.mark.parametrize(
    ("label", "fragment"),
    [("expired", "đã hết hạn"), ("notyet", "chưa có hiệu lực"), ("noku", "không được phép dùng để ký")],
)
def test_unusable_certificates_are_refused_at_login(pki: PkiFixture, label: str, fragment: str) -> None:
    with pytest.raises(SigningError, match=fragment):
        TokenSession(spec(pki, key_label=label), USER_PIN)


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (TokenFlag.USER_PIN_LOCKED | TokenFlag.USER_PIN_COUNT_LOW, "đã bị khóa PIN"),
        (TokenFlag.USER_PIN_FINAL_TRY | TokenFlag.USER_PIN_COUNT_LOW, "chỉ còn 1 lần thử"),
        (TokenFlag.USER_PIN_COUNT_LOW, "đã thấp"),
        (TokenFlag(0), "không báo"),
    ],
)
def test_tries_left_message_follows_token_flags(flags: TokenFlag, fragment: str) -> None:
    assert fragment in pin_tries_message(flags)


def test_session_lost_mid_batch_is_a_token_error(pki: PkiFixture, tmp_path) -> None:
    from signing.pades import SigningContext, SignRequest, sign_bytes
    from tests.signing.helpers import settings_for
    from tests.signing.pdfs import text_pdf

    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    data = text_pdf(tmp_path / "in.pdf").read_bytes()
    t = TokenSession(spec(pki, key_label="official-rsa"), USER_PIN, chain=load_certs([pki.pki.chain]))
    first = tmp_path / "first.pdf"
    first.write_bytes(sign_bytes(data, t.signer, SignRequest(), ctx))
    assert_pdfsig_valid(pki.nss_dir, first, [OFFICIAL_NAME])
    t.session.close()  # as if the token were pulled out between two documents
    with pytest.raises(TokenError, match="Token báo lỗi"):
        sign_bytes(data, t.signer, SignRequest(), ctx)


def test_pin_is_asked_only_once_the_token_is_found(pki: PkiFixture) -> None:
    asked: list[bool] = []

    def ask() -> str:
        asked.append(True)
        return USER_PIN

    with pytest.raises(TokenError):
        TokenSession(spec(pki, token="khong-co", key_label="official-rsa"), ask)
    assert asked == []
    with TokenSession(spec(pki, key_label="official-rsa"), ask) as t:
        assert t.signer.signing_cert is not None
    assert asked == [True]

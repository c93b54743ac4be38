"""Stamps of later signatures on a P=2 certified file: accepted in blank space, refused elsewhere.

Built on a file certified (P=2) with the test PKI: a later signature in a new visible field whose
stamp is drawn in blank space keeps the certification valid (it failed before: pyHanko refuses
any new visible signature field after a certification); the same stamp over the certified
text, or the same picture in a field nobody signs, is a modification. The organisation's seal
over the certifier's signature block (Decree 30/2020) is accepted when transparent and one colour;
opaque, black, or reaching body text away from the block, it is a modification.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyhanko.sign import fields

from signing.verify import VerificationReport, verify_pdf
from tests.signing import attacks
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_fixture,
    sign_bytes,
    signer_for,
    text_pdf_bytes,
)

pytestmark = pytest.mark.xdist_group("pki_env")


@pytest.fixture(scope="module")
def certified(pki_env: PkiEnv) -> bytes:
    pki = pki_env.pki
    return sign_bytes(
        text_pdf_bytes(pages=2), signer_for(pki, pki.official_rsa), certify=fields.MDPPerm.FILL_FORMS
    )


def _verify(tmp_path: Path, env: PkiEnv, data: bytes) -> VerificationReport:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return verify_pdf(path, trust_roots=env.pki.trust_roots)


Stamp = Callable[..., Callable[[bytes], bytes]]


def _sealed(
    tmp_path: Path, env: PkiEnv, data: bytes, stamp: Stamp, *args: Any, **kwargs: Any
) -> VerificationReport:
    """``data`` signed again by the seal's key with ``stamp(signer, *args, **kwargs)``, verified."""
    return _verify(tmp_path, env, stamp(signer_for(env.pki, env.pki.seal), *args, **kwargs)(data))


def _assert_certification_kept(report: VerificationReport, later_stamp: str) -> None:
    """The later signature's stamp is accepted: both signatures valid, the stamp listed."""
    cert, stamp = report.signatures
    assert cert.kind == "certification" and cert.status == "valid", cert.problems
    assert cert.later_stamps == [later_stamp]
    assert stamp.status == "valid" and report.valid


def test_later_signature_stamp_in_blank_space_keeps_the_certification(
    tmp_path: Path, pki_env: PkiEnv, certified: bytes
) -> None:
    report = _sealed(tmp_path, pki_env, certified, attacks.signed_stamp, attacks.BLANK_BOX)
    _assert_certification_kept(report, "SoHieu (trang 1)")


def test_later_signature_stamp_over_certified_text_is_a_modification(
    tmp_path: Path, pki_env: PkiEnv, certified: bytes
) -> None:
    report = _sealed(tmp_path, pki_env, certified, attacks.signed_stamp, attacks.TEXT_BOX)
    cert = report.signatures[0]
    assert cert.status == "modified" and not report.valid
    assert any("SoHieu" in p and "stamp drawn over certified content" in p for p in cert.problems)


def test_a_stamp_no_signature_owns_is_a_modification(
    tmp_path: Path, pki_env: PkiEnv, certified: bytes
) -> None:
    report = _verify(tmp_path, pki_env, attacks.unsigned_stamp(attacks.BLANK_BOX)(certified))
    cert = report.signatures[0]
    assert cert.status == "modified" and not report.valid
    assert cert.later_stamps == []  # not a signature's stamp
    assert any("without a signature after certification" in p for p in cert.problems)


def test_stamp_over_text_after_an_approval_signature_is_not_checked_here(
    tmp_path: Path, pki_env: PkiEnv
) -> None:
    """The blank-space rule is the certification's: approval signatures keep pyHanko's rule."""
    pki = pki_env.pki
    approved = sign_bytes(text_pdf_bytes(pages=1), signer_for(pki, pki.official_rsa))
    report = _sealed(tmp_path, pki_env, approved, attacks.signed_stamp, attacks.BLANK_BOX)
    assert report.valid and report.signatures[0].later_stamps == []


SEAL_BOX = attacks.SEAL_BOX


@pytest.fixture(scope="module")
def certified_visible(pki_env: PkiEnv) -> bytes:
    pki = pki_env.pki
    return attacks.certify_visible(text_pdf_bytes(pages=1), signer_for(pki, pki.official_rsa))


def test_transparent_red_seal_over_the_certifiers_signature_is_accepted(
    tmp_path: Path, pki_env: PkiEnv, certified_visible: bytes
) -> None:
    report = _sealed(tmp_path, pki_env, certified_visible, attacks.seal_stamp, SEAL_BOX)
    _assert_certification_kept(
        report, "DauCoQuan (trang 1): dấu trùm lên chữ ký 'Sig1' (Nghị định 30/2020/NĐ-CP)"
    )


def test_opaque_seal_over_the_certifiers_signature_is_a_modification(
    tmp_path: Path, pki_env: PkiEnv, certified_visible: bytes
) -> None:
    report = _sealed(tmp_path, pki_env, certified_visible, attacks.seal_stamp, SEAL_BOX, opaque=True)
    cert = report.signatures[0]
    assert cert.status == "modified" and not report.valid
    hides = [p for p in cert.problems if "DauCoQuan" in p and "stamp hides certified content" in p]
    assert hides, cert.problems


def test_black_stamp_over_the_certifiers_signature_is_not_a_seal(
    tmp_path: Path, pki_env: PkiEnv, certified_visible: bytes
) -> None:
    report = _sealed(tmp_path, pki_env, certified_visible, attacks.seal_stamp, SEAL_BOX, rgb=(0, 0, 0))
    cert = report.signatures[0]
    assert cert.status == "modified" and not report.valid
    assert any("stamp over a signature is not a seal" in p for p in cert.problems), cert.problems


@pytest.mark.parametrize(
    "box",
    [
        (60, 700, 180, 820),  # over the body text, far from any signature
        (40, 560, 400, 800),  # over the signer's block too, but reaching the body text
    ],
)
def test_transparent_seal_over_body_text_is_a_modification(
    tmp_path: Path, pki_env: PkiEnv, certified_visible: bytes, box: tuple[int, int, int, int]
) -> None:
    report = _sealed(tmp_path, pki_env, certified_visible, attacks.seal_stamp, box)
    cert = report.signatures[0]
    assert cert.status == "modified" and not report.valid
    assert any("stamp drawn over certified content" in p for p in cert.problems), cert.problems

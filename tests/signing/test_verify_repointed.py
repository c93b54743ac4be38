"""A page's /Resources re-pointed to a new object when a later signature's widget is added.

DSS's Signature-P-DE_SCI-4.pdf does it with an identical copy (35 0 R → 51 0 R): invisible,
and accepted. Any difference in the copy (a font swapped, an XObject added or changed, another
colour space), an old object it names rewritten, another page key changed, or a re-point with
no new signature widget stays a modification, for the object-level policy on its own too.
Built with pyHanko's incremental writer on sohoa's test PDF (its /Resources made indirect first).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.diff_analysis import SuspiciousModification

from signing.verify import VerificationReport, verify_pdf
from signing.verify_diff import STRICT_DIFF_POLICY
from signing.verify_pages import same_value
from tests.signing import attacks
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_fixture,
    sign_bytes,
    signer_for,
    text_pdf_bytes,
)

# One worker runs every test on the shared PKI services: their session fixtures start once.
pytestmark = pytest.mark.xdist_group("pki_env")


@pytest.fixture(scope="module")
def bases(pki_env: PkiEnv) -> dict[str, bytes]:
    """An approval signature and a P=2 certification on pages whose /Resources is indirect."""
    pki = pki_env.pki
    src = attacks.indirect_resources_pdf_bytes(text_pdf_bytes(pages=2))
    signer = signer_for(pki, pki.official_rsa)
    return {
        "approval": sign_bytes(src, signer),
        "certified-p2": sign_bytes(src, signer, certify=fields.MDPPerm.FILL_FORMS),
    }


def _verify(tmp_path: Path, env: PkiEnv, data: bytes) -> VerificationReport:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return verify_pdf(path, trust_roots=env.pki.trust_roots)


def _policy_verdict(data: bytes) -> object:
    """The object-level policy alone on the first signature: a DiffResult or the exception."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    emb = reader.embedded_signatures[0]
    return STRICT_DIFF_POLICY.review_file(
        reader, emb.signed_revision, field_mdp_spec=emb.fieldmdp, doc_mdp=emb.docmdp_level
    )


@pytest.mark.parametrize("good", sorted(attacks.REPOINT_GOOD))
def test_identical_copy_is_accepted(
    tmp_path: Path, pki_env: PkiEnv, bases: dict[str, bytes], good: str
) -> None:
    seal = signer_for(pki_env.pki, pki_env.pki.seal)
    for base, data in bases.items():
        assert _verify(tmp_path, pki_env, data).valid, base
        repointed = attacks.repoint_resources(seal, attacks.REPOINT_GOOD[good])(data)
        old_res = (
            PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Kids"][0].raw_get("/Resources")
        )
        new_res = (
            PdfFileReader(io.BytesIO(repointed), strict=False)
            .root["/Pages"]["/Kids"][0]
            .raw_get("/Resources")
        )
        assert old_res.reference != new_res.reference  # really re-pointed
        assert not isinstance(_policy_verdict(repointed), SuspiciousModification), base
        report = _verify(tmp_path, pki_env, repointed)
        assert report.valid, (base, report.reason)
        assert [s.status for s in report.signatures] == ["valid", "valid"], base


@pytest.mark.parametrize("attack", sorted(attacks.REPOINT_ATTACKS))
def test_repointed_resources_that_differ_are_rejected(
    tmp_path: Path, pki_env: PkiEnv, bases: dict[str, bytes], attack: str
) -> None:
    seal = signer_for(pki_env.pki, pki_env.pki.seal)
    for base, data in bases.items():
        forged = attacks.repoint_resources(seal, attacks.REPOINT_ATTACKS[attack])(data)
        assert isinstance(_policy_verdict(forged), SuspiciousModification), base
        report = _verify(tmp_path, pki_env, forged)
        assert not report.valid, base
        first, seal_sig = report.signatures
        assert first.intact and first.status == "modified", (base, first.problems)
        assert seal_sig.status == "valid", base  # the later signature covers the change: fine


def test_identical_repoint_without_a_new_widget_is_rejected(
    tmp_path: Path, pki_env: PkiEnv, bases: dict[str, bytes]
) -> None:
    """Only a new signature's widget brings the page into the approved walk."""
    forged = attacks.repoint_resources(None, attacks.REPOINT_GOOD["repointed-resources-identical"])(
        bases["approval"]
    )
    assert isinstance(_policy_verdict(forged), SuspiciousModification)
    report = _verify(tmp_path, pki_env, forged)
    assert not report.valid and report.signatures[0].status == "modified"


def _n(*xs: object) -> generic.ArrayObject:
    return generic.ArrayObject(xs)  # type: ignore[arg-type]


def test_same_value_by_value_and_by_kind() -> None:
    assert same_value(_n(generic.NumberObject(612)), _n(generic.FloatObject("612.0")))
    assert same_value(generic.NullObject(), generic.NullObject())
    assert not same_value(_n(generic.NumberObject(612)), _n(generic.NumberObject(611)))
    assert not same_value(generic.NameObject("/DeviceRGB"), generic.TextStringObject("/DeviceRGB"))
    assert not same_value(generic.BooleanObject(True), generic.BooleanObject(False))
    a = generic.DictionaryObject({generic.NameObject("/K"): generic.NumberObject(1)})
    b = generic.DictionaryObject({generic.NameObject("/K"): generic.NumberObject(1)})
    assert same_value(a, b)
    b[generic.NameObject("/Extra")] = generic.NumberObject(0)
    assert not same_value(a, b)
    s1 = generic.StreamObject({}, stream_data=b"BT (a) Tj ET")
    s2 = generic.StreamObject({}, stream_data=b"BT (b) Tj ET")
    assert same_value(s1, generic.StreamObject({}, stream_data=b"BT (a) Tj ET"))
    assert not same_value(s1, s2)
    deep_a: generic.ArrayObject = _n()
    deep_b: generic.ArrayObject = _n()
    for _ in range(100):  # too deep to compare: not the same
        deep_a, deep_b = _n(deep_a), _n(deep_b)
    assert not same_value(deep_a, deep_b)

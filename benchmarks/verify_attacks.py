"""Counts per attack class of issue 12: attacked files rejected / total, good files accepted / total.

Builds the test PKI with its loopback CRL/OCSP/TSA, signs the bases (approval, P=2
certification + seal, and, when the console script is installed, ``sohoa sign`` and ``sohoa
certify``), applies every attack of tests/signing/attacks.py and prints, per class, how many
attacked files sohoa rejected and how many verified valid (must be 0), and crashes.

    .venv/bin/python benchmarks/verify_attacks.py
"""

from __future__ import annotations

import collections
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyhanko.sign import fields

from signing.testpki_services import start_pki_with_services
from signing.verify import VerifyInputError, verify_pdf
from tests.signing import attacks
from tests.signing.pki_fixtures import PkiEnv, sign_bytes, signer_for, text_pdf_bytes
from tests.signing.signed_bases import STRUCTURE_ATTACKS, signed_bases


def main() -> int:
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).addHandler(logging.NullHandler())
        logging.getLogger(name).propagate = False
    tmp = Path(tempfile.mkdtemp(prefix="sohoa-attacks-"))
    pki, services = start_pki_with_services(tmp / "pki")
    try:
        return _run(tmp, pki, services)
    finally:
        services.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _run(tmp: Path, pki, services) -> int:  # type: ignore[no-untyped-def]
    env = PkiEnv(pki=pki, services=services, nss_dir=tmp)

    def new_dir(name: str) -> Path:
        (tmp / name).mkdir()
        return tmp / name

    bases = signed_bases(env, new_dir)
    form = sign_bytes(attacks.form_pdf_bytes(), signer_for(pki, pki.official_rsa))
    classes: dict[str, list[tuple[str, Callable[[bytes], bytes], bytes]]] = collections.defaultdict(list)
    for base, data in bases.items():
        for name, fn in STRUCTURE_ATTACKS.items():
            classes[name].append((base, fn, data))
        if base != "approval":
            last = "Seal" if base == "certified-p2+seal" else None
            if last is None:
                names = [s.field for s in _check(tmp, pki, data)[1].signatures]  # type: ignore[attr-defined]
                last = names[-1]
            classes["stripped-seal"].append((base, attacks.strip_signature(last), data))
    classes["hidden-text-field"].append(("form", attacks.hide_field("SoTien"), form))
    classes["appearance-not-showing-value"].append(
        ("form", attacks.appearance_not_showing_value("SoTien"), form)
    )
    classes["hidden-signature-widget"].append(("form", attacks.hide_field("Sig1"), form))
    # after a P=2 certification: a later signature's stamp over the certified text, and a stamp
    # in blank space that no signature owns (a stamp in blank space of a signature is permitted)
    certified = sign_bytes(
        text_pdf_bytes(pages=2), signer_for(pki, pki.official_rsa), certify=fields.MDPPerm.FILL_FORMS
    )
    seal = signer_for(pki, pki.seal)
    classes["stamp-over-certified-text"].append(
        ("certified-p2", attacks.signed_stamp(seal, attacks.TEXT_BOX), certified)
    )
    classes["stamp-without-signature"].append(
        ("certified-p2", attacks.unsigned_stamp(attacks.BLANK_BOX), certified)
    )
    # the organisation's seal over the certifier's signature block (Decree 30/2020) is permitted
    # only transparent, one colour and near the block
    visible = attacks.certify_visible(text_pdf_bytes(pages=1), signer_for(pki, pki.official_rsa))
    classes["seal-over-signature-opaque"].append(
        ("certified-p2-visible", attacks.seal_stamp(seal, attacks.SEAL_BOX, opaque=True), visible)
    )
    classes["stamp-over-signature-black"].append(
        ("certified-p2-visible", attacks.seal_stamp(seal, attacks.SEAL_BOX, rgb=(0, 0, 0)), visible)
    )
    classes["seal-reaching-body-text"].append(
        ("certified-p2-visible", attacks.seal_stamp(seal, (40, 560, 400, 800)), visible)
    )
    classes["seal-over-body-text"].append(
        ("certified-p2-visible", attacks.seal_stamp(seal, (60, 700, 180, 820)), visible)
    )

    # a page's /Resources re-pointed to a new object when a later signature's widget is added
    # (DSS's Signature-P-DE_SCI-4: an identical copy, accepted); on pages whose /Resources is indirect
    indirect = attacks.indirect_resources_pdf_bytes(text_pdf_bytes(pages=2))
    repoint_bases = {
        "approval-indirect-resources": sign_bytes(indirect, signer_for(pki, pki.official_rsa)),
        "certified-p2-indirect-resources": sign_bytes(
            indirect, signer_for(pki, pki.official_rsa), certify=fields.MDPPerm.FILL_FORMS
        ),
    }
    for base, data in repoint_bases.items():
        for name, edit in attacks.REPOINT_ATTACKS.items():
            classes[name].append((base, attacks.repoint_resources(seal, edit), data))
        classes["repointed-resources-no-new-widget"].append(
            (
                base,
                attacks.repoint_resources(None, attacks.REPOINT_GOOD["repointed-resources-identical"]),
                data,
            )
        )

    crashes = 0
    start = time.perf_counter()
    print(f"{'attack class':44s} rejected/total  valid  crashes")
    for name, cases in classes.items():
        rejected = valid = crash = 0
        for _, fn, data in cases:
            ok, report = _check(tmp, pki, fn(data))
            crash += ok == "crash"
            valid += ok == "valid"
            rejected += ok in ("rejected", "error")
        crashes += crash
        print(f"{name:44s} {rejected:4d}/{len(cases):<4d}     {valid:4d}  {crash:4d}")
    good = {**{f"base:{k}": v for k, v in bases.items()}, "form": form}
    good |= {f"empty-field:{k}": attacks.empty_signature_field_added(v) for k, v in bases.items()}
    lin = attacks.linearized_pdf_bytes(str(tmp))
    good["linearized-signed-twice"] = sign_bytes(
        sign_bytes(lin, signer_for(pki, pki.official_rsa)), signer_for(pki, pki.seal), field="Seal"
    )
    good["certified-p2+stamp-in-blank-space"] = attacks.signed_stamp(seal, attacks.BLANK_BOX)(certified)
    good["certified-p2+seal-over-signature"] = attacks.seal_stamp(seal, attacks.SEAL_BOX)(visible)
    for base, data in repoint_bases.items():
        for name, edit in attacks.REPOINT_GOOD.items():
            good[f"{name}:{base}"] = attacks.repoint_resources(seal, edit)(data)
    accepted = 0
    for name, data in good.items():
        ok, report = _check(tmp, pki, data)
        accepted += ok == "valid"
        crashes += ok == "crash"
        if ok != "valid":
            print(f"  good file rejected: {name}: {getattr(report, 'reason', report)}")
    print(f"good files accepted: {accepted}/{len(good)}; crashes overall: {crashes}")
    print(f"took {time.perf_counter() - start:.1f} s")
    return 0


def _check(tmp: Path, pki, data: bytes) -> tuple[str, object]:  # type: ignore[no-untyped-def]
    path = tmp / "x.pdf"
    path.write_bytes(data)
    try:
        report = verify_pdf(path, trust_roots=pki.trust_roots)
    except VerifyInputError as exc:
        return "error", exc
    except Exception as exc:
        return "crash", exc
    return ("valid" if report.valid else "rejected"), report


if __name__ == "__main__":
    raise SystemExit(main())

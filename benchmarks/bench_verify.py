"""Verification time per document at PAdES B-B and B-LT (issue 4 target: printed).

Builds the offline TEST PKI with its loopback CRL/OCSP/TSA, signs ``--docs`` small documents at
each level with bare pyHanko, then times, per document:

- ``sohoa``: :func:`signing.verify.verify_pdf` (reads the file, validates, diff analysis,
  sohoa's verdict), revocation hard-fail; B-LT with fetching disabled (embedded data only).
- ``pyhanko``: bare ``validate_pdf_signature`` on the same file with an equivalent validation
  context (the baseline, same process), so the ratio shows sohoa's overhead.

    .venv/bin/python benchmarks/bench_verify.py --docs 10 --pages 3
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

from signing.testpki import TestPki
from signing.testpki_services import start_pki_with_services
from signing.verify import verify_pdf
from tests.signing.pki_fixtures import sign_bytes, signer_for, text_pdf_bytes


def _baseline(path: Path, pki: TestPki, fetch: bool) -> bool:
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    kwargs: dict[str, object] = {}
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        kwargs = {
            "other_certs": list(dss.load_certs()),
            "crls": [r.get_object().data for r in dss.crls],
            "ocsps": [r.get_object().data for r in dss.ocsps],
        }
    except NoDSSFoundError:
        pass
    root = load_cert_from_pemder(str(pki.root.cert))
    ok = True
    for emb in reader.embedded_signatures:
        vc = ValidationContext(
            trust_roots=[root],
            allow_fetching=fetch,
            revocation_mode="hard-fail",
            retroactive_revinfo=True,
            **kwargs,  # type: ignore[arg-type]
        )
        status = validate_pdf_signature(emb, vc, ts_validation_context=vc)
        ok = ok and status.bottom_line
    return ok


def _time(fn, paths: list[Path]) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for p in paths:
        t0 = time.perf_counter()
        assert fn(p), f"{p.name} did not verify"
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10)
    ap.add_argument("--pages", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-verify-") as tmp:
        work = Path(tmp)
        pki, services = start_pki_with_services(work / "pki")
        try:
            signer = signer_for(pki, pki.official_rsa)
            levels: dict[str, list[Path]] = {"B-B": [], "B-LT": []}
            for i in range(args.docs):
                src = text_pdf_bytes(pages=args.pages, text=f"QUYET DINH so {i}/QD-UBND")
                for level in levels:
                    data = sign_bytes(src, signer, pki=pki, ltv=(level == "B-LT"))
                    path = work / f"{level}-{i:04d}.pdf"
                    path.write_bytes(data)
                    levels[level].append(path)
            # warm-up (imports, caches) outside the timings
            verify_pdf(levels["B-B"][0], trust_roots=pki.trust_roots, revocation="hard-fail")

            print(
                f"verification per document ({args.docs} documents, {args.pages} pages, RSA 2048, hard-fail)"
            )
            print(
                f"{'level':<6} {'sohoa ms (median)':>18} {'p90':>8} {'pyHanko ms':>12} {'ratio':>7}  fetching"
            )
            for level, paths in levels.items():
                fetch = level == "B-B"  # B-B must ask the CA; B-LT carries its own data

                def ours(p: Path, fetch: bool = fetch) -> bool:
                    return verify_pdf(
                        p, trust_roots=pki.trust_roots, revocation="hard-fail", allow_fetching=fetch
                    ).valid

                def base(p: Path, fetch: bool = fetch) -> bool:
                    return _baseline(p, pki, fetch)

                t_ours = _time(ours, paths)
                t_base = _time(base, paths)
                med_o, med_b = statistics.median(t_ours), statistics.median(t_base)
                p90 = sorted(t_ours)[max(0, int(len(t_ours) * 0.9) - 1)]
                print(
                    f"{level:<6} {med_o * 1000:>18.1f} {p90 * 1000:>8.1f} {med_b * 1000:>12.1f} "
                    f"{med_o / med_b:>7.2f}  {'loopback CRL/OCSP' if fetch else 'none (embedded DSS)'}"
                )
            print(f"requests served by the loopback CA: {dict(services.requests)}")
        finally:
            services.stop()


if __name__ == "__main__":
    main()

"""Signing speed on a SoftHSM2 token: sohoa vs bare pyHanko, and a 100-document batch.

Per document: the same PDF signed with the same SoftHSM key (RSA 2048, TEST PKI) through
``signing.pades.sign_bytes`` (repair check, page/field lookup, DocMDP guard, Vietnamese stamp)
and through a bare ``PdfSigner`` call with the same stamp style, interleaved so machine load
hits both alike; the ratio of medians is the target (≤ 1.2). Bare pyHanko with an invisible
signature is printed for scale. Then a batch of ``--batch`` files signed to disk with one
login (documents per second).

    .venv/bin/python benchmarks/bench_signing.py --rounds 15 --batch 100
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "123456"


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)


def _make_token(work: Path, pki) -> None:  # type: ignore[no-untyped-def]
    ident = pki.official_rsa
    _run("softhsm2-util", "--init-token", "--free", "--label", "bench", "--pin", PIN, "--so-pin", "12345678")
    _run("softhsm2-util", "--import", str(ident.key), "--token", "bench", "--label", "k", "--id", "01",
         "--pin", PIN)  # fmt: skip
    _run("pkcs11-tool", "--module", MODULE, "--token-label", "bench", "--login", "--pin", PIN,
         "--write-object", str(ident.cert_der), "--type", "cert", "--label", "k", "--id", "01")  # fmt: skip


def _text_pdf(path: Path, pages: int) -> Path:
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for i in range(pages):
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(f"BT /F1 14 Tf 72 760 Td (Quyet dinh so {i + 1}) Tj ET".encode()),
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15, help="signatures per variant for the ratio")
    ap.add_argument("--batch", type=int, default=100, help="documents in the one-login batch")
    ap.add_argument("--pages", type=int, default=3)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-signing-"))
    (work / "tokens").mkdir()
    conf = work / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {work / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from config.settings import load_settings
    from signing.appearance import StampKind, default_box, signing_time_text, stamp_style
    from signing.pades import SigningContext, SignRequest, sign_bytes, sign_file
    from signing.testpki import create_test_pki
    from signing.token import TokenSession, TokenSpec
    from signing.trust import load_certs

    pki = create_test_pki(work / "pki")
    _make_token(work, pki)
    src = _text_pdf(work / "doc.pdf", args.pages)
    data = src.read_bytes()
    settings = load_settings(data_dir=work / "data", signing={"organisation": "UBND xã Tân Phú (TEST)"})
    ctx = SigningContext.from_settings(settings, level="B-B")
    chain = load_certs([pki.chain])

    with TokenSession(TokenSpec(MODULE, "bench", key_id="01"), PIN, chain=chain) as session:
        signer = session.signer
        style = stamp_style(StampKind.OFFICIAL, ctx.font)

        def bare(visible: bool) -> bytes:
            w = IncrementalPdfFileWriter(io.BytesIO(data), strict=True)
            spec = fields.SigFieldSpec("Sig1", on_page=args.pages - 1, box=tuple(int(v) for v in default_box(
                StampKind.OFFICIAL, 595, 842))) if visible else fields.SigFieldSpec("Sig1")  # fmt: skip
            meta = signers.PdfSignatureMetadata(
                field_name="Sig1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
            )
            pdf_signer = signers.PdfSigner(
                meta, signer, stamp_style=style if visible else None, new_field_spec=spec
            )
            out = io.BytesIO()
            now = signing_time_text(dt.datetime.now(dt.UTC), ctx.tz)
            params = {"signer": "x", "organisation": ctx.organisation, "signing_time": now}
            pdf_signer.sign_pdf(w, output=out, appearance_text_params=params)
            return out.getvalue()

        def ours() -> bytes:
            return sign_bytes(data, signer, SignRequest(), ctx)

        for fn in (lambda: bare(True), ours, lambda: bare(False)):  # warm up: font load, first login use
            fn()
        t_ours: list[float] = []
        t_bare: list[float] = []
        t_invisible: list[float] = []
        for _ in range(args.rounds):
            for bucket, fn in (
                (t_bare, lambda: bare(True)),
                (t_ours, ours),
                (t_invisible, lambda: bare(False)),
            ):
                t0 = time.perf_counter()
                fn()
                bucket.append(time.perf_counter() - t0)

        m_ours, m_bare, m_inv = (statistics.median(t) for t in (t_ours, t_bare, t_invisible))
        print(
            f"document: {args.pages} pages, RSA 2048 on SoftHSM2, PAdES B-B, {args.rounds} rounds (medians)"
        )
        print(f"  sohoa sign_bytes (Vietnamese stamp)      : {m_ours * 1000:8.1f} ms")
        print(f"  bare pyHanko, same stamp style           : {m_bare * 1000:8.1f} ms")
        print(f"  bare pyHanko, invisible (for scale)      : {m_inv * 1000:8.1f} ms")
        print(f"  ratio sohoa / bare pyHanko (target <= 1.2): {m_ours / m_bare:8.3f}")

        batch_dir = work / "batch"
        batch_dir.mkdir()
        inputs = []
        for i in range(args.batch):
            p = batch_dir / f"in-{i:03d}.pdf"
            p.write_bytes(data)
            inputs.append(p)
        t0 = time.perf_counter()
        for p in inputs:
            sign_file(p, batch_dir / f"out-{p.name}", signer, SignRequest(), ctx)
        elapsed = time.perf_counter() - t0
        rate = args.batch / elapsed
        print(f"batch: {args.batch} documents, one login: {elapsed:.1f} s, {rate:.1f} documents/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

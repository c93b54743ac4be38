"""``sohoa verify FILE [--json] [--trust PEM ...]``: the command around :mod:`signing.verify`.

``pipeline/cli/sign_cmd.py`` only calls :func:`register_verify`, so the signing and
verification commands can evolve in their own files. It reads no database: nothing to migrate.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from config.errors import ExitCode, SohoaError

if TYPE_CHECKING:  # pyHanko loads when a file is verified, not for ``sohoa verify --help``
    from config.settings import Settings
    from signing.verify import RevocationMode, SignatureReport, VerificationReport

_YES_NO = {True: "có", False: "KHÔNG"}
_COVERAGE_VI = {
    "ENTIRE_FILE": "toàn bộ tệp (entire file)",
    "ENTIRE_REVISION": "toàn bộ phiên bản đã ký (entire revision)",
    "CONTIGUOUS_BLOCK_FROM_START": "một phần tệp (partial)",
    "UNCLEAR": "không rõ (unclear)",
}
_MODIFICATION_VI = {
    "NONE": "không có (none)",
    "LTA_UPDATES": "chỉ thêm dữ liệu kiểm tra/dấu thời gian (validation data only)",
    "FORM_FILLING": "chỉ điền biểu mẫu/thêm chữ ký (form filling, signatures)",
    "ANNOTATIONS": "thêm chú thích (annotations)",
    "OTHER": "thay đổi nội dung (content changed)",
}


def run_verify(
    file: Path,
    *,
    trust: list[Path],
    as_json: bool,
    revocation: RevocationMode | None,
    offline: bool,
    settings: Settings,
    at: dt.datetime | None = None,
    crls: list[Path] | None = None,
) -> VerificationReport:
    """Verify, print, and exit non-zero (``ExitCode.VERIFICATION``) when the file is not valid."""
    from signing.verify import verify_pdf

    _quiet_pyhanko()
    roots = [*trust, *settings.signing.trust_roots]
    report = verify_pdf(
        file,
        trust_roots=roots,
        revocation=revocation or settings.signing.revocation,
        allow_fetching=not offline,
        tz=settings.signing.timezone,
        at=at,
        crls=crls or [],
    )
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        typer.echo(render_summary(report))
    if not report.valid:
        # a SohoaError, not typer.Exit: the entry point runs click with standalone_mode=False,
        # where an Exit's code is returned and lost
        why = (report.reason or "").replace("\n", " ")
        why = why if len(why) <= 160 else why[:157] + "..."
        raise SohoaError(f"{file.name}: KHÔNG hợp lệ (not valid): {why}", exit_code=ExitCode.VERIFICATION)
    return report


def _quiet_pyhanko() -> None:
    """pyHanko logs each failed check as a warning; the report already says it, once."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
            logger.propagate = False


def render_summary(report: VerificationReport) -> str:
    """The Vietnamese summary a clerk reads (English glosses in parentheses)."""
    verdict = "HỢP LỆ (valid)" if report.valid else "KHÔNG HỢP LỆ (not valid)"
    lines = [f"Tệp {report.file}: {verdict}"]
    if not report.signatures:
        lines.append(f"  {report.reason}")
    for i, sig in enumerate(report.signatures, 1):
        lines.extend(_render_signature(i, sig))
    return "\n".join(lines)


def _vn_time(value: object) -> str:
    """dd/mm/yyyy HH:MM:SS with its offset, as staff read dates; the JSON keeps ISO 8601."""
    if value is None:
        return "-"
    moment = value if isinstance(value, dt.datetime) else None
    if moment is None:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return moment.strftime("%d/%m/%Y %H:%M:%S %z").rstrip()


def _render_signature(index: int, sig: SignatureReport) -> list[str]:
    kind = {
        "approval": "Chữ ký",
        "certification": "Chữ ký chứng nhận (certification)",
        "document_timestamp": "Dấu thời gian tài liệu (document timestamp)",
    }[sig.kind]
    mark = "✓" if sig.valid else "✗"
    who = sig.signer_name or sig.signer or "(không rõ người ký)"
    source = {"tsa": "dấu thời gian TSA", "signer": "do người ký khai", None: ""}[sig.timestamp_source]
    lines = [
        f"  {mark} {kind} {index} [{sig.field}]: {who}",
        f"      toàn vẹn (intact): {_YES_NO[sig.intact]}; tin cậy (trusted): {_YES_NO[sig.trusted]}"
        + ("; ĐÃ BỊ THU HỒI (revoked)" if sig.revoked else ""),
        f"      thời gian ký (time): {_vn_time(sig.timestamp)}"
        + (f" ({source})" if source else "")
        + (f"; mức (level): {sig.pades_level}" if sig.pades_level else ""),
        f"      phạm vi ký (coverage): {_COVERAGE_VI.get(sig.coverage or '', sig.coverage or '-')}; "
        f"thay đổi sau khi ký (changes): "
        f"{_MODIFICATION_VI.get(sig.modification_level or '', sig.modification_level or '-')}",
    ]
    if sig.reason:
        lines.append(f"      lý do (reason): {sig.reason}")
    return lines


def register_verify(app: typer.Typer) -> None:
    @app.command(
        "verify",
        help="Kiểm tra mọi chữ ký số trong tệp PDF (validate every signature). "
        "Mã thoát 0 khi hợp lệ, 11 khi không (exit 0 valid, 11 not valid).",
    )
    def _verify(
        file: Annotated[Path, typer.Argument(help="tệp PDF cần kiểm tra")],
        as_json: Annotated[bool, typer.Option("--json", help="in kết quả JSON (print JSON)")] = False,
        trust: Annotated[
            list[Path] | None,
            typer.Option("--trust", help="chứng thư gốc tin cậy PEM/DER, lặp lại được (trust root)"),
        ] = None,
        revocation: Annotated[
            str | None,
            typer.Option(help="soft-fail | hard-fail | require (default: settings)"),
        ] = None,
        offline: Annotated[
            bool, typer.Option("--offline", help="không hỏi CRL/OCSP qua mạng (no network fetching)")
        ] = False,
        crl: Annotated[
            list[Path] | None,
            typer.Option("--crl", help="tệp CRL lấy sẵn (CRL file obtained offline), lặp lại được"),
        ] = None,
        at: Annotated[
            str | None,
            typer.Option(
                "--at",
                help="kiểm tra tại thời điểm ISO 8601 có múi giờ, vd 2030-01-01T00:00:00+07:00 "
                "(validate as of; no network)",
            ),
        ] = None,
    ) -> None:
        moment = None
        if at is not None:
            try:
                moment = dt.datetime.fromisoformat(at)
            except ValueError:
                raise typer.BadParameter("--at: ISO 8601, vd 2030-01-01T00:00:00+07:00") from None
        if revocation is not None and revocation not in ("soft-fail", "hard-fail", "require"):
            raise typer.BadParameter("--revocation: soft-fail | hard-fail | require")
        from config.settings import load_settings

        run_verify(
            file,
            trust=list(trust or []),
            as_json=as_json,
            revocation=revocation,  # type: ignore[arg-type]
            offline=offline,
            settings=load_settings(),
            at=moment,
            crls=list(crl or []),
        )

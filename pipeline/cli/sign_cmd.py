"""``sohoa sign`` and ``sohoa certify`` (and the ``verify`` slot its owner fills in).

Each command opens its signers once (one token login for a whole batch), checks them against
the configured trust roots, then signs; output is written to a temporary file and renamed, so
a failure leaves nothing half-written. PINs come from a hidden prompt or ``--pin-env VAR``.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from config.errors import ExitCode, SohoaError
from pipeline.cli.options import parse_day
from pipeline.cli.verify_cmd import register_verify

if TYPE_CHECKING:  # imported by the commands themselves: ``sohoa sign --help`` stays fast
    from pyhanko.sign.signers import Signer

    from config.settings import Settings
    from signing.pades import SigningContext
    from signing.session import SecretSource, SignerSource

Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]

# --- shared options ---------------------------------------------------------------------------

Pkcs12Opt = Annotated[Path | None, typer.Option("--pkcs12", help="tệp khóa PKCS#12 (key file)")]
ModuleOpt = Annotated[str | None, typer.Option("--pkcs11-module", help="thư viện PKCS#11 của token (.so)")]
TokenOpt = Annotated[str | None, typer.Option("--token-label", help="nhãn token (token label)")]
KeyLabelOpt = Annotated[str | None, typer.Option("--key-label", help="nhãn khóa trên token")]
KeyIdOpt = Annotated[str | None, typer.Option("--key-id", help="CKA_ID của khóa, dạng hex")]
PinEnvOpt = Annotated[
    str | None, typer.Option("--pin-env", help="tên biến môi trường chứa PIN/mật khẩu (for scripts)")
]
PinpadOpt = Annotated[bool, typer.Option("--pinpad", help="nhập PIN trên bàn phím của token (pin-pad)")]
ChainOpt = Annotated[
    list[Path] | None, typer.Option("--chain", help="chứng thư CA trung gian để nhúng (PEM, repeatable)")
]
SealP12Opt = Annotated[
    Path | None, typer.Option("--seal-pkcs12", help="tệp khóa con dấu cơ quan (organisation seal key file)")
]
SealPinEnvOpt = Annotated[
    str | None, typer.Option("--seal-pin-env", help="biến môi trường chứa mật khẩu tệp khóa con dấu")
]
LevelOpt = Annotated[
    str | None, typer.Option("--level", help="B-B, B-T hoặc B-LT (default: settings.signing.level)")
]
TrustOpt = Annotated[
    list[Path] | None, typer.Option("--trust", help="gốc tin cậy thêm (trust root PEM, repeatable)")
]
OrgOpt = Annotated[str | None, typer.Option("--organisation", help="tên cơ quan in trên dấu")]
SealImageOpt = Annotated[Path | None, typer.Option("--seal-image", help="ảnh con dấu PNG")]


def _secret_reader(pin_env: str | None) -> SecretSource:
    """PIN from ``$VAR`` or a hidden prompt; the value is only ever returned, never shown."""
    from signing.errors import PinError

    def read(prompt: str) -> str:
        if pin_env:
            value = os.environ.get(pin_env)
            if value is None:
                raise PinError(f"Biến môi trường {pin_env} chưa được đặt (PIN variable not set)")
            return value
        value = typer.prompt(prompt, hide_input=True, default="", show_default=False)
        if not value:
            raise PinError("Chưa nhập PIN/mật khẩu (no PIN given)")
        return str(value)

    return read


def open_checked(stack: ExitStack, source: SignerSource, pin_env: str | None, ctx: SigningContext) -> Signer:
    """Log in to ``source`` for the rest of ``stack``, refused unless the trust roots accept it."""
    from signing.session import open_signer

    signer = stack.enter_context(open_signer(source, _secret_reader(pin_env)))
    ctx.check_signer(signer)
    return signer


def open_seal(
    stack: ExitStack,
    seal_pkcs12: Path | None,
    seal_pin_env: str | None,
    chain: list[Path] | None,
    ctx: SigningContext,
) -> Signer | None:
    """The organisation seal's key file, when one is given (see :func:`open_checked`); refused
    unless its certificate is an organisation's (``sign_bytes`` checks each seal again)."""
    from signing.certcheck import check_seal_certificate
    from signing.session import SignerSource

    if seal_pkcs12 is None:
        return None
    seal = open_checked(stack, SignerSource(pkcs12=seal_pkcs12, chain=chain or []), seal_pin_env, ctx)
    check_seal_certificate(seal.signing_cert)  # before any document is signed
    return seal


def _level(value: str | None) -> Level | None:
    if value is None:
        return None
    norm = value.upper().replace("PADES-", "")
    if norm not in ("B-B", "B-T", "B-LT", "B-LTA"):
        raise SohoaError(
            f"--level phải là B-B, B-T, B-LT hoặc B-LTA (got {value!r})", exit_code=ExitCode.BAD_ARGS
        )
    return norm  # type: ignore[return-value]


def _box(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in value.split(","))
    except ValueError:
        raise SohoaError("--box phải có dạng x0,y0,x1,y1 (points)", exit_code=ExitCode.BAD_ARGS) from None
    if x1 <= x0 or y1 <= y0:
        raise SohoaError("--box: x1 > x0 và y1 > y0", exit_code=ExitCode.BAD_ARGS)
    return (x0, y0, x1, y1)


def _context(
    settings: Settings,
    level: str | None,
    trust: list[Path] | None,
    organisation: str | None,
    seal_image: Path | None,
) -> SigningContext:
    from signing.pades import SigningContext

    return SigningContext.from_settings(
        settings, level=_level(level), extra_trust=trust, organisation=organisation, seal_image=seal_image
    )


def _outputs(files: list[Path], output: Path | None, out_dir: Path | None) -> list[Path]:
    if output is not None and out_dir is not None:
        raise SohoaError("Dùng -o hoặc --out-dir, không cả hai", exit_code=ExitCode.BAD_ARGS)
    if output is not None:
        if len(files) != 1:
            raise SohoaError(
                "-o chỉ dùng cho một tệp; nhiều tệp thì dùng --out-dir", exit_code=ExitCode.BAD_ARGS
            )
        return [output]
    if out_dir is None:
        raise SohoaError("Cần -o OUT hoặc --out-dir DIR (where to write)", exit_code=ExitCode.BAD_ARGS)
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise SohoaError(
            "Các tệp vào trùng tên; không thể ghi chung một thư mục", exit_code=ExitCode.BAD_ARGS
        )
    return [out_dir / n for n in names]


def register_sign(app: typer.Typer) -> None:
    @app.command("sign", help="Ký số PDF: cán bộ (token/tệp khóa) và/hoặc con dấu cơ quan (PAdES).")
    def _sign(
        files: Annotated[list[Path], typer.Argument(help="PDF cần ký (nhiều tệp: một lần đăng nhập)")],
        output: Annotated[Path | None, typer.Option("-o", "--output", help="tệp kết quả")] = None,
        out_dir: Annotated[Path | None, typer.Option("--out-dir", help="thư mục kết quả (batch)")] = None,
        pkcs12: Pkcs12Opt = None,
        pkcs11_module: ModuleOpt = None,
        token_label: TokenOpt = None,
        key_label: KeyLabelOpt = None,
        key_id: KeyIdOpt = None,
        pin_env: PinEnvOpt = None,
        pinpad: PinpadOpt = False,
        chain: ChainOpt = None,
        role: Annotated[
            str, typer.Option("--role", help="official (cán bộ) hoặc seal (con dấu) cho người ký chính")
        ] = "official",
        seal_pkcs12: SealP12Opt = None,
        seal_pin_env: SealPinEnvOpt = None,
        certify: Annotated[
            bool, typer.Option("--certify", help="chữ ký chứng nhận DocMDP của cán bộ (văn bản là kết quả)")
        ] = False,
        received: Annotated[
            bool, typer.Option("--received", help="bản số hóa từ giấy tiếp nhận: dấu chữ ở góc phải trang 1")
        ] = False,
        invisible: Annotated[bool, typer.Option("--invisible", help="chữ ký không hiển thị")] = False,
        level: LevelOpt = None,
        reason: Annotated[str | None, typer.Option("--reason", help="lý do ký")] = None,
        location: Annotated[str | None, typer.Option("--location", help="nơi ký")] = None,
        name: Annotated[str | None, typer.Option("--name", help="tên hiển thị (mặc định: CN)")] = None,
        organisation: OrgOpt = None,
        page: Annotated[int | None, typer.Option("--page", help="trang đặt dấu, 1 = đầu, -1 = cuối")] = None,
        box: Annotated[str | None, typer.Option("--box", help="x0,y0,x1,y1 theo point")] = None,
        seal_image: SealImageOpt = None,
        trust: TrustOpt = None,
    ) -> None:
        from config.settings import load_settings
        from signing.appearance import Placement, StampKind
        from signing.errors import InputPdfError
        from signing.pades import SignRequest, sign_file
        from signing.session import SignerSource

        if role not in ("official", "seal"):
            raise SohoaError("--role phải là official hoặc seal", exit_code=ExitCode.BAD_ARGS)
        if role == "seal" and seal_pkcs12 is not None:
            raise SohoaError("--role seal đã là con dấu; bỏ --seal-pkcs12", exit_code=ExitCode.BAD_ARGS)
        outs = _outputs(files, output, out_dir)
        settings = load_settings()
        ctx = _context(settings, level, trust, organisation, seal_image)
        primary = SignerSource(pkcs12, pkcs11_module, token_label, key_label, key_id, pinpad, chain or [])
        if invisible:
            kind = StampKind.NONE
        elif role == "seal":
            kind = StampKind.SEAL
        else:
            kind = StampKind.RECEIVED if received else StampKind.OFFICIAL
        default_page = 1 if kind is StampKind.RECEIVED else -1
        req = SignRequest(
            stamp=kind,
            certify=certify,
            reserve_seal_field=certify and seal_pkcs12 is not None,
            reason=reason,
            location=location,
            name=name,
            organisation=organisation,
            placement=Placement(page if page is not None else default_page, _box(box)),
        )
        seal_req = SignRequest(
            stamp=StampKind.SEAL, reason=reason, location=location, organisation=organisation
        )
        with ExitStack() as stack:
            signer = open_checked(stack, primary, pin_env, ctx)
            seal = open_seal(stack, seal_pkcs12, seal_pin_env, chain, ctx)
            failed = 0
            for src, dst in zip(files, outs, strict=True):
                try:
                    if seal is None:
                        sign_file(src, dst, signer, req, ctx)
                    else:
                        _sign_then_seal(src, dst, signer, seal, req, seal_req, ctx)
                except InputPdfError as exc:
                    if len(files) == 1:
                        raise
                    failed += 1
                    typer.echo(f"sohoa: {src}: {exc.message}", err=True)
                    continue
                typer.echo(f"{src} -> {dst}")
        if failed:
            raise SohoaError(
                f"{failed}/{len(files)} tệp không ký được (partial batch)", exit_code=ExitCode.PARTIAL_BATCH
            )


def _sign_then_seal(src, dst, signer, seal, req, seal_req, ctx) -> None:  # type: ignore[no-untyped-def]
    """Official then seal, each its own revision; only the final file is written."""
    from signing.pades import read_input, sign_bytes, write_atomic

    first = sign_bytes(read_input(src), signer, req, ctx, name=src.name)
    write_atomic(dst, sign_bytes(first, seal, seal_req, ctx, name=src.name))


def register_certify(app: typer.Typer) -> None:
    @app.command("certify", help="Chứng thực bản sao điện tử từ bản chính (lời chứng, số, hai chữ ký).")
    def _certify(
        file: Annotated[Path, typer.Argument(help="bản quét đã được đối chiếu với bản chính")],
        output: Annotated[Path, typer.Option("-o", "--output", help="bản sao chứng thực (PDF)")],
        requester: Annotated[str, typer.Option("--requester", help="người yêu cầu chứng thực")],
        book: Annotated[
            str | None, typer.Option("--book", help="quyển số (mặc định: quyển của năm, 01/YYYY-SCT/BS)")
        ] = None,
        seal_pkcs12: SealP12Opt = None,
        seal_pin_env: SealPinEnvOpt = None,
        pkcs12: Pkcs12Opt = None,
        pkcs11_module: ModuleOpt = None,
        token_label: TokenOpt = None,
        key_label: KeyLabelOpt = None,
        key_id: KeyIdOpt = None,
        pin_env: PinEnvOpt = None,
        pinpad: PinpadOpt = False,
        chain: ChainOpt = None,
        suffix: Annotated[str, typer.Option("--number-suffix", help="hậu tố số chứng thực")] = "ĐT",
        name: Annotated[str | None, typer.Option("--name", help="tên người thực hiện chứng thực")] = None,
        place: Annotated[str | None, typer.Option("--place", help="địa danh, ví dụ Tân Phú")] = None,
        on: Annotated[
            str | None, typer.Option("--date", help="ngày chứng thực YYYY-MM-DD (mặc định hôm nay)")
        ] = None,
        level: LevelOpt = None,
        organisation: OrgOpt = None,
        seal_image: SealImageOpt = None,
        trust: TrustOpt = None,
    ) -> None:
        from config.settings import load_settings
        from signing.certcheck import check_seal_certificate
        from signing.certify import CertifyRequest, certify_file, open_book_engine
        from signing.session import SignerSource, open_signer

        if seal_pkcs12 is None:
            raise SohoaError("Chứng thực cần chữ ký con dấu: --seal-pkcs12 FILE", exit_code=ExitCode.BAD_ARGS)
        certified_on = parse_day(on, "--date")
        settings = load_settings()
        ctx = _context(settings, level, trust, organisation, seal_image)
        engine = open_book_engine(settings)
        official_src = SignerSource(
            pkcs12, pkcs11_module, token_label, key_label, key_id, pinpad, chain or []
        )
        if book is None:
            from storage.db.certification import default_book_code

            book = default_book_code((certified_on or dt.datetime.now(ctx.tz).date()).year)
        req = CertifyRequest(
            book=book,
            requester=requester,
            suffix=suffix,
            official_name=name,
            place=place,
            certified_on=certified_on,
        )
        try:
            with (
                open_signer(official_src, _secret_reader(pin_env)) as official,
                open_signer(
                    SignerSource(pkcs12=seal_pkcs12, chain=chain or []), _secret_reader(seal_pin_env)
                ) as seal,
            ):
                ctx.check_signer(official)
                ctx.check_signer(seal)
                check_seal_certificate(seal.signing_cert)
                result = certify_file(file, output, official, seal, req, ctx, engine)
        finally:
            engine.dispose()
        typer.echo(
            f"Số chứng thực: {result.number.label}  Quyển số: {result.number.book}  -> {result.output}"
        )


def register(app: typer.Typer) -> None:
    register_sign(app)
    register_certify(app)
    register_verify(app)

"""``sohoa admin``: API keys for downstream systems and staff accounts (run on the server)."""

from __future__ import annotations

import getpass
import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from config.errors import ExitCode, SohoaError
from config.settings import load_settings
from pipeline.cli.vi import ViTyper


def _engine() -> Engine:
    """Accounts are written on the server's database, which ``sohoa db upgrade`` migrates."""
    from pipeline.services import open_database

    return open_database(load_settings(), check_schema=True)


def _password(password_env: str | None) -> str:
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            raise SohoaError(
                f"Biến môi trường {password_env} trống (password variable empty)", exit_code=ExitCode.BAD_ARGS
            )
        return value
    first = getpass.getpass("Mật khẩu (password): ")
    if first != getpass.getpass("Nhập lại (again): "):
        raise SohoaError("Hai lần nhập mật khẩu khác nhau (passwords differ)", exit_code=ExitCode.BAD_ARGS)
    return first


def cert_fingerprint(path: Path) -> str:
    """SHA-256 of the DER certificate (PEM or DER file) the official's token holds."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SohoaError(
            f"Không đọc được {path.name}: {exc.strerror}", exit_code=ExitCode.INPUT_FILE
        ) from None
    try:
        if b"-----BEGIN" in data:
            cert = x509.load_pem_x509_certificate(data)
        else:
            cert = x509.load_der_x509_certificate(data)
    except ValueError:
        raise SohoaError(
            f"{path.name} không phải chứng thư số (not a certificate)", exit_code=ExitCode.INPUT_FILE
        ) from None
    return cert.fingerprint(hashes.SHA256()).hex()


def register(app: typer.Typer) -> None:
    admin = ViTyper(
        help="Quản trị: khóa API và tài khoản cán bộ (keys and staff accounts).", no_args_is_help=True
    )
    app.add_typer(admin, name="admin")

    @admin.command("add-key", help="Tạo khóa API cho một hệ thống; khóa chỉ in ra một lần.")
    def add_key(
        name: Annotated[str, typer.Argument(help="tên hệ thống")],
        scope: Annotated[list[str], typer.Option("--scope", help="phạm vi: results:read, lookup, ...")],
        agency: Annotated[list[str], typer.Option("--agency", help="mã cơ quan được phép, hoặc '*'")],
    ) -> None:
        from pipeline.accounts import create_api_key
        from storage.db.engine import run_in_transaction

        key = run_in_transaction(
            _engine(), lambda s: create_api_key(s, name, scopes=scope, agencies=agency, actor="cli:admin")
        )
        typer.echo(key)

    @admin.command("revoke-key", help="Thu hồi khóa API.")
    def revoke_key(name: Annotated[str, typer.Argument()]) -> None:
        from pipeline.accounts import revoke_api_key
        from storage.db.engine import run_in_transaction

        run_in_transaction(_engine(), lambda s: revoke_api_key(s, name, actor="cli:admin"))
        typer.echo(f"đã thu hồi (revoked): {name}")

    @admin.command("add-user", help="Tạo tài khoản cán bộ (clerk, official, administrator).")
    def add_user(
        username: Annotated[str, typer.Argument()],
        role: Annotated[list[str], typer.Option("--role", help="clerk, official, administrator")],
        agency: Annotated[list[str], typer.Option("--agency", help="mã cơ quan, hoặc '*'")],
        full_name: Annotated[str, typer.Option(help="họ tên")] = "",
        cert: Annotated[Path | None, typer.Option(help="chứng thư số của token (cán bộ ký)")] = None,
        password_env: Annotated[str | None, typer.Option(help="biến môi trường chứa mật khẩu")] = None,
    ) -> None:
        from pipeline.accounts import create_user
        from storage.db.engine import run_in_transaction

        fingerprint = cert_fingerprint(cert) if cert is not None else None
        password = _password(password_env)
        run_in_transaction(
            _engine(),
            lambda s: create_user(
                s,
                username,
                password,
                roles=role,
                agencies=agency,
                full_name=full_name,
                cert_sha256=fingerprint,
                actor="cli:admin",
            ),
        )
        typer.echo(f"đã tạo (created): {username}")

    @admin.command("issue-token", help="Cấp mã phiên cho cán bộ (ví dụ cho sohoa sign-client).")
    def issue(
        username: Annotated[str, typer.Argument()],
        hours: Annotated[float, typer.Option(help="thời hạn, giờ")] = 12.0,
    ) -> None:
        from pipeline.accounts import get_user, issue_token
        from storage.db.engine import run_in_transaction

        issued = run_in_transaction(
            _engine(), lambda s: issue_token(s, get_user(s, username), timedelta(hours=hours))
        )
        typer.echo(issued.token)

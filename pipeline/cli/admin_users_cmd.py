"""``sohoa admin list-users / disable-user / enable-user / reset-password / revoke-tokens / unlock``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

ACTOR = "cli:admin"


def register_admin(admin: typer.Typer) -> None:
    """Add the account-administration commands to the ``sohoa admin`` group."""
    from pipeline.cli.admin_cmd import _engine, _password

    @admin.command("list-users", help="Danh sách tài khoản cán bộ (staff accounts, tokens, lockouts).")
    def list_users_cmd(as_json: Annotated[bool, typer.Option("--json", help="in JSON")] = False) -> None:
        from config.settings import load_settings
        from pipeline.account_admin import list_users
        from storage.db.engine import read_session

        with read_session(_engine()) as session:
            users = list_users(session, policy=load_settings().login)
        if as_json:
            print(json.dumps([u.model_dump(mode="json") for u in users], ensure_ascii=False, indent=2))
            return
        table = Table(title="Tài khoản cán bộ (staff accounts)")
        for column in ("Tài khoản", "Họ tên", "Vai trò", "Cơ quan", "Trạng thái", "Phiên", "Sai"):
            table.add_column(column)
        for u in users:
            status = "khóa (disabled)" if u.disabled else ("bị chặn (locked)" if u.locked else "hoạt động")
            table.add_row(
                u.username, u.full_name, ",".join(u.roles), ",".join(u.agencies), status, str(u.tokens),
                str(u.failures),
            )
        Console(width=200).print(table)

    @admin.command("disable-user", help="Khóa tài khoản, thu hồi mọi phiên của nó (disable, revoke tokens).")
    def disable_user_cmd(username: Annotated[str, typer.Argument()]) -> None:
        from pipeline.account_admin import set_disabled
        from storage.db.engine import run_in_transaction

        run_in_transaction(_engine(), lambda s: set_disabled(s, username, True, actor=ACTOR))
        typer.echo(f"đã khóa (disabled): {username}")

    @admin.command("enable-user", help="Mở lại tài khoản đã khóa (enable a disabled account).")
    def enable_user_cmd(username: Annotated[str, typer.Argument()]) -> None:
        from pipeline.account_admin import set_disabled
        from storage.db.engine import run_in_transaction

        run_in_transaction(_engine(), lambda s: set_disabled(s, username, False, actor=ACTOR))
        typer.echo(f"đã mở (enabled): {username}")

    @admin.command("reset-password", help="Đặt lại mật khẩu; mọi phiên cũ bị thu hồi (sessions revoked).")
    def reset_password_cmd(
        username: Annotated[str, typer.Argument()],
        password_env: Annotated[
            str | None, typer.Option("--password-env", help="đọc mật khẩu mới từ biến môi trường này")
        ] = None,
    ) -> None:
        from pipeline.account_admin import reset_password
        from storage.db.engine import run_in_transaction

        password = _password(password_env)
        run_in_transaction(_engine(), lambda s: reset_password(s, username, password, actor=ACTOR))
        typer.echo(f"đã đặt lại mật khẩu (password reset): {username}")

    @admin.command("revoke-tokens", help="Thu hồi mọi phiên đăng nhập của một cán bộ (revoke bearer tokens).")
    def revoke_tokens_cmd(username: Annotated[str, typer.Argument()]) -> None:
        from pipeline.account_admin import revoke_tokens
        from storage.db.engine import run_in_transaction

        count = run_in_transaction(_engine(), lambda s: revoke_tokens(s, username, actor=ACTOR))
        typer.echo(f"đã thu hồi {count} phiên (tokens revoked): {username}")

    @admin.command("unlock", help="Gỡ chặn đăng nhập sau nhiều lần sai mật khẩu (lift a log-in lockout).")
    def unlock_cmd(username: Annotated[str, typer.Argument()]) -> None:
        from pipeline.account_admin import unlock
        from storage.db.engine import run_in_transaction

        lifted = run_in_transaction(_engine(), lambda s: unlock(s, username, actor=ACTOR))
        done = "đã gỡ chặn (unlocked)" if lifted else "không bị chặn (not locked)"
        typer.echo(f"{done}: {username}")

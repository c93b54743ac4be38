"""``sohoa sign-client``: sign the server's queue on the official's own computer, one PIN entry.

The USB token stays on the official's desk: this command fetches the official's queue from
``sohoa serve``, shows what is to be signed, opens the token ONCE (one PIN entry for the whole
batch), signs each PDF with the signing engineer's ``signing.pades.sign_bytes`` and uploads the
result; the server verifies every upload before accepting it. A failed document does not stop
the batch; the exit status says if any failed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from config.errors import ExitCode, SohoaError
from config.settings import Settings, load_settings
from pipeline.sign_client import QueueClient, QueueEntry, SignClientError, secret_reader
from pipeline.signing_agent import DEFAULT_PORT, AgentConfig, Batch, ItemState, SigningAgent
from signing.session import SignerSource, open_signer

__all__ = ["QueueClient", "QueueEntry", "SignClientError", "register", "run_sign_client", "secret_reader"]


def _show(entries: list[QueueEntry]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Tài liệu chờ ký (documents waiting for your signature)")
    table.add_column("#")
    table.add_column("Tài liệu (document)")
    table.add_column("Loại (type)")
    table.add_column("Kích thước (size)")
    for e in entries:
        table.add_row(str(e.id), e.title, e.doc_type or "", f"{e.size / 1024:.0f} KiB")
    Console(stderr=True).print(table)


def run_sign_client(
    client: QueueClient,
    settings: Settings,
    *,
    yes: bool,
    source: SignerSource,
    pin_env: str | None,
    reason: str | None = None,
    out_dir: Path | None = None,
) -> tuple[int, int]:
    """Sign the whole queue; returns (accepted, failed)."""
    from pipeline.dossier.queue import sign_request_for
    from signing.pades import SigningContext, sign_bytes, write_atomic

    entries = client.queue()
    if not entries:
        typer.echo("Không có tài liệu nào chờ ký (nothing to sign).", err=True)
        return 0, 0
    _show(entries)
    if not yes and not typer.confirm(f"Ký {len(entries)} tài liệu? (sign them?)", default=False):
        raise typer.Abort()
    ctx = SigningContext.from_settings(settings)
    accepted = failed = 0
    with open_signer(source, secret_reader(pin_env)) as signer:
        ctx.check_signer(signer)
        for entry in entries:
            try:
                data = client.fetch(entry)
                # a received copy, a result (certifying) or its seal, as the server's item says
                kind = sign_request_for(entry.title, entry.stamp, reason)
                signed = sign_bytes(data, signer, kind, ctx, name=entry.title or f"#{entry.id}")
                if out_dir is not None:
                    write_atomic(out_dir / f"{entry.document_id}-{entry.id}.pdf", signed)
                result = client.upload(entry, signed)
            except SohoaError as exc:
                if exc.exit_code in (ExitCode.PIN, ExitCode.TOKEN):
                    raise  # the token itself failed: stop, never retry a PIN
                failed += 1
                typer.echo(f"✗ #{entry.id} {entry.title}: {exc.message}", err=True)
                continue
            accepted += 1
            typer.echo(
                f"✓ #{entry.id} {entry.title}: phiên bản {result.get('version_id')} (accepted)", err=True
            )
    return accepted, failed


def _announce(batch: Batch, pin_timeout: float | None = None) -> None:
    """What is about to be signed, on the agent's own terminal, before the PIN is asked.

    Plain lines, not a table: the SHA-256 must be shown whole whatever the terminal's width."""
    echo = lambda line: typer.echo(line, err=True)  # noqa: E731
    echo(f"Lô ký từ trang web {batch.server} (batch from the staff page), {len(batch.items)} mục:")
    for item in batch.items:
        if item.reason is not None:
            echo(f"  #{item.id} {item.title}: bị từ chối (refused): {item.reason}")
            continue
        echo(f"  #{item.id} {item.title} — hồ sơ {item.dossier or '-'} — {item.pages} trang (pages)")
        echo(f"      SHA-256 {item.sha256}")
    ready = sum(i.reason is None for i in batch.items)
    echo(
        f"Nhập mã PIN một lần để ký {ready} tài liệu; để trống và nhấn Enter để từ chối cả lô "
        "(enter the PIN once for the batch; empty to refuse)."
    )
    if pin_timeout is not None:
        echo(f"Sau {pin_timeout:g} giây không nhập, lô bị từ chối (the prompt times out).")


def _finished(batch: Batch) -> None:
    for item in batch.items:
        mark = "✓ đã ký" if item.state == ItemState.SIGNED else f"✗ {item.reason}"
        typer.echo(f"#{item.id} {item.title}: {mark}", err=True)
    typer.echo(f"Lô {batch.id[:8]}: {batch.state.value} {batch.message or ''}".rstrip(), err=True)


def run_agent(
    source: SignerSource,
    server: str | None,
    origins: list[str],
    port: int,
    pin_env: str | None,
    reason: str | None,
    pin_timeout: float | None = None,
) -> None:
    """``--serve``: the local agent the staff page drives (until Ctrl-C).

    The terminal's PIN prompt gives up after ``pin_timeout`` seconds (default: the setting
    ``signing.pin_timeout_s``): the batch is refused and the agent is free for the next one."""
    from pipeline.api.signing_agent_app import serve_agent

    source.validate()
    settings = load_settings()
    timeout = pin_timeout if pin_timeout is not None else settings.signing.pin_timeout_s
    if timeout <= 0:
        raise SohoaError("--pin-timeout phải lớn hơn 0 giây (must be positive)", exit_code=ExitCode.BAD_ARGS)
    agent = SigningAgent(
        AgentConfig(
            source=source,
            settings=settings,
            allowed_origins=tuple(([server] if server else []) + origins),
            port=port,
            reason=reason,
            secret=None if source.pinpad else secret_reader(pin_env, timeout=timeout),
            announce=lambda batch: _announce(batch, None if pin_env else timeout),
            finished=_finished,
        )
    )
    typer.echo(f"Ứng dụng ký sohoa chạy tại http://127.0.0.1:{port} (signing agent)", err=True)
    typer.echo(f"Trang được phép (allowed origins): {', '.join(sorted(agent.allowed_origins))}", err=True)
    typer.echo(f"Mã ghép nối (pairing code): {agent.pairing}", err=True)
    serve_agent(agent)


def register(app: typer.Typer) -> None:
    @app.command(
        "sign-client",
        help="Ký các tài liệu trong hàng đợi của máy chủ bằng token trên máy của cán bộ "
        "(một lần nhập PIN cho cả lô) và gửi bản đã ký về máy chủ.",
    )
    def sign_client(
        server: Annotated[
            str | None, typer.Option("--server", help="URL của sohoa serve, ví dụ http://10.0.0.5:8080")
        ] = None,
        token: Annotated[
            str | None,
            typer.Option("--token", help="mã phiên của cán bộ (POST /auth/login, sohoa admin issue-token)"),
        ] = None,
        token_env: Annotated[
            str | None, typer.Option("--token-env", help="biến môi trường chứa mã phiên")
        ] = None,
        pkcs12: Annotated[Path | None, typer.Option("--pkcs12", help="tệp khóa PKCS#12")] = None,
        pkcs11_module: Annotated[
            str | None, typer.Option("--pkcs11-module", help="thư viện PKCS#11 của token")
        ] = None,
        token_label: Annotated[str | None, typer.Option("--token-label", help="nhãn token")] = None,
        key_label: Annotated[str | None, typer.Option("--key-label", help="nhãn khóa")] = None,
        key_id: Annotated[str | None, typer.Option("--key-id", help="CKA_ID của khóa (hex)")] = None,
        pin_env: Annotated[
            str | None, typer.Option("--pin-env", help="biến môi trường chứa PIN/mật khẩu")
        ] = None,
        pinpad: Annotated[bool, typer.Option("--pinpad", help="nhập PIN trên bàn phím của token")] = False,
        chain: Annotated[
            list[Path] | None, typer.Option("--chain", help="chứng thư CA trung gian để nhúng (PEM)")
        ] = None,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="không hỏi xác nhận")] = False,
        reason: Annotated[str | None, typer.Option("--reason", help="lý do ký")] = None,
        out_dir: Annotated[Path | None, typer.Option("--out-dir", help="giữ một bản các tệp đã ký")] = None,
        serve: Annotated[
            bool,
            typer.Option("--serve", help="chạy ứng dụng ký trên 127.0.0.1 cho trang web (ký từ trang)"),
        ] = False,
        port: Annotated[int, typer.Option("--port", help="cổng của ứng dụng ký (--serve)")] = DEFAULT_PORT,
        allow_origin: Annotated[
            list[str] | None,
            typer.Option(
                "--allow-origin", help="nguồn trang được phép ngoài --server (--serve), lặp lại được"
            ),
        ] = None,
        pin_timeout: Annotated[
            float | None,
            typer.Option(
                "--pin-timeout",
                help="số giây chờ nhập PIN trước khi từ chối lô (--serve; mặc định 120, "
                "SOHOA_SIGNING__PIN_TIMEOUT_S)",
            ),
        ] = None,
    ) -> None:
        source = SignerSource(
            pkcs12, pkcs11_module, token_label, key_label, key_id, pinpad, list(chain or [])
        )
        if serve:
            run_agent(source, server, list(allow_origin or []), port, pin_env, reason, pin_timeout)
            return
        if server is None:
            raise SohoaError("Cần --server (the server URL is required)", exit_code=ExitCode.BAD_ARGS)
        bearer = token or (os.environ.get(token_env) if token_env else None)
        if not bearer:
            raise SohoaError(
                "Cần --token hoặc --token-env (a session token is required)", exit_code=ExitCode.BAD_ARGS
            )
        settings = load_settings()
        client = QueueClient(server, bearer)
        try:
            accepted, failed = run_sign_client(
                client,
                settings,
                yes=yes,
                reason=reason,
                out_dir=out_dir,
                source=source,
                pin_env=pin_env,
            )
        finally:
            client.close()
        typer.echo(f"Đã ký và gửi {accepted}, lỗi {failed} (accepted {accepted}, failed {failed})", err=True)
        if failed:
            raise SohoaError(
                f"{failed} tài liệu không được máy chủ nhận (documents refused)",
                exit_code=ExitCode.PARTIAL_BATCH,
            )

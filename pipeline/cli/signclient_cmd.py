"""``sohoa sign-client``: sign the server's queue on the official's own computer, one PIN entry.

The USB token stays on the official's desk: this command fetches the official's queue from
``sohoa serve``, shows what is to be signed, opens the token ONCE (one PIN entry for the whole
batch), signs each PDF with the signing engineer's ``signing.pades.sign_bytes`` and uploads the
result; the server verifies every upload before accepting it. A failed document does not stop
the batch; the exit status says if any failed.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from config.errors import ExitCode, SohoaError
from config.settings import Settings, load_settings
from signing.errors import PinError
from signing.session import SignerSource, open_signer

TIMEOUT = 120.0


class SignClientError(SohoaError):
    exit_code = ExitCode.SIGNING


@dataclass(frozen=True)
class QueueEntry:
    id: int
    document_id: int
    doc_type: str | None
    title: str
    sha256: str
    size: int


class QueueClient:
    """The few calls the signing client makes to the API (httpx, bearer token)."""

    def __init__(self, server: str, token: str, *, timeout: float = TIMEOUT, transport: Any = None) -> None:
        import httpx

        if not server.startswith(("http://", "https://")):
            raise SignClientError("--server phải là URL http(s):// (server must be an http(s) URL)")
        kwargs: dict[str, Any] = {"transport": transport} if transport is not None else {}
        self._http = httpx.Client(
            base_url=server.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            **kwargs,
        )

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        import httpx

        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise SignClientError(
                f"Không kết nối được máy chủ (cannot reach server): {type(exc).__name__}"
            ) from None
        if response.status_code == 401:
            raise SignClientError("Mã phiên không hợp lệ hoặc đã hết hạn (token rejected: 401)")
        return response

    def queue(self) -> list[QueueEntry]:
        response = self._call("GET", "/api/v1/signing/queue")
        if response.status_code != 200:
            raise SignClientError(
                f"Máy chủ từ chối lấy hàng đợi (queue refused): HTTP {response.status_code}"
            )
        return [
            QueueEntry(
                id=int(i["id"]),
                document_id=int(i["document_id"]),
                doc_type=i.get("doc_type"),
                title=str(i.get("title") or ""),
                sha256=str(i["sha256"]),
                size=int(i["size"]),
            )
            for i in response.json()["items"]
        ]

    def fetch(self, entry: QueueEntry) -> bytes:
        response = self._call("GET", f"/api/v1/signing/queue/{entry.id}/pdf")
        if response.status_code != 200:
            raise SignClientError(
                f"Không tải được tài liệu #{entry.id} (download failed): {response.status_code}"
            )
        data: bytes = response.content
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise SignClientError(f"Tài liệu #{entry.id} tải về bị sai lệch (download hash mismatch)")
        return data

    def upload(self, entry: QueueEntry, signed: bytes) -> dict[str, Any]:
        response = self._call(
            "POST",
            f"/api/v1/signing/queue/{entry.id}/signed",
            content=signed,
            headers={"Content-Type": "application/pdf"},
        )
        if response.status_code not in (200, 201):
            try:
                detail = response.json().get("detail")  # RFC 9457 problem details
            except ValueError:
                detail = None
            raise SignClientError(
                f"Máy chủ từ chối bản ký #{entry.id} (upload refused: HTTP {response.status_code}): {detail}"
            )
        result: dict[str, Any] = response.json()
        return result


def secret_reader(pin_env: str | None) -> Callable[[str], str]:
    """PIN from ``$VAR`` (scripts) or a hidden prompt; the value is returned, never shown or logged."""

    def read(prompt: str) -> str:
        if pin_env:
            value = os.environ.get(pin_env)
            if not value:
                raise PinError(f"Biến môi trường {pin_env} chưa được đặt (PIN variable not set)")
            return value
        value = getpass.getpass(f"{prompt}: ")
        if not value:
            raise PinError("Chưa nhập PIN/mật khẩu (no PIN given)")
        return value

    return read


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
    from pipeline.dossier.queue import is_received_copy
    from signing.appearance import Placement, StampKind
    from signing.pades import SigningContext, SignRequest, sign_bytes, write_atomic

    entries = client.queue()
    if not entries:
        typer.echo("Không có tài liệu nào chờ ký (nothing to sign).", err=True)
        return 0, 0
    _show(entries)
    if not yes and not typer.confirm(f"Ký {len(entries)} tài liệu? (sign them?)", default=False):
        raise typer.Abort()
    ctx = SigningContext.from_settings(settings)
    request = SignRequest(stamp=StampKind.OFFICIAL, reason=reason)
    # a digitised paper copy of a dossier gets the receiving official's text-only stamp
    received = SignRequest(stamp=StampKind.RECEIVED, reason=reason, placement=Placement(1, None))
    accepted = failed = 0
    with open_signer(source, secret_reader(pin_env)) as signer:
        ctx.check_signer(signer)
        for entry in entries:
            try:
                data = client.fetch(entry)
                kind = received if is_received_copy(entry.title) else request
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


def register(app: typer.Typer) -> None:
    @app.command(
        "sign-client",
        help="Ký các tài liệu trong hàng đợi của máy chủ bằng token trên máy của cán bộ "
        "(một lần nhập PIN cho cả lô) và gửi bản đã ký về máy chủ.",
    )
    def sign_client(
        server: Annotated[
            str, typer.Option("--server", help="URL của sohoa serve, ví dụ http://10.0.0.5:8080")
        ],
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
    ) -> None:
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
                source=SignerSource(
                    pkcs12, pkcs11_module, token_label, key_label, key_id, pinpad, list(chain or [])
                ),
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

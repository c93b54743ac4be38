"""The official's side of the signing queue: the few calls made to ``sohoa serve`` (httpx).

Shared by ``sohoa sign-client`` (one batch from the command line) and the local signing agent
(``sohoa sign-client --serve``, driven by the staff page): both fetch the queue with the
official's bearer token, download the exact bytes to sign (hash checked), upload the signed copy.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import select
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from config.errors import ExitCode, SohoaError
from signing.errors import PinError

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
    dossier: str | None = None
    stamp: str | None = None
    """the signature the server asks for (received copy, result, seal); none: by the title"""


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
                dossier=i.get("dossier"),
                stamp=i.get("stamp"),
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


def pin_timeout_message(seconds: float) -> str:
    return (
        f"Hết {seconds:g} giây chờ nhập mã PIN: lô ký bị từ chối, chưa đăng nhập token; "
        "gửi lại lô khi sẵn sàng ký (PIN prompt timed out)"
    )


def read_secret_timed(prompt: str, timeout: float, *, tty: str = "/dev/tty") -> str:
    """A hidden prompt on the terminal that gives up after ``timeout`` seconds.

    ``getpass`` cannot be interrupted, so an official who walks away would hold the batch (and
    the agent) forever. Echo off, canonical mode: the line arrives whole on Enter. On timeout
    whatever was half typed is discarded (``tcflush``), so it can never join the next PIN.
    """
    try:
        import termios
    except ImportError:  # not a POSIX terminal: no way to time the prompt out
        return getpass.getpass(f"{prompt}: ")
    try:
        fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        raise PinError(
            "Không có màn hình để hỏi mã PIN (no terminal); dùng --pin-env hoặc --pinpad"
        ) from None
    line = b""
    try:
        saved = termios.tcgetattr(fd)
        quiet = termios.tcgetattr(fd)
        quiet[3] &= ~termios.ECHO
        os.write(fd, f"{prompt}: ".encode())
        termios.tcsetattr(fd, termios.TCSAFLUSH, quiet)  # also drops anything typed before the prompt
        try:
            deadline = time.monotonic() + timeout
            while b"\n" not in line:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    termios.tcflush(fd, termios.TCIFLUSH)
                    raise PinError(pin_timeout_message(timeout))
                chunk = os.read(fd, 1024)
                if not chunk:  # Ctrl-D
                    break
                line += chunk
        finally:
            termios.tcsetattr(fd, termios.TCSAFLUSH, saved)
            os.write(fd, b"\n")
    finally:
        os.close(fd)
    return line.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", errors="replace")


def secret_reader(pin_env: str | None, *, timeout: float | None = None) -> Callable[[str], str]:
    """PIN from ``$VAR`` (scripts) or a hidden prompt; the value is returned, never shown or logged.

    ``timeout``: seconds the terminal prompt waits before refusing (the signing agent's)."""

    def read(prompt: str) -> str:
        if pin_env:
            value = os.environ.get(pin_env)
            if not value:
                raise PinError(f"Biến môi trường {pin_env} chưa được đặt (PIN variable not set)")
            return value
        value = getpass.getpass(f"{prompt}: ") if timeout is None else read_secret_timed(prompt, timeout)
        if not value:
            raise PinError("Chưa nhập PIN/mật khẩu (no PIN given)")
        return value

    return read

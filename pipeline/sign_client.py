"""The official's side of the signing queue: the few calls made to ``sohoa serve`` (httpx).

Shared by ``sohoa sign-client`` (one batch from the command line) and the local signing agent
(``sohoa sign-client --serve``, driven by the staff page): both fetch the queue with the
official's bearer token, download the exact bytes to sign (hash checked), upload the signed copy.
"""

from __future__ import annotations

import getpass
import hashlib
import os
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

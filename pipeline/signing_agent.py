"""The local signing agent: the staff page asks, the official's own computer signs with the token.

``sohoa sign-client --serve`` runs this on 127.0.0.1 beside the official's USB token, as the
government's VGCA Sign Service and the CAs' browser plugins do. The page sends a batch (the
server, the official's bearer token, the queue item ids); the agent fetches those items from the
server's signing queue, checks each download's SHA-256, counts its pages, SHOWS the list on its
own terminal (a web page cannot be trusted to say what is signed), asks the PIN ONCE for the
whole batch, signs, uploads, and records for each item "signed" or "refused" with the reason.

Why these guards: any web page the official opens can send requests to 127.0.0.1. The HTTP
layer therefore answers only the allowed origins (CORS), checks the Host header (DNS
rebinding), and every call that does something needs the agent's pairing code, a random value
shown on the agent's terminal that the official types into the page once. A wrong PIN fails the
batch with the token's own message and is never retried (tokens lock after a few tries). The
PIN and the bearer token are held only while the batch runs; neither is logged or stored.
"""

from __future__ import annotations

import hmac
import io
import secrets
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from config.errors import ExitCode, SohoaError
from config.settings import Settings
from pipeline.errors import Refused
from pipeline.sign_client import QueueClient, QueueEntry
from signing.session import SecretSource, SignerSource, open_signer
from signing.token import TokenSpec, peek_certificate

AGENT_NAME = "sohoa-sign-agent"
DEFAULT_PORT = 47120
PAIRING_HEADER = "X-Sohoa-Pairing"
MAX_ITEMS = 100
KEPT_BATCHES = 50
MAX_PAIRING_FAILURES = 20
# No 0/O, 1/I/L: the official copies the code from the terminal by eye.
PAIRING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class ItemState(StrEnum):
    WAITING = "waiting"
    SIGNING = "signing"
    SIGNED = "signed"
    REFUSED = "refused"


class BatchState(StrEnum):
    PREPARING = "preparing"  # fetching the items and their bytes from the server
    AWAITING_PIN = "awaiting_pin"  # shown on the terminal, waiting for the official's PIN
    SIGNING = "signing"
    DONE = "done"  # every item is signed or refused
    FAILED = "failed"  # the batch stopped (wrong PIN, token absent, server unreachable)


FINAL_BATCH = (BatchState.DONE, BatchState.FAILED)
Prepared = tuple["BatchItem", QueueEntry, bytes]
"""an item, its queue entry and the downloaded bytes it will be signed over"""


@dataclass
class BatchItem:
    id: int
    title: str = ""
    dossier: str | None = None
    doc_type: str | None = None
    pages: int | None = None
    sha256: str | None = None
    size: int | None = None
    state: ItemState = ItemState.WAITING
    reason: str | None = None
    version_id: int | None = None

    def refuse(self, reason: str) -> None:
        self.state, self.reason = ItemState.REFUSED, reason

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "dossier": self.dossier,
            "doc_type": self.doc_type,
            "pages": self.pages,
            "sha256": self.sha256,
            "size": self.size,
            "state": self.state.value,
            "reason": self.reason,
            "version_id": self.version_id,
        }


@dataclass
class Batch:
    id: str
    server: str
    items: list[BatchItem]
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    state: BatchState = BatchState.PREPARING
    message: str | None = None

    def fail(self, message: str) -> None:
        """Stop the batch: what was not signed yet is refused with the batch's reason."""
        self.state, self.message = BatchState.FAILED, message
        for item in self.items:
            if item.state in (ItemState.WAITING, ItemState.SIGNING):
                item.refuse(message)

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "server": self.server,
            "state": self.state.value,
            "message": self.message,
            "created_at": self.created_at.isoformat(),
            "signed": sum(i.state == ItemState.SIGNED for i in self.items),
            "refused": sum(i.state == ItemState.REFUSED for i in self.items),
            "items": [i.view() for i in self.items],
        }


@dataclass(frozen=True)
class AgentConfig:
    """What the agent signs with and whom it answers; the callbacks are the terminal's."""

    source: SignerSource
    settings: Settings
    allowed_origins: tuple[str, ...]
    port: int = DEFAULT_PORT
    reason: str | None = None
    secret: SecretSource | None = None
    """asked once per batch for the PIN; ``None`` only for a pin-pad token"""
    announce: Callable[[Batch], None] = lambda batch: None
    """shows the batch's items on the agent's terminal before the PIN is asked"""
    finished: Callable[[Batch], None] = lambda batch: None


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` as browsers send it in ``Origin`` (default ports dropped)."""
    bad = Refused(422, f"Không phải địa chỉ http(s) hợp lệ (not an http(s) URL): {url[:200]!r}")
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # a malformed port raises here
    except ValueError:
        raise bad from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def new_pairing_code() -> str:
    """Eight characters from a 31-letter alphabet (~40 bits), shown as XXXX-XXXX."""
    raw = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _normal_code(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")


def agent_version() -> str:
    try:
        return metadata.version("sohoa")
    except metadata.PackageNotFoundError:
        return "0"


def count_pages(data: bytes) -> int:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError:
        raise SohoaError(
            "Tệp tải về không đọc được như PDF (downloaded file is not a readable PDF)",
            exit_code=ExitCode.SIGNING,
        ) from None


class SigningAgent:
    """The agent's state: its pairing code, its batches (the last few kept), one batch at a time."""

    def __init__(
        self,
        config: AgentConfig,
        *,
        pairing: str | None = None,
        client_factory: Callable[[str, str], QueueClient] = QueueClient,
    ) -> None:
        if not config.allowed_origins:
            raise Refused(422, "Cần ít nhất một nguồn được phép (--server hoặc --allow-origin)")
        self.config = config
        self.pairing = pairing or new_pairing_code()
        self.allowed_origins = frozenset(origin_of(o) for o in config.allowed_origins)
        self._client_factory = client_factory
        self._lock = threading.Lock()
        self._batches: OrderedDict[str, Batch] = OrderedDict()
        self._running: threading.Thread | None = None
        self._pairing_failures = 0

    # ---- the guards the HTTP layer applies --------------------------------------------------
    def origin_allowed(self, origin: str) -> bool:
        try:
            return origin_of(origin) in self.allowed_origins and origin_of(origin) == origin.rstrip("/")
        except Refused:
            return False  # "null", file:// and the like

    def host_allowed(self, host: str | None) -> bool:
        """Only the loopback names of our own port: a rebinding attacker's name is refused."""
        return host in {f"127.0.0.1:{self.config.port}", f"localhost:{self.config.port}"}

    def paired(self, code: str | None) -> bool:
        """Constant-time check of the pairing code; after too many wrong codes nothing pairs."""
        if code is None:
            return False
        with self._lock:
            if self._pairing_failures >= MAX_PAIRING_FAILURES:
                return False
            ok = hmac.compare_digest(_normal_code(code).encode(), _normal_code(self.pairing).encode())
            if not ok:
                self._pairing_failures += 1
            return ok

    @property
    def locked_out(self) -> bool:
        return self._pairing_failures >= MAX_PAIRING_FAILURES

    # ---- what the page asks -------------------------------------------------------------------
    def status(self, *, paired: bool) -> dict[str, Any]:
        """Name, version, the signer and whether a certificate is there; never a secret."""
        source = self.config.source
        signer: dict[str, Any]
        if source.pkcs12 is not None:
            signer = {"kind": "pkcs12", "file": source.pkcs12.name, "present": source.pkcs12.is_file()}
        else:
            subject = None
            if source.module and source.token_label:
                spec = TokenSpec(source.module, source.token_label, source.key_label, source.key_id)
                subject = peek_certificate(spec)
            signer = {
                "kind": "pkcs11",
                "token_label": source.token_label,
                "key_label": source.key_label,
                "present": subject is not None,
                "subject": subject,
                "pinpad": source.pinpad,
            }
        with self._lock:
            busy = self._running is not None and self._running.is_alive()
        return {
            "agent": AGENT_NAME,
            "version": agent_version(),
            "paired": paired,
            "pairing_locked": self.locked_out,
            "busy": busy,
            "signer": signer,
            "max_items": MAX_ITEMS,
        }

    def batch(self, batch_id: str) -> dict[str, Any]:
        with self._lock:
            found = self._batches.get(batch_id)
            if found is None:
                raise Refused(404, "Không có lô ký này (no such batch)")
            return found.view()

    def submit(self, server: str, access_token: str, item_ids: list[int]) -> dict[str, Any]:
        """Start a batch in the background (the PIN prompt waits for the official); its view."""
        if origin_of(server) not in self.allowed_origins:
            raise Refused(403, f"Máy chủ {origin_of(server)} không được phép với ứng dụng ký này")
        ids = list(dict.fromkeys(item_ids))
        if not ids or len(ids) > MAX_ITEMS:
            raise Refused(422, f"Một lô ký có từ 1 đến {MAX_ITEMS} tài liệu (1..{MAX_ITEMS} items)")
        batch = Batch(uuid.uuid4().hex, server.rstrip("/"), [BatchItem(i) for i in ids])
        with self._lock:
            if self._running is not None and self._running.is_alive():
                raise Refused(409, "Ứng dụng ký đang ký một lô khác, hãy chờ lô đó xong (busy)")
            client = self._client_factory(batch.server, access_token)
            self._batches[batch.id] = batch
            while len(self._batches) > KEPT_BATCHES:
                self._batches.popitem(last=False)
            self._running = threading.Thread(
                target=self._run, args=(batch, client), name=f"sign-batch-{batch.id[:8]}", daemon=True
            )
            self._running.start()
            return batch.view()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running batch (tests and a clean shutdown)."""
        running = self._running
        if running is not None:
            running.join(timeout)

    # ---- the batch itself (its own thread) ------------------------------------------------
    def _set(self, batch: Batch, state: BatchState) -> None:
        with self._lock:
            batch.state = state

    def _run(self, batch: Batch, client: QueueClient) -> None:
        try:
            todo = self._prepare(batch, client)
            if not todo:
                with self._lock:
                    batch.state = BatchState.DONE
                    batch.message = "Không có tài liệu nào ký được trong lô (nothing to sign)"
                return
            self._sign(batch, client, todo)
        except SohoaError as exc:
            with self._lock:
                batch.fail(exc.message)
        except Exception as exc:
            with self._lock:
                batch.fail(f"Lỗi không mong đợi của ứng dụng ký (unexpected error): {type(exc).__name__}")
        finally:
            client.close()
            self.config.finished(batch)

    def _prepare(self, batch: Batch, client: QueueClient) -> list[Prepared]:
        """Fetch every item's bytes BEFORE the PIN: what the terminal shows is what is signed."""
        pending = {e.id: e for e in client.queue()}
        todo: list[Prepared] = []
        for item in batch.items:
            entry = pending.get(item.id)
            if entry is None:
                with self._lock:
                    item.refuse("Không có trong hàng đợi chờ ký của bạn (not in your pending queue)")
                continue
            with self._lock:
                item.title, item.dossier, item.doc_type = entry.title, entry.dossier, entry.doc_type
                item.sha256, item.size = entry.sha256, entry.size
            try:
                data = client.fetch(entry)  # SHA-256 checked against the queue's
                pages = count_pages(data)
            except SohoaError as exc:
                with self._lock:
                    item.refuse(exc.message)
                continue
            with self._lock:
                item.pages = pages
            todo.append((item, entry, data))
        return todo

    def _sign(
        self, batch: Batch, client: QueueClient, todo: list[tuple[BatchItem, QueueEntry, bytes]]
    ) -> None:
        from pipeline.dossier.queue import sign_request_for
        from signing.pades import SigningContext, sign_bytes

        config = self.config
        ctx = SigningContext.from_settings(config.settings)  # a bad configuration costs no PIN entry
        self._set(batch, BatchState.AWAITING_PIN)
        config.announce(batch)

        def no_secret(prompt: str) -> str:
            raise SohoaError("Ứng dụng ký không có cách hỏi PIN (no PIN source)", exit_code=ExitCode.PIN)

        with open_signer(config.source, config.secret or no_secret) as signer:  # the ONE login
            self._set(batch, BatchState.SIGNING)
            ctx.check_signer(signer)
            for item, entry, data in todo:
                with self._lock:
                    item.state = ItemState.SIGNING
                try:
                    kind = sign_request_for(entry.title, entry.stamp, config.reason)
                    signed = sign_bytes(data, signer, kind, ctx, name=entry.title or f"#{entry.id}")
                    result = client.upload(entry, signed)  # the server verifies before accepting
                except SohoaError as exc:
                    if exc.exit_code in (ExitCode.PIN, ExitCode.TOKEN):
                        raise  # the token itself failed: stop the batch, never retry a PIN
                    with self._lock:
                        item.refuse(exc.message)
                    continue
                with self._lock:
                    item.state = ItemState.SIGNED
                    version = result.get("version_id")
                    item.version_id = int(version) if version is not None else None
        with self._lock:
            batch.state = BatchState.DONE

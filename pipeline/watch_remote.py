"""The hot folder of a commune PC: settled scans go to the province API, not to a local store.

Same life as the local hot folder (pipeline/watch.py: settle → claim into ``processing/`` →
``done/`` or ``failed/``, desk subfolders, one watcher per folder), but the work is an upload:
``POST /intake`` (multipart, one file per request, so one file's fate never waits on another's).
A file moves to ``done/`` only once the server has accepted it and, by default, once its job has
finished with the scan stored (or recognised as one the server already holds). The job id is
written beside the claimed file (``<name>.job.txt``) as soon as the server answers 202 and moves
with the file, so the clerk can follow it, and a restarted watcher polls that job rather than
uploading again.

An upload that the network or the server interrupts is retried with a bounded exponential
backoff; a file whose upload never got its answer is re-sent whole on the next try (the server
deduplicates by content hash, so nothing is stored twice). The server refusing the scan as bad
input (4xx, or a job that quarantined the file) sends it to ``failed/`` with the server's reason;
a refused API key stops the watcher at once with the files left where they are.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from config.errors import ExitCode, SohoaError
from pipeline.intake import FileOutcome, Status, utcnow
from pipeline.watch import RETRYABLE, HotFolder, _fsync_dir

log = logging.getLogger(__name__)

# Paths of the province API (v1; the unversioned aliases are deprecated).
API_PREFIX = "/api/v1"
INTAKE_PATH = API_PREFIX + "/intake"
JOB_PATH = API_PREFIX + "/jobs/{job_id}"
HEALTH_PATH = "/healthz"
API_KEY_ENV = "SOHOA_API_KEY"
JOB_SUFFIX = ".job.txt"
# 429 and 5xx say the server is busy or down, not that the scan is bad.
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class RemoteError(SohoaError):
    """The server refused this watcher itself (key, address): no file can get through."""

    exit_code = ExitCode.BAD_ARGS


class Unavailable(Exception):
    """The server did not answer usefully this time; try again later."""


class Rejected(Exception):
    """The server refused the scan as bad input: ``reason`` and the server's ``message``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Backoff:
    """Exponential waits between tries, capped; ``tries`` bounds one round (0 = until it works)."""

    first: float = 1.0
    cap: float = 30.0
    tries: int = 0

    def delays(self) -> Any:
        n = 0
        while self.tries == 0 or n < self.tries - 1:
            yield min(self.cap, self.first * (2**n))
            n += 1


class IntakeClient:
    """``POST /intake`` and ``GET /jobs/{id}`` of one province API, with one API key."""

    def __init__(
        self,
        server: str,
        api_key: str,
        *,
        agency: str | None = None,
        procedure: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        if not server.startswith(("http://", "https://")):
            raise RemoteError(f"Địa chỉ máy chủ phải bắt đầu bằng http:// hoặc https:// ({server})")
        self.server = server.rstrip("/")
        self.agency = agency
        self.procedure = procedure
        self._http = httpx.Client(
            base_url=self.server,
            headers={"X-API-Key": api_key, "User-Agent": "sohoa-watch"},
            timeout=httpx.Timeout(timeout, connect=10.0),
        )

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:  # refused, reset, timed out: the network or the server is away
            raise Unavailable(type(exc).__name__) from exc
        if response.status_code in (401, 403):
            raise RemoteError(
                f"Máy chủ từ chối khóa API ({response.status_code}: {_detail(response)}) "
                f"(the server refused the API key in {API_KEY_ENV})"
            )
        if response.status_code in RETRY_STATUS:
            raise Unavailable(f"HTTP {response.status_code}")
        return response

    def ready(self) -> bool:
        try:
            return self._http.get(HEALTH_PATH, timeout=5.0).status_code == 200
        except httpx.HTTPError:
            return False

    def upload(self, path: Path) -> str:
        """Send the whole file; the server's job id once it answered 202."""
        data = {k: v for k, v in (("agency", self.agency), ("procedure", self.procedure)) if v}
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with open(path, "rb") as fh:
            response = self._request("POST", INTAKE_PATH, files=[("files", (path.name, fh, mime))], data=data)
        if response.status_code == 202:
            job_id = response.json().get("job_id")
            if isinstance(job_id, str) and job_id:
                return job_id
            raise Unavailable("202 without a job id")
        if 400 <= response.status_code < 500:
            raise Rejected(f"http_{response.status_code}", _detail(response))
        raise Unavailable(f"HTTP {response.status_code}")

    def job(self, job_id: str) -> dict[str, Any]:
        response = self._request("GET", JOB_PATH.format(job_id=job_id))
        if response.status_code == 404:
            raise Rejected("job_unknown", _detail(response))  # e.g. another server's job id
        if response.status_code != 200:
            raise Unavailable(f"HTTP {response.status_code}")
        body = response.json()
        if not isinstance(body, dict):
            raise Unavailable("job is not an object")
        return body


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("message") or body.get("error")
        if detail:
            return str(detail)
    return str(body)[:300]


def api_key_from_env(env: dict[str, str] | None = None) -> str:
    key = (env if env is not None else os.environ).get(API_KEY_ENV, "").strip()
    if not key:
        raise RemoteError(
            f"Chưa đặt khóa API trong biến môi trường {API_KEY_ENV} "
            f"(set the API key in {API_KEY_ENV}; it is never given on the command line)"
        )
    return key


def job_file(target: Path) -> Path:
    return target.with_name(target.name + JOB_SUFFIX)


def read_job(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            out.setdefault(key.strip(), value.strip())
    return out


def write_job(path: Path, info: dict[str, str]) -> None:
    """The sidecar, written atomically (a crash leaves the old one or the new one)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("".join(f"{k}: {v}\n" for k, v in info.items()))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class RemoteHotFolder(HotFolder):
    """A hot folder whose scans are uploaded to the province API (see the module docstring)."""

    # A job that failed as a whole (the server's database or store, not the scan) is retried too.
    retryable = RETRYABLE | {"job_failed"}

    def __init__(
        self,
        root: Path,
        client: IntakeClient,
        *,
        settle_seconds: float = 2.0,
        max_attempts: int = 3,
        requeue_seconds: float = 60.0,
        backoff: Backoff | None = None,
        wait: bool = True,
        poll_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            root,
            _NoIntake(),  # type: ignore[arg-type]  # never used: every Intake call is overridden
            settle_seconds=settle_seconds,
            max_attempts=max_attempts,
            requeue_seconds=requeue_seconds,
        )
        self.client = client
        self.backoff = backoff or Backoff()
        self.wait = wait
        self.job_poll = poll_seconds
        self.sleep = sleep

    def spawn(self, path: Path) -> HotFolder:
        return RemoteHotFolder(
            path,
            self.client,
            settle_seconds=self.settle,
            max_attempts=self.max_attempts,
            requeue_seconds=self.requeue_seconds,
            backoff=self.backoff,
            wait=self.wait,
            poll_seconds=self.job_poll,
            sleep=self.sleep,
        )

    def ready(self) -> bool:
        return self.client.ready()

    def _recover(self) -> None:
        self._leftovers = False  # the server keeps its own house

    def _retrying(self, what: str, name: str, call: Callable[[], Any]) -> Any:
        """``call()`` until it works, waiting a bounded backoff after each Unavailable."""
        delays = self.backoff.delays()
        while True:
            try:
                return call()
            except Unavailable as exc:
                delay = next(delays, None)
                if delay is None:
                    raise
                log.warning("%s %s: %s, thử lại sau %.0f s (retry)", what, name, exc, delay)
                self.sleep(delay)

    def process_claimed(
        self, claimed: Path, on_file: Callable[[FileOutcome], None] | None
    ) -> FileOutcome | None:
        sidecar = job_file(claimed)
        sha256 = _sha256(claimed)
        info = read_job(sidecar) if sidecar.is_file() else {}
        if info.get("sha256") != sha256:
            info = {}  # a leftover of another file of the same name: this one was never sent
        try:
            if "job_id" not in info:
                job_id = self._retrying("tải lên", claimed.name, lambda: self.client.upload(claimed))
                info = {
                    "job_id": job_id,
                    "server": self.client.server,
                    "status_url": self.client.server + JOB_PATH.format(job_id=job_id),
                    "file": claimed.name,
                    "sha256": sha256,
                    "sent_at": utcnow().isoformat(timespec="seconds"),
                }
                write_job(sidecar, info)
            outcome = self._outcome(claimed, sha256, info)
        except Unavailable as exc:
            log.warning("%s chờ máy chủ (waits for the server): %s", claimed.name, exc)
            return None  # stays in processing/: resumed on the next run or the next pass
        except Rejected as exc:
            outcome = FileOutcome(
                claimed, Status.FAILED, sha256=sha256, reason=exc.reason, message=exc.message
            )
        if outcome is None:
            return None
        if "job_id" in info:
            info["status"] = outcome.status.value
            write_job(sidecar, info)
        target = self.finish(claimed, outcome)
        if sidecar.is_file():
            os.rename(sidecar, job_file(target))
            _fsync_dir(target.parent)
        if outcome.status == Status.FAILED and "job_id" in info:
            log.info("%s: job %s", target.name, info["job_id"])
        if on_file:
            on_file(outcome)
        return outcome

    def _outcome(self, claimed: Path, sha256: str, info: dict[str, str]) -> FileOutcome | None:
        """The file's fate from its job (polled to the end), or accepted as soon as queued."""
        if not self.wait:
            return FileOutcome(claimed, Status.INGESTED, sha256=sha256, message=f"job {info['job_id']}")
        job_id = info["job_id"]
        while True:
            job = self._retrying("theo dõi", claimed.name, lambda: self.client.job(job_id))
            status = job.get("status")
            if status == "done":
                return _file_outcome(claimed, sha256, job)
            if status == "failed":
                raise Rejected("job_failed", str(job.get("error") or "job failed"))
            self.sleep(self.job_poll)


def _file_outcome(claimed: Path, sha256: str, job: dict[str, Any]) -> FileOutcome:
    result = job.get("result") or {}
    files = result.get("files") or []
    mine = next((f for f in files if isinstance(f, dict)), {})
    status = mine.get("status")
    message = mine.get("message") or (f"hồ sơ {result.get('dossier')}" if result.get("dossier") else None)
    if status == Status.FAILED.value:
        return FileOutcome(
            claimed, Status.FAILED, sha256=sha256, reason=mine.get("reason") or "quarantined", message=message
        )
    kind = Status.DUPLICATE if status == Status.DUPLICATE.value else Status.INGESTED
    return FileOutcome(
        claimed,
        kind,
        sha256=sha256,
        pages=int(mine.get("pages") or 0),
        doc_types=list(mine.get("doc_types") or []),
        document_ids=list(mine.get("document_ids") or []),
        message=message,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _NoIntake:
    """Stands in for the local Intake, which a remote watcher never opens."""

    def services_ready(self) -> bool:  # pragma: no cover - RemoteHotFolder.ready overrides
        return False


def open_remote(
    root: Path,
    server: str,
    *,
    env: dict[str, str] | None = None,
    agency: str | None = None,
    procedure: str | None = None,
    **kwargs: Any,
) -> RemoteHotFolder:
    """The remote hot folder for ``sohoa watch DIR --server URL``, the key from the environment."""
    client = IntakeClient(server, api_key_from_env(env), agency=agency, procedure=procedure)
    return RemoteHotFolder(root, client, **kwargs)

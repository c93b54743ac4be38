"""A distributed sohoa on this machine: a RabbitMQ vhost, PostgreSQL, moto S3, an API and workers.

Each ``sohoa worker`` is a separate process group with its own data directory (nothing shared
but the broker, the database and the store); ``kill`` SIGKILLs the whole group, as a host or
container dying would. Needs nothing from pytest, so the benchmarks use it too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pikepdf
from sqlalchemy import Engine, create_engine, select, text

from config.settings import Settings, load_settings
from storage.db.api_models import Job
from storage.db.engine import make_engine, run_in_transaction
from storage.db.queue_models import JobFile, PageResult

SOHOA = str(Path(sys.executable).with_name("sohoa"))
REPO = Path(__file__).resolve().parents[2]
SCANS = REPO / "tests" / "data" / "scans"
PG_HOST = os.environ.get("SOHOA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
AMQP = os.environ.get("SOHOA_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672")
DOSSIER_PARTS = (  # 11 pages: several documents, clean and degraded
    "degraded_multi_document.pdf",
    "clean_cccd_2021_card.pdf",
    "clean_land_use_certificate.pdf",
    "clean_birth_certificate.pdf",
    "clean_other_300dpi.pdf",
    "hard_business_registration.pdf",
)
AGENCY = "000.00.31.H12"


def make_dossier_pdf(dest: Path, parts: tuple[str, ...] = DOSSIER_PARTS) -> Path:
    """One PDF of the committed scans' pages, in order (a clerk scanning a dossier in one go)."""
    out = pikepdf.new()
    sources = [pikepdf.open(SCANS / name) for name in parts]
    for src in sources:
        out.pages.extend(src.pages)
    out.save(dest)
    for src in sources:
        src.close()
    return dest


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@contextlib.contextmanager
def rabbit_vhost() -> Iterator[str]:
    """A fresh vhost on the system RabbitMQ, so concurrent runs never see each other's queues."""
    name = f"sohoa-test-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"{AMQP}/{name}"
    finally:
        with contextlib.suppress(Exception):
            rabbitmqctl("delete_vhost", name)


@contextlib.contextmanager
def pg_database() -> Iterator[str]:
    """A scratch PostgreSQL database (dropped at the end), its URL."""
    name = f"sohoa_q_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{PG_HOST}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_HOST}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Worker:
    name: str
    data: Path
    proc: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once (no warm shutdown, no ack)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Cluster:
    """Environment shared by the API and the workers; each process gets its own data dir."""

    root: Path
    broker_url: str
    database_url: str
    storage: dict[str, str]
    prefix: str = field(default_factory=lambda: "q" + uuid.uuid4().hex[:8])
    workers: list[Worker] = field(default_factory=list)
    api: Any = None

    def env(self, data: Path, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "SOHOA_DATA_DIR": str(data),
            "SOHOA_DATABASE__URL": self.database_url,
            "SOHOA_QUEUE__BROKER_URL": self.broker_url,
            "SOHOA_QUEUE__PREFIX": self.prefix,
            "SOHOA_QUEUE__MAX_RETRIES": "12",
            "SOHOA_QUEUE__RETRY_BACKOFF_MAX": "4",
            "SOHOA_OCR__JOBS": "1",
        }
        env |= {f"SOHOA_STORAGE__{k.upper()}": v for k, v in self.storage.items()}
        env |= extra
        return env

    def settings(self, data: Path | None = None) -> Settings:
        return load_settings(
            data_dir=data or self.root / "test-data",
            database={"url": self.database_url},
            storage=self.storage,
            queue={"broker_url": self.broker_url, "prefix": self.prefix},
        )

    def start_worker(
        self, name: str, *, prefix_cmd: tuple[str, ...] = (), concurrency: int = 1, **env: str
    ) -> Worker:
        data = self.root / f"worker-{name}"
        data.mkdir(parents=True, exist_ok=True)
        log = self.root / f"worker-{name}.log"
        with open(log, "ab") as fh:
            proc = subprocess.Popen(
                [
                    *prefix_cmd,
                    SOHOA,
                    "worker",
                    "--concurrency",
                    str(concurrency),
                    "--name",
                    f"{name}@{self.prefix}",
                    "--log-level",
                    "info",
                ],
                env=self.env(data, **env),
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(name, data, proc, log)
        self.workers.append(worker)
        return worker

    def start_api(self) -> Any:
        from tests.live_server import ServeProcess

        data = self.root / "api"
        data.mkdir(parents=True, exist_ok=True)
        self.api = ServeProcess(self.env(data), self.root / "api.log", cwd=self.root)
        return self.api

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        if self.api is not None:
            self.api.stop()

    # -- looking at the record ---------------------------------------------------------------

    def engine(self) -> Engine:
        return make_engine(Settings(), url=self.database_url)

    def clerk(self, engine: Engine) -> dict[str, str]:
        from pipeline.accounts import create_user, get_user, issue_token

        def work(session: Any) -> str:
            create_user(
                session, "clerk", "mat-khau-thu-nghiem", roles=["clerk"], agencies=[AGENCY], actor="test"
            )
            return issue_token(session, get_user(session, "clerk")).token

        return {"Authorization": f"Bearer {run_in_transaction(engine, work)}"}

    def upload(self, headers: dict[str, str], *paths: Path) -> str:
        files = [("files", (p.name, p.read_bytes(), "application/pdf")) for p in paths]
        response = httpx.post(
            f"{self.api.url}/intake", files=files, data={"agency": AGENCY}, headers=headers, timeout=120
        )
        assert response.status_code == 202, response.text
        return str(response.json()["job_id"])

    def wait_job(self, headers: dict[str, str], job_id: str, timeout: float = 480) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        job: dict[str, Any] = {}
        # one client: a new one per poll builds an SSL context (~20 ms of CPU), which the
        # benchmarks would count against the workers sharing these cores
        with httpx.Client(headers=headers, timeout=30) as client:
            while time.monotonic() < deadline:
                job = client.get(f"{self.api.url}/jobs/{job_id}").json()
                if job.get("status") in ("done", "failed"):
                    return job
                time.sleep(0.5)
        raise AssertionError(f"job not finished in {timeout:.0f} s: {job}")

    def log_tail(self) -> str:
        parts = []
        for worker in self.workers:
            parts.append(f"--- {worker.name}\n" + worker.log.read_text(errors="replace")[-3000:])
        return "\n".join(parts)


def page_rows(engine: Engine, sha256: str) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [
            (int(n), str(w))
            for n, w in conn.execute(
                select(PageResult.page_number, PageResult.worker)
                .where(PageResult.sha256 == sha256)
                .order_by(PageResult.page_number)
            )
        ]


def job_files(engine: Engine, job_id: str) -> list[JobFile]:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return list(session.scalars(select(JobFile).where(JobFile.job_id == job_id)))


def job_row(engine: Engine, job_id: str) -> Job | None:
    from sqlalchemy.orm import Session

    with Session(engine, expire_on_commit=False) as session:
        return session.get(Job, job_id)

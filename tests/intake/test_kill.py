"""SIGKILL intake at random moments, many times, over a batch; then let it finish.

At the end every file is in done/ (ingested exactly once: one scan row per distinct content) or
in failed/ with a reason; no orphan objects, no pending intents, no row pointing to a missing
object. The counts are printed (run with ``-s`` to see them).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from storage.db.engine import read_session, run_in_transaction
from storage.db.models import Document, PendingObject, Scan, utcnow
from storage.objects.factory import open_object_store
from tests.db.fixtures import Database
from tests.intake.helpers import build_settings, consistency

KILLS = 12
GOOD_FILES = 8


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _env(settings_dir: Path, db: Database, store_backend: str, endpoint: str | None) -> dict[str, str]:
    settings = build_settings(db, settings_dir, store_backend, endpoint)
    env = dict(os.environ)
    env.update(
        {
            "SOHOA_DATA_DIR": str(settings.data_dir),
            "SOHOA_DATABASE__URL": db.url,
            "SOHOA_OCR__JOBS": "1",
            "SOHOA_STORAGE__BACKEND": settings.storage.backend,
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        }
    )
    if store_backend == "minio":
        env.update(
            {
                "SOHOA_STORAGE__ENDPOINT": settings.storage.endpoint,
                "SOHOA_STORAGE__ACCESS_KEY": settings.storage.access_key,
                "SOHOA_STORAGE__SECRET_KEY": settings.storage.secret_key.get_secret_value(),
                "SOHOA_STORAGE__BUCKET_PREFIX": settings.storage.bucket_prefix,
            }
        )
    return env


def _watch(inbox: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli.main", "watch", str(inbox), "--once", "--settle", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: SIGKILL reaches OCR workers too
    )


@pytest.mark.slow
@pytest.mark.parametrize("store_backend", ["directory", "minio"])
def test_sigkill_at_random_points(db: Database, store_backend: str, tmp_path: Path, request) -> None:
    from tests.datagen.generate import generate_set

    if (db.backend == "sqlite") != (store_backend == "directory"):
        # Two of the four pairs keep CI's time in bounds and still crash both databases and both
        # stores: the embedded default (SQLite + directory) and production (PostgreSQL + MinIO).
        pytest.skip("the embedded and the production pairs are the ones killed")
    endpoint = request.getfixturevalue("moto_endpoint") if store_backend == "minio" else None
    inbox = tmp_path / "scanner"
    generated = generate_set(tmp_path / "gen", GOOD_FILES, "kill-test", "clean")
    inbox.mkdir()
    for i, path in enumerate(generated):
        os.link(path, inbox / f"{i:02d}_{path.name}")
    # A second copy of the same scan under another name, and two files that must fail.
    os.link(generated[0], inbox / f"99_copy{generated[0].suffix}")
    (inbox / "50_truncated.pdf").write_bytes(
        generated[0].read_bytes()[:2000] if generated[0].suffix == ".pdf" else b"%PDF-1.7\n1 0 obj\n"
    )
    (inbox / "51_empty.png").write_bytes(b"")
    names = sorted(p.name for p in inbox.iterdir())
    shas = {name: _sha(inbox / name) for name in names}

    env = _env(tmp_path / "data", db, store_backend, endpoint)
    rng = random.Random(20261121)
    kills = 0
    for _ in range(KILLS):
        proc = _watch(inbox, env)
        time.sleep(rng.uniform(0.5, 9.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    final = _watch(inbox, env)
    _, stderr = final.communicate(timeout=900)
    assert final.returncode in (0, 12), stderr.decode(errors="replace")
    # A kill while objects were being stored leaves intent rows whose lease (minutes) outlives this
    # test: let it run out, as it would by the next morning, and one more pass must clean up.
    with read_session(db.engine) as session:
        left = session.scalar(select(func.count()).select_from(PendingObject)) or 0
    run_in_transaction(
        db.engine,
        lambda s: s.execute(update(PendingObject).values(lease_until=utcnow() - timedelta(seconds=1))),
    )
    sweep = _watch(inbox, env)
    _, stderr = sweep.communicate(timeout=300)
    assert sweep.returncode == 0, stderr.decode(errors="replace")

    done = sorted(p.name for p in (inbox / "done").iterdir())
    failed = sorted(p.name for p in (inbox / "failed").iterdir() if not p.name.endswith(".reason.txt"))
    reasons = sorted(p.name for p in (inbox / "failed").iterdir() if p.name.endswith(".reason.txt"))
    leftover = sorted(p.name for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))
    assert leftover == [] and list((inbox / "processing").iterdir()) == []
    assert sorted(done + failed) == names, "every file ends in done/ or failed/, none lost"
    assert reasons == sorted(f + ".reason.txt" for f in failed)
    assert {"50_truncated.pdf", "51_empty.png"} <= set(failed)

    with read_session(db.engine) as session:
        recorded = set(session.scalars(select(Scan.sha256)))
        documents = session.scalar(select(func.count()).select_from(Document))
    assert recorded == {shas[n] for n in done}, "exactly the done files are recorded"
    assert not recorded & {shas[n] for n in failed}
    settings = build_settings(db, tmp_path / "data", store_backend, endpoint)
    settings.storage.bucket_prefix = env.get("SOHOA_STORAGE__BUCKET_PREFIX", settings.storage.bucket_prefix)
    counts = consistency(db, open_object_store(settings))
    print(
        f"\n[{db.backend}/{store_backend}] kills {kills}, files {len(names)}: done {len(done)} "
        f"({len(recorded)} distinct scans, {documents} documents), failed {len(failed)}; "
        f"objects: {counts['originals']} originals, {counts['digitised']} searchable PDFs; "
        f"intents left by kills {left}; orphans 0, pending intents 0 after their lease"
    )

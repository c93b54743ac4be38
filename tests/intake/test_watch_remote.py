"""``sohoa watch DIR --server URL``: a commune PC's hot folder uploading to a live ``sohoa serve``.

Real parts only: the server is a ``sohoa serve`` subprocess with its in-process worker, the key
comes from ``sohoa admin add-key``, the watcher is the ``sohoa`` console script.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from pipeline.intake import read_reason
from pipeline.watch_remote import API_KEY_ENV, JOB_SUFFIX, read_job
from tests.api.live import env_for
from tests.live_server import SOHOA, ServeProcess

AGENCY = "000.00.31.H12"


def _sohoa(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOHOA, *args], env=env, capture_output=True, text=True, timeout=timeout)


def _server_and_key(tmp_path: Path) -> tuple[dict[str, str], ServeProcess, str]:
    env = env_for(tmp_path / "server")
    serve = ServeProcess(env, tmp_path / "serve.log", worker=True, cwd=tmp_path)
    made = _sohoa(env, "admin", "add-key", "xa-tan-phu", "--scope", "intake", "--agency", AGENCY)
    assert made.returncode == 0, made.stderr
    return env, serve, made.stdout.strip()


def _client_env(tmp_path: Path, key: str) -> dict[str, str]:
    # The commune PC has no database or store of its own: a data dir that must stay empty.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    return env | {"SOHOA_DATA_DIR": str(tmp_path / "pc"), API_KEY_ENV: key}


def _scans_in(folder: Path) -> set[str]:
    """Scan files (any suffix), not the watcher's sidecars."""
    return {p.name for p in folder.glob("*") if p.is_file() and not p.name.endswith((".txt", ".lock"))}


def _scans_held(server_data: Path) -> list[str]:
    with sqlite3.connect(server_data / "sohoa.db") as conn:
        return [row[0] for row in conn.execute("SELECT sha256 FROM scans")]


def test_bad_scan_fails_with_the_servers_reason_and_a_refused_key_moves_nothing(tmp_path: Path) -> None:
    _env, serve, key = _server_and_key(tmp_path)
    try:
        inbox = tmp_path / "hot"
        desk = inbox / "desk1"
        desk.mkdir(parents=True)
        (desk / "broken.pdf").write_bytes(b"%PDF-1.7\ntruncated")

        # A wrong key: a clear error, and the scan is still where the scanner put it.
        wrong = _sohoa(_client_env(tmp_path, "sohoa_wrong"), "watch", str(inbox), "--server", serve.url,
                       "--once", "--settle", "0.2")
        assert wrong.returncode != 0 and "SOHOA_API_KEY" in wrong.stderr, wrong.stderr
        assert "Traceback" not in wrong.stderr
        leftovers = list(desk.glob("*.pdf")) + list((desk / "processing").glob("*.pdf"))
        assert [p.name for p in leftovers] == ["broken.pdf"]

        ran = _sohoa(_client_env(tmp_path, key), "watch", str(inbox), "--server", serve.url,
                     "--agency", AGENCY, "--once", "--settle", "0.2")
        assert ran.returncode != 0, ran.stderr  # a partial batch says so
        failed = desk / "failed" / "broken.pdf"
        assert failed.is_file() and not (desk / "done" / "broken.pdf").exists()
        reason = read_reason(failed.with_name("broken.pdf.reason.txt"))
        assert reason["reason"] not in ("", "unknown") and reason["message"], reason
        job = read_job(failed.with_name("broken.pdf" + JOB_SUFFIX))
        assert len(job["job_id"]) == 32 and job["status"] == "failed"
        assert not list((desk / "processing").iterdir())
        assert _scans_held(tmp_path / "server") == []
    finally:
        serve.stop()
    assert not (tmp_path / "pc").exists()  # nothing stored on the commune PC


@pytest.mark.slow
def test_server_going_away_mid_batch_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    from tests.datagen.generate import generate_set

    scans = generate_set(tmp_path / "gen", 4, "watch-remote", "clean", ["cccd"])
    env, serve, key = _server_and_key(tmp_path)
    inbox = tmp_path / "hot"
    desk = inbox / "desk1"
    desk.mkdir(parents=True)
    for scan in scans:
        (desk / scan.name).write_bytes(scan.read_bytes())
    (inbox / "root.pdf").write_bytes(scans[0].read_bytes())  # same content again, another desk
    log = open(tmp_path / "watch.log", "wb")  # noqa: SIM115
    watcher = subprocess.Popen(
        [SOHOA, "watch", str(inbox), "--server", serve.url, "--agency", AGENCY, "--settle", "0.3",
         "--poll", "0.3", "--retry-max", "1"],
        env=_client_env(tmp_path, key), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240
        while not _scans_in(desk / "done") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _scans_in(desk / "done"), (tmp_path / "watch.log").read_text()
        port = serve.port
        serve.stop()  # the API goes away mid-batch
        time.sleep(3)
        assert watcher.poll() is None  # the watcher waits, it does not give up
        serve = ServeProcess(env, tmp_path / "serve2.log", worker=True, cwd=tmp_path, port=port)
        names = {s.name for s in scans}
        while time.monotonic() < deadline:
            if _scans_in(desk / "done") == names and (inbox / "done" / "root.pdf").is_file():
                break
            time.sleep(0.5)
        watch_log = (tmp_path / "watch.log").read_text(errors="replace")
        assert _scans_in(desk / "done") == names, watch_log
        assert "thử lại" in watch_log  # it did meet the outage (retried), not finish before it
        assert (inbox / "done" / "root.pdf").is_file(), watch_log
        assert not _scans_in(desk / "failed") and not list((desk / "processing").iterdir())
        assert _scans_in(desk) == set() and _scans_in(inbox) == set()
        statuses = {}
        for sidecar in [*(desk / "done").glob("*" + JOB_SUFFIX), inbox / "done" / ("root.pdf" + JOB_SUFFIX)]:
            job = read_job(sidecar)
            assert len(job["job_id"]) == 32
            statuses[job["file"]] = job["status"]
        # The same content twice (root.pdf and the first desk scan): stored once, the other a duplicate.
        assert sorted(statuses.values()) == ["duplicate"] + ["ingested"] * len(scans)
        assert "duplicate" in (statuses["root.pdf"], statuses[scans[0].name])
        # The server holds every scan once (the repeat was recognised, not stored again).
        held = _scans_held(tmp_path / "server")
        assert len(held) == len(set(held)) == len(scans)
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
        log.close()
        serve.stop()

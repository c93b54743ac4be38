"""WAL checkpoints of the embedded SQLite run in a thread of the server, not in a committing request.

Issue 13: a request whose commit took the log past 1000 pages checkpointed it before answering
(the receipt benchmark's p99). The request connections now never checkpoint; the thread does,
and the log file stays bounded however much is written. PostgreSQL is left as it was.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from config.settings import Settings, load_settings
from pipeline.api.app import create_app
from storage.db.engine import make_engine, run_in_transaction
from storage.db.wal import WalCheckpointer, start_wal_checkpointer
from tests.db.fixtures import Database

ROW = 16 * 1024  # four pages a row, one row a transaction


def _autocheckpoint(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_checkpoints_leave_the_request_path_and_bound_the_log(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    engine = make_engine(Settings(), url=f"sqlite:///{path}")
    run_in_transaction(engine, lambda s: s.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")))
    assert _autocheckpoint(engine) == 1000  # SQLite's own, before
    bound = 2 * 1024 * 1024
    checkpointer = start_wal_checkpointer(engine, max_bytes=bound, interval=0.02)
    assert isinstance(checkpointer, WalCheckpointer)
    wal = Path(f"{path}-wal")
    largest = 0
    try:
        assert _autocheckpoint(engine) == 0  # a commit never checkpoints now
        for i in range(2000):  # 32 MiB through the log, sixteen times the bound
            run_in_transaction(
                engine,
                lambda s, i=i: s.execute(
                    text("INSERT INTO t (id, b) VALUES (:i, randomblob(:n))"), {"i": i, "n": ROW}
                ),
            )
            largest = max(largest, wal.stat().st_size)
    finally:
        checkpointer.stop()
    stats = checkpointer.stats
    assert stats.passive + stats.truncate > 0, stats
    # Without the thread this log would hold all 32 MiB; the slack is for a shared, loaded machine
    # (the thread checks the size every interval, the writes go on meanwhile).
    assert largest <= 4 * bound, (largest, stats)
    assert _autocheckpoint(engine) == 1000  # stopped: SQLite's own again
    # Everything written is in the database file: a reader without the log sees every row.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 2000
    engine.dispose()


def test_the_server_checkpoints_sqlite_and_leaves_postgresql_alone(db: Database, tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path / "data", database={"url": db.url}, storage={"backend": "directory"}
    )
    app = create_app(settings, engine=db.engine, start_worker=False)
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        assert client.get("/healthz").status_code == 200
        checkpointer = app.state.wal_checkpointer
        if db.backend == "sqlite":
            assert isinstance(checkpointer, WalCheckpointer)
            assert _autocheckpoint(db.engine) == 0
        else:
            assert checkpointer is None
            assert start_wal_checkpointer(db.engine) is None
            assert not db.engine.dialect.name.startswith("sqlite")
    if db.backend == "sqlite":
        assert _autocheckpoint(db.engine) == 1000

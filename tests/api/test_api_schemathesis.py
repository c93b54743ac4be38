"""Schemathesis against ``/openapi.json`` of a live server: no request may cause a server error."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config.settings import load_settings
from pipeline.api.app import create_app
from storage.db.engine import make_engine
from tests.api.conftest import AGENCY_A, Api
from tests.api.live import LiveServer, env_for
from tests.db.fixtures import Database

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.slow
def test_no_server_error(db: Database, tmp_path: Path) -> None:
    if not SCHEMATHESIS.exists() and shutil.which("schemathesis") is None:
        pytest.skip("schemathesis is not installed (pip install -e .[dev])")
    data = tmp_path / "data"
    settings = load_settings(data_dir=data, database={"url": db.url})
    engine = make_engine(settings, url=db.url)
    app = create_app(settings, engine=engine, start_worker=False)
    with TestClient(app) as client:
        api = Api(client=client, ctx=app.state.ctx, settings=settings, db=db, tmp=tmp_path)
        admin = api.user("admin", ["administrator"], ["*"])
        api.document(api.unique_pdf())
        api.document(api.unique_pdf(), agency=AGENCY_A, doc_type="cccd")
    server = LiveServer(data, env_for(data, SOHOA_DATABASE__URL=db.url), tmp_path / "server.log")
    try:
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                "not_a_server_error",
                "--header",
                f"Authorization: {admin['Authorization']}",
                "--max-examples",
                "25",
                "--workers",
                "1",
                "--request-timeout",
                "30",
                "--generation-deterministic",
                "--max-failures",
                "5",
                "--exclude-path",
                "/api/v1/auth/logout",
            ],
            capture_output=True,
            text=True,
            timeout=1200,
            cwd=tmp_path,
        )
    finally:
        log = server.stop()
    (tmp_path / "schemathesis.txt").write_text(run.stdout + run.stderr)
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert re.search(r"sohoa\.api\.access: [A-Z]+ \S+ 5\d\d ", log) is None, log[-3000:]
    assert log.count("staff:admin") > 200  # the generated requests were authenticated
    engine.dispose()

"""``sohoa admin``: keys and accounts made on the command line work against the API."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient

from config.errors import ExitCode
from config.settings import load_settings
from pipeline.api.app import create_app
from tests.api.live import SOHOA
from tests.signing.conftest import PkiFixture


def sohoa(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOHOA, *args], env=env, capture_output=True, text=True, timeout=120)


def test_admin_commands(tmp_path: Path, pki: PkiFixture) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "SOHOA_DATA_DIR": str(data), "ADMIN_PW": "mat-khau-quan-tri"}
    # Accounts live in the server's database, which only ``sohoa db upgrade`` migrates.
    early = sohoa(env, "admin", "add-key", "dvc-tinh", "--scope", "lookup", "--agency", "000.00.31.H12")
    assert early.returncode == int(ExitCode.DATABASE) and "sohoa db upgrade" in early.stderr, early.stderr
    assert "Traceback" not in early.stderr and len(early.stderr.strip().splitlines()) == 1
    upgraded = sohoa(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    key = sohoa(env, "admin", "add-key", "dvc-tinh", "--scope", "lookup", "--agency", "000.00.31.H12")
    assert key.returncode == 0, key.stderr
    raw_key = key.stdout.strip()
    assert raw_key.startswith("sohoa_")
    user = sohoa(
        env,
        "admin",
        "add-user",
        "an.nv",
        "--role",
        "official",
        "--agency",
        "000.00.31.H12",
        "--full-name",
        "Nguyễn Văn An",
        "--cert",
        str(pki.pki.official_rsa.cert),
        "--password-env",
        "ADMIN_PW",
    )
    assert user.returncode == 0, user.stderr
    assert "mat-khau-quan-tri" not in user.stdout + user.stderr
    token = sohoa(env, "admin", "issue-token", "an.nv", "--hours", "1")
    assert token.returncode == 0, token.stderr
    # Bad input: one clear line, no traceback.
    bad = sohoa(env, "admin", "add-key", "x", "--scope", "everything", "--agency", "*")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    dup = sohoa(env, "admin", "add-key", "dvc-tinh", "--scope", "lookup", "--agency", "*")
    assert dup.returncode == 2 and "đã tồn tại" in dup.stderr
    revoke = sohoa(env, "admin", "revoke-key", "dvc-tinh")
    assert revoke.returncode == 0

    app = create_app(load_settings(data_dir=data), start_worker=False)
    with TestClient(app) as client:
        me = client.get("/auth/me", headers={"Authorization": f"Bearer {token.stdout.strip()}"}).json()
        assert me["name"] == "an.nv" and me["roles"] == ["official"]
        assert client.get("/auth/me", headers={"X-API-Key": raw_key}).status_code == 401  # revoked
        login = client.post("/auth/login", json={"username": "an.nv", "password": "mat-khau-quan-tri"})
        assert login.status_code == 200

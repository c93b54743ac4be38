"""The production compose file is valid and creates what the MinIO backend expects."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"

pytestmark = pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")


def compose_config(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MINIO_", "SOHOA_", "POSTGRES_"))}
    return subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config"],
        cwd=REPO,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_config_is_valid() -> None:
    result = compose_config(
        MINIO_ROOT_PASSWORD="a-long-test-secret",
        SOHOA_MINIO_PASSWORD="an-app-test-secret",
        SOHOA_BUCKET_PREFIX="ubnd",
        POSTGRES_PASSWORD="pg-test-secret",
        SOHOA_ORGANISATION="UBND xã Thử Nghiệm",
        RABBITMQ_PASSWORD="rabbit-test-secret",
        FLOWER_PASSWORD="flower-test-secret",
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    minio = config["services"]["minio"]
    assert minio["image"].startswith("minio/minio")
    assert "healthcheck" in minio
    assert "minio-data" in config["volumes"]
    assert any(str(v).startswith("minio-data:/data") for v in minio["volumes"])
    ports = [str(p) for p in minio["ports"]]
    assert any("9001" in p for p in ports), "console port"
    init = config["services"]["minio-init"]
    assert init["image"].startswith("minio/mc")
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    assert init["environment"]["PREFIX"] == "ubnd"
    script = "\n".join(init["command"])
    for bucket in ("originals", "digitised", "signed"):
        assert f"-{bucket}" in script
    assert '--with-lock "store/$${PREFIX}-signed"' in script
    assert "mc version enable" in script


def test_compose_requires_a_password() -> None:
    result = compose_config(POSTGRES_PASSWORD="pg-test-secret", SOHOA_ORGANISATION="UBND xã Thử Nghiệm")
    assert result.returncode != 0
    assert "MINIO_ROOT_PASSWORD" in result.stderr

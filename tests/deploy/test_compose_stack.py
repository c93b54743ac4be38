"""The province stack: PostgreSQL, the API and intake workers wired to MinIO through SOHOA_ settings.

Only the file is checked here (Debian's docker-compose 1.29 validates it without an engine); the
stack itself is not run on these machines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SECRETS = {
    "MINIO_ROOT_PASSWORD": "minio-test-secret",
    "SOHOA_MINIO_PASSWORD": "minio-app-secret",
    "POSTGRES_PASSWORD": "pg-test-secret",
    "SOHOA_ORGANISATION": "UBND xã Thử Nghiệm",
    "RABBITMQ_PASSWORD": "rabbit-test-secret",
    "FLOWER_PASSWORD": "flower-test-secret",
}

pytestmark = pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")


def config(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MINIO_", "SOHOA_", "POSTGRES_", "RABBITMQ_"))
    }
    return subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=REPO,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def stack() -> dict[str, Any]:
    result = config(**SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_every_service_has_a_health_check(stack: dict[str, Any]) -> None:
    services = stack["services"]
    assert {"minio", "minio-init", "postgres", "api", "intake"} <= set(services)
    for name in ("minio", "postgres", "api", "intake"):
        assert "healthcheck" in services[name], name
    assert {"minio-data", "postgres-data", "sohoa-work"} <= set(stack["volumes"])


def test_api_waits_for_its_dependencies(stack: dict[str, Any]) -> None:
    api = stack["services"]["api"]
    assert api["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert api["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"
    assert api["command"][:2] == ["sohoa", "serve"]
    # serve refuses a stale schema: the one-shot migrate service upgrades it first.
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert stack["services"]["migrate"]["command"] == ["sohoa", "db", "upgrade"]
    assert "/healthz" in " ".join(api["healthcheck"]["test"])
    assert stack["services"]["intake"]["command"] == ["sohoa", "watch", "/scans"]


def test_sohoa_environment_is_valid_settings(stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """What compose passes is what config/settings.py reads: a renamed setting fails here."""
    env = stack["services"]["api"]["environment"]
    assert env == stack["services"]["intake"]["environment"]
    for key in list(os.environ):
        if key.startswith("SOHOA_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    settings = Settings()
    assert settings.storage.backend == "minio"
    assert settings.storage.endpoint == "minio:9000"
    # the application's own MinIO account, never the root one
    assert settings.storage.secret_key.get_secret_value() == SECRETS["SOHOA_MINIO_PASSWORD"]
    assert settings.database_url.startswith("postgresql+psycopg://sohoa:pg-test-secret@postgres:5432/")
    assert settings.signing.organisation == SECRETS["SOHOA_ORGANISATION"]
    assert settings.signing.trust_roots == [Path("/etc/sohoa/trust/root-ca.pem")]
    assert settings.queue.broker_url == "amqp://sohoa:rabbit-test-secret@rabbitmq:5672/sohoa"


def test_workers_scale_and_share_no_volume_with_the_api(stack: dict[str, Any]) -> None:
    services = stack["services"]
    assert services["rabbitmq"]["image"].split(":")[1][0].isdigit()  # a pinned version
    worker = services["worker"]
    assert worker["command"][:2] == ["sohoa", "worker"]
    assert worker["deploy"]["replicas"] >= 2
    assert worker["environment"] == services["api"]["environment"]

    def named(service: dict[str, Any]) -> set[str]:
        return {
            str(v).split(":")[0] if isinstance(v, str) else v.get("source", "")
            for v in service.get("volumes", [])
        }

    assert not named(worker) & named(services["api"])
    assert not named(services["intake"]) & named(services["api"])


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_secrets_are_required(missing: str) -> None:
    result = config(**{k: v for k, v in SECRETS.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr


def test_dockerfile_installs_the_runtime_packages() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    for package in ("tesseract-ocr-vie", "poppler-utils", "fonts-dejavu-core"):
        assert package in dockerfile
    assert "pip install" in dockerfile and "HEALTHCHECK" not in dockerfile  # compose owns checks

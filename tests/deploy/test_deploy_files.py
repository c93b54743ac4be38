"""Deployment files: pinned images and dependencies, the MinIO application user, TLS, .env.example."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
REQUIRED = {"MINIO_ROOT_PASSWORD": "root-test-secret", "SOHOA_MINIO_PASSWORD": "app-test-secret",
            "POSTGRES_PASSWORD": "pg-test-secret", "SOHOA_ORGANISATION": "UBND xã Thử Nghiệm",
            "RABBITMQ_PASSWORD": "rabbit-test-secret", "FLOWER_PASSWORD": "flower-test-secret"}
needs_compose = pytest.mark.skipif(shutil.which("docker-compose") is None, reason="no docker-compose")


def _config(env_file: bool, **env: str) -> subprocess.CompletedProcess[str]:
    ours = ("MINIO_", "SOHOA_", "POSTGRES_", "RABBITMQ_", "FLOWER_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    extra = ["--env-file", ".env.example"] if env_file else []
    return subprocess.run(["docker-compose", *extra, "-f", "docker-compose.yml", "config"], cwd=REPO,
                          env=clean | env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def stack() -> dict[str, Any]:
    res = _config(True, **REQUIRED)
    assert res.returncode == 0, res.stderr
    return yaml.safe_load(res.stdout)


@needs_compose
def test_env_example_names_every_required_variable() -> None:
    compose = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{([A-Z_]+):\?", compose))
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    assigned = set(re.findall(r"^([A-Z_]+)=", example, flags=re.M))
    used = set(re.findall(r"\$\{([A-Z_]+)[:}]", compose)) - {"PREFIX", "APP_USER", "APP_PASSWORD"}
    assert required <= assigned and used <= assigned, (required - assigned, used - assigned)
    assert not re.search(r"^[A-Z_]+=.*[ \t]#", example, flags=re.M), "compose v1 keeps inline comments"
    res = _config(True)  # the example as shipped leaves the secrets empty: compose must refuse it
    assert res.returncode != 0 and "MINIO_ROOT_PASSWORD" in res.stderr


@needs_compose
def test_every_image_is_pinned(stack: dict[str, Any]) -> None:
    for name, service in stack["services"].items():
        image = service["image"]
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest", (name, image)
        assert re.search(r"\d", tag), (name, image)  # a release, not a floating name
    assert stack["services"]["api"]["image"] == f"sohoa:{version('sohoa')}"
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM (\S+)", dockerfile, flags=re.M)
    assert base and re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base.group(1)), base


@needs_compose
def test_the_application_does_not_use_the_minio_root_account(stack: dict[str, Any]) -> None:
    for name in ("api", "intake"):
        env = stack["services"][name]["environment"]
        assert env["SOHOA_STORAGE__ACCESS_KEY"] == "sohoa-app", name
        assert env["SOHOA_STORAGE__SECRET_KEY"] == REQUIRED["SOHOA_MINIO_PASSWORD"], name
        assert REQUIRED["MINIO_ROOT_PASSWORD"] not in json.dumps(env), name
    script = "\n".join(stack["services"]["minio-init"]["command"])
    assert "mc admin policy create store sohoa-app" in script
    assert "mc admin policy attach store sohoa-app --user" in script
    assert any("minio-app-policy.json" in str(v) for v in stack["services"]["minio-init"]["volumes"])


@needs_compose
def test_the_queue_is_monitored(stack: dict[str, Any]) -> None:
    """Flower follows the workers' Celery events; Prometheus scrapes the API's /metrics and Flower's."""
    services = stack["services"]
    assert "--task-events" in (REPO / "pipeline/tasks/worker.py").read_text(encoding="utf-8")
    flower = services["flower"]
    assert "flower" in flower["command"] and any("@rabbitmq:5672/sohoa" in c for c in flower["command"])
    assert flower["environment"]["FLOWER_BASIC_AUTH"] == f"admin:{REQUIRED['FLOWER_PASSWORD']}"
    assert all(str(p).startswith("127.0.0.1:") for p in flower["ports"]), flower["ports"]  # host only
    prometheus = services["prometheus"]
    assert any(str(v).endswith(":/etc/prometheus/prometheus.yml:ro") for v in prometheus["volumes"])
    config = yaml.safe_load((REPO / "config/deploy/prometheus.yml").read_text(encoding="utf-8"))
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    assert jobs["sohoa-api"]["metrics_path"] == "/metrics"
    assert jobs["sohoa-api"]["static_configs"][0]["targets"] == ["api:8080"]
    # and Flower's Celery figures, with Flower's own login, its password handed over as a file
    assert jobs["flower"]["static_configs"][0]["targets"] == ["flower:5555"]
    password_file = jobs["flower"]["basic_auth"]["password_file"]
    assert jobs["flower"]["basic_auth"]["username"] == "admin"
    assert prometheus["environment"]["FLOWER_PASSWORD"] == REQUIRED["FLOWER_PASSWORD"]
    start = " ".join(prometheus["command"]).replace("$$", "$")  # `config` prints the escaped form
    assert f'"$FLOWER_PASSWORD" > {password_file}' in start and "umask 077" in start
    assert "exec /bin/prometheus --config.file=/etc/prometheus/prometheus.yml" in start
    assert "flower" in prometheus["depends_on"]


def test_the_minio_policy_covers_only_sohoa_buckets() -> None:
    policy = json.loads((REPO / "config/deploy/minio-app-policy.json").read_text(encoding="utf-8"))
    buckets = {"originals", "digitised", "signed"}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            assert action.startswith("s3:") and "*" not in action and not action.startswith("s3:DeleteBucket")
            assert action not in ("s3:BypassGovernanceRetention", "s3:PutBucketPolicy",
                                  "s3:PutBucketObjectLockConfiguration"), action
        for resource in statement["Resource"]:
            match = re.fullmatch(r"arn:aws:s3:::@PREFIX@-(\w+)(/\*)?", resource)
            assert match and match.group(1) in buckets, resource


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy not installed")
@pytest.mark.parametrize("tls", ["tls internal", "tls admin@example.vn",
                                 "tls /etc/caddy/certs/fullchain.pem /etc/caddy/certs/privkey.pem"])
def test_the_caddyfile_serves_https_to_the_api(tmp_path: Path, tls: str) -> None:
    env = {**os.environ, "SOHOA_DOMAIN": "sohoa.example.vn", "SOHOA_TLS_DIRECTIVE": tls,
           "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    res = subprocess.run(["caddy", "adapt", "--config", "config/deploy/Caddyfile", "--adapter", "caddyfile"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    config = json.loads(res.stdout)
    server = next(iter(config["apps"]["http"]["servers"].values()))
    assert server["listen"] == [":443"]
    assert "sohoa.example.vn" in res.stdout and '"dial":"api:8080"' in res.stdout


def test_locks_pin_every_dependency_with_hashes() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(lock: str) -> dict[str, str]:
        text = (REPO / lock).read_text(encoding="utf-8")
        pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", text, flags=re.M))
        assert pins and text.count("==") == len(pins)
        blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text)
        assert all("--hash=sha256:" in b for b in blocks if "==" in b), lock
        return {re.sub(r"[-_.]+", "-", k).lower(): v for k, v in pins.items()}

    def wanted(specs: list[str]) -> set[str]:
        return {re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~ ;]", s, maxsplit=1)[0]).lower() for s in specs}

    runtime, dev = names("requirements.lock"), names("requirements-dev.lock")
    assert wanted(project["dependencies"]) <= set(runtime)
    assert wanted(project["dependencies"] + project["optional-dependencies"]["dev"]) <= set(dev)
    assert "pytest" not in runtime  # the image carries no test tools
    assert "--require-hashes -r requirements.lock" in (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements-dev.lock" in (REPO / "scripts/setup").read_text(encoding="utf-8")

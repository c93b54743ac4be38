"""End to end: a live ``sohoa serve`` on a free loopback port and ``sohoa sign-client`` on SoftHSM.

The official's token (SoftHSM, key ``official-rsa``) signs the queued documents with one PIN
entry; the server verifies and stores them; a downstream key fetches the result; the logs of
both processes never contain the PIN or the citizen's id number.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from config.settings import load_settings
from pipeline.api.app import create_app
from pipeline.services import upgrade
from storage.db.engine import make_engine
from tests.api.conftest import AGENCY_A, OWNER_ID, PASSWORD, Api
from tests.api.live import ORG, SOHOA, LiveServer, env_for
from tests.db.fixtures import Database
from tests.signing.conftest import USER_PIN, WRONG_PIN_TOKEN, PkiFixture


@pytest.fixture
def live(tmp_path: Path, pki: PkiFixture) -> Iterator[tuple[Api, LiveServer, dict[str, str]]]:
    data = tmp_path / "data"
    env = env_for(data, pki)
    url = f"sqlite:///{data / 'sohoa.db'}"
    settings = load_settings(
        data_dir=data,
        signing={"trust_roots": [str(pki.root_pem)], "font": str(pki.font), "organisation": ORG},
    )
    engine = upgrade(settings, make_engine(settings, url=url))  # as ``sohoa db upgrade`` does
    app = create_app(settings, engine=engine, start_worker=False)
    with TestClient(app) as client:  # the set-up (accounts, documents) through the same code
        api = Api(
            client=client,
            ctx=app.state.ctx,
            settings=settings,
            db=Database("sqlite", url, engine),
            tmp=tmp_path,
        )
        server = LiveServer(data, env, tmp_path / "server.log")
        try:
            yield api, server, env
        finally:
            if server.proc.poll() is None:
                server.stop()
    engine.dispose()


def official_fingerprint(pki: PkiFixture) -> str:
    return hashlib.sha256(pki.pki.official_rsa.cert_der.read_bytes()).hexdigest()


def sign_client(
    server: LiveServer,
    token: str,
    env: dict[str, str],
    pki: PkiFixture,
    *extra: str,
    token_label: str | None = None,
    key_label: str = "official-rsa",
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            SOHOA,
            "sign-client",
            "--server",
            server.url,
            "--token",
            token,
            "--pkcs11-module",
            pki.module,
            "--token-label",
            token_label or pki.token_label,
            "--key-label",
            key_label,
            "--pin-env",
            "SOHOA_TEST_PIN",
            "--chain",
            str(pki.pki.chain),
            *extra,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_sign_client_against_live_server(
    live: tuple[Api, LiveServer, dict[str, str]], pki: PkiFixture
) -> None:
    api, server, env = live
    api.user("clerk", ["clerk"], [AGENCY_A])
    api.user("official", ["official"], [AGENCY_A], cert_sha256=official_fingerprint(pki))
    docs = [api.document(api.unique_pdf()) for _ in range(2)]
    http = httpx.Client(base_url=server.url, timeout=60)

    def login(username: str) -> str:
        response = http.post("/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200
        return str(response.json()["token"])

    clerk = {"Authorization": f"Bearer {login('clerk')}"}
    official_token = login("official")
    for _code, document_id in docs:
        queued = http.post(
            "/signing/queue", json={"document_id": document_id, "official": "official"}, headers=clerk
        )
        assert queued.status_code == 201, queued.text

    run = sign_client(server, official_token, env, pki, "--yes")
    assert run.returncode == 0, run.stderr
    assert "accepted 2, failed 0" in run.stderr

    # Nothing left: a second run signs nothing and succeeds.
    again = sign_client(server, official_token, env, pki, "--yes")
    assert again.returncode == 0 and "nothing to sign" in again.stderr

    # Downstream: the signed result, verified by the server's own /verify.
    key = api.key("dvc", ["results:read", "verify", "lookup"], [AGENCY_A])
    code, document_id = docs[0]
    pdf = http.get(f"/results/dossiers/{code}", headers=key)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    report = http.post(
        "/verify", content=pdf.content, headers={**key, "Content-Type": "application/pdf"}
    ).json()
    assert report["valid"] is True and len(report["signatures"]) == 1
    assert "Nguyễn Văn An" in (report["signatures"][0]["signer"] or "")
    held = http.get("/lookup", params={"owner": OWNER_ID}, headers=key).json()
    assert {h["document_id"] for h in held["held"]} == {str(d) for _, d in docs}
    assert all(h["signed"] for h in held["held"])

    # A wrong token label / PIN: clear error, exit code of the PIN failure, PIN never printed.
    bad_env = {**env, "SOHOA_TEST_PIN": "999999"}
    api_doc = api.document(api.unique_pdf())
    http.post("/signing/queue", json={"document_id": api_doc[1], "official": "official"}, headers=clerk)
    wrong = sign_client(
        server, official_token, bad_env, pki, "--yes", token_label=WRONG_PIN_TOKEN, key_label="pin-rsa"
    )
    assert wrong.returncode == 9, wrong.stderr
    assert "999999" not in wrong.stderr + wrong.stdout

    log = server.stop()
    assert "GET /lookup 200" in log and "POST /signing/queue/" in log  # the access log is there
    outputs = log + run.stdout + run.stderr + again.stdout + again.stderr + wrong.stdout + wrong.stderr
    assert USER_PIN not in outputs
    assert OWNER_ID not in outputs
    assert PASSWORD not in outputs
    assert official_token not in outputs

"""The local signing agent (``sohoa sign-client --serve``) over HTTP against a live ``sohoa serve``.

Real parts only: the agent and the server are subprocesses on loopback ports, the token is
SoftHSM2, signatures are checked by poppler's ``pdfsig``. The wrong-PIN test puts OpenSC's
``pkcs11-spy`` between the agent and SoftHSM and counts the ``C_Login`` calls it records: the
agent must log in exactly once and never retry, and the token's own flag must show the failure.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.agent_process import AgentProcess
from tests.api.conftest import AGENCY_A, PASSWORD, Api, text_pdf
from tests.api.live import LiveServer
from tests.api.test_api_e2e import live, official_fingerprint  # noqa: F401 - the live-server fixture
from tests.api.test_api_result_issue import Office
from tests.signing.conftest import (
    OFFICIAL_NAME,
    SO_PIN,
    SOFTHSM_MODULE,
    USER_PIN,
    WRONG_PIN_TOKEN,
    PkiFixture,
    assert_pdfsig_valid,
)

PKCS11_SPY = "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so"
EVIL = "http://evil.example"

Live = tuple[Api, LiveServer, dict[str, str]]


def login(http: httpx.Client, username: str) -> str:
    response = http.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def queue_documents(api: Api, http: httpx.Client, pki: PkiFixture, count: int) -> tuple[str, list[Any]]:
    """A clerk and an official; ``count`` documents in the official's queue. Returns the
    official's session token and the queue items."""
    api.user("clerk", ["clerk"], [AGENCY_A])
    api.user("official", ["official"], [AGENCY_A], cert_sha256=official_fingerprint(pki))
    clerk = {"Authorization": f"Bearer {login(http, 'clerk')}"}
    items = []
    for _ in range(count):
        _code, document_id = api.document(api.unique_pdf())
        queued = http.post(
            "/api/v1/signing/queue", json={"document_id": document_id, "official": "official"}, headers=clerk
        )
        assert queued.status_code == 201, queued.text
        items.append(queued.json())
    return login(http, "official"), items


def post_batch(
    agent: AgentProcess, headers: dict[str, str], server: str, token: str, item_ids: list[Any]
) -> httpx.Response:
    """What the page sends the agent: sign these queue items of ``server`` with this bearer token."""
    return httpx.post(
        f"{agent.url}/batches",
        json={"server": server, "access_token": token, "item_ids": item_ids},
        headers=headers,
        timeout=30,
    )


def wait_batch(agent: AgentProcess, origin: str, batch_id: str) -> dict[str, Any]:
    headers = {"Origin": origin, "X-Sohoa-Pairing": agent.pairing}
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        view = httpx.get(f"{agent.url}/batches/{batch_id}", headers=headers, timeout=10).json()
        if view["state"] in ("done", "failed"):
            return dict(view)
        time.sleep(0.3)
    raise AssertionError(f"batch not finished: {agent.output()}")


@pytest.fixture
def agent_env(live: Live) -> Iterator[tuple[Api, LiveServer, dict[str, str], list[AgentProcess]]]:  # noqa: F811
    api, server, env = live
    started: list[AgentProcess] = []
    try:
        yield api, server, env, started
    finally:
        for agent in started:
            agent.stop()


def test_agent_signs_a_batch_and_refuses_what_is_not_queued(
    agent_env: tuple[Api, LiveServer, dict[str, str], list[AgentProcess]], pki: PkiFixture, tmp_path: Path
) -> None:
    api, server, env, started = agent_env
    http = httpx.Client(base_url=server.url, timeout=60)
    official, items = queue_documents(api, http, pki, 2)
    agent = AgentProcess(env, tmp_path / "agent.log", pki, server.url)
    started.append(agent)
    origin = server.url
    headers = {"Origin": origin, "X-Sohoa-Pairing": agent.pairing}

    status = httpx.get(f"{agent.url}/status", headers=headers, timeout=10)
    assert status.status_code == 200 and status.headers["access-control-allow-origin"] == origin
    body = status.json()
    assert body["agent"] == "sohoa-sign-agent" and body["paired"] is True and body["busy"] is False
    assert body["signer"]["present"] is True and "Nguyễn Văn An" in body["signer"]["subject"]
    assert USER_PIN not in status.text

    # two queued items and one id that is not in this official's queue
    ids = [items[0]["id"], items[1]["id"], 987654]
    post = post_batch(agent, headers, server.url, official, ids)
    assert post.status_code == 202, post.text
    view = wait_batch(agent, origin, post.json()["id"])
    assert view["state"] == "done", view
    by_id = {i["id"]: i for i in view["items"]}
    for item in items:
        got = by_id[item["id"]]
        assert got["state"] == "signed" and got["version_id"], got
        assert got["sha256"] == item["sha256"] and got["pages"] == 1 and got["title"] == item["title"]
        assert got["dossier"]  # the dossier code, shown beside the title
    assert by_id[987654]["state"] == "refused"
    assert "hàng đợi" in by_id[987654]["reason"]
    assert (view["signed"], view["refused"]) == (2, 1)

    # the agent's terminal showed what was signed before the PIN was asked
    shown = agent.output()
    assert items[0]["sha256"] in shown and items[1]["sha256"] in shown
    assert by_id[items[0]["id"]]["dossier"] in shown and "Nhập mã PIN một lần" in shown

    # the server holds both as signed: poppler accepts each signature, by the official
    queue = http.get(
        "/api/v1/signing/queue", params={"status": "signed"}, headers={"Authorization": f"Bearer {official}"}
    ).json()["items"]
    assert {i["id"] for i in queue} == {i["id"] for i in items}
    key = api.key("dvc", ["results:read"], [AGENCY_A])
    for n, item in enumerate(queue):
        code = http.get(
            f"/api/v1/documents/{item['document_id']}", headers={"Authorization": f"Bearer {official}"}
        )
        dossier = code.json()["dossier"]
        pdf = http.get(f"/api/v1/results/dossiers/{dossier}", headers=key)
        assert pdf.status_code == 200, pdf.text
        out = tmp_path / f"signed-{n}.pdf"
        out.write_bytes(pdf.content)
        assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME])

    log = agent.stop() + server.stop()
    assert USER_PIN not in log and official not in log and PASSWORD not in log


def test_agent_guards_origin_host_pairing(
    agent_env: tuple[Api, LiveServer, dict[str, str], list[AgentProcess]], pki: PkiFixture, tmp_path: Path
) -> None:
    _api, server, env, started = agent_env
    agent = AgentProcess(env, tmp_path / "agent.log", pki, server.url)
    started.append(agent)
    ok = {"Origin": server.url, "X-Sohoa-Pairing": agent.pairing}
    batch = {"server": server.url, "access_token": "x" * 20, "item_ids": [1]}

    # a page of another origin: refused, and no CORS header lets its script read the answer
    for method, path in (("GET", "/status"), ("POST", "/batches")):
        evil = httpx.request(
            method, f"{agent.url}{path}", headers={**ok, "Origin": EVIL}, json=batch, timeout=10
        )
        assert evil.status_code == 403 and "access-control-allow-origin" not in evil.headers
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-sohoa-pairing",
        "Access-Control-Request-Private-Network": "true",
    }
    evil_pre = httpx.options(f"{agent.url}/batches", headers={"Origin": EVIL, **preflight}, timeout=10)
    assert evil_pre.status_code == 403 and "access-control-allow-private-network" not in evil_pre.headers

    # the server's page: the preflight, Private Network Access included, is answered
    pre = httpx.options(f"{agent.url}/batches", headers={"Origin": server.url, **preflight}, timeout=10)
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == server.url
    assert pre.headers["access-control-allow-private-network"] == "true"
    assert "x-sohoa-pairing" in pre.headers["access-control-allow-headers"].lower()

    # no pairing code, or a wrong one: nothing is done
    for code in (None, "AAAA-AAAA"):
        headers = {"Origin": server.url} | ({"X-Sohoa-Pairing": code} if code else {})
        refused = httpx.post(f"{agent.url}/batches", headers=headers, json=batch, timeout=10)
        assert refused.status_code == 401 and "ghép nối" in refused.json()["detail"]
        assert refused.headers["access-control-allow-origin"] == server.url  # the page can read why
    assert (
        httpx.get(f"{agent.url}/status", headers={"Origin": server.url}, timeout=10).json()["paired"] is False
    )

    # DNS rebinding: another host name for the same socket
    rebound = httpx.get(
        f"{agent.url}/status", headers={**ok, "Host": f"evil.example:{agent.port}"}, timeout=10
    )
    assert rebound.status_code == 421

    # the agent talks only to the servers it was started for
    other = httpx.post(
        f"{agent.url}/batches", headers=ok, json={**batch, "server": "http://127.0.0.2:1"}, timeout=10
    )
    assert other.status_code == 403 and "không được phép" in other.json()["detail"]
    assert agent.proc.poll() is None


def token_flags(label: str) -> str:
    out = subprocess.run(
        ["pkcs11-tool", "--module", SOFTHSM_MODULE, "-T"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    block = out.split(f"token label        : {label}")[1].split("Slot ")[0]
    return next(line for line in block.splitlines() if "token flags" in line)


def test_wrong_pin_fails_the_batch_after_exactly_one_login(
    agent_env: tuple[Api, LiveServer, dict[str, str], list[AgentProcess]], pki: PkiFixture, tmp_path: Path
) -> None:
    api, server, env, started = agent_env
    http = httpx.Client(base_url=server.url, timeout=60)
    official, items = queue_documents(api, http, pki, 2)
    # a good login first clears the token's "count low" flag, so the flag seen after is this batch's
    subprocess.run(
        [
            "pkcs11-tool",
            "--module",
            SOFTHSM_MODULE,
            "--token-label",
            WRONG_PIN_TOKEN,
            "--login",
            "--pin",
            USER_PIN,
            "--list-objects",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert "user PIN count low" not in token_flags(WRONG_PIN_TOKEN)
    spy_log = tmp_path / "pkcs11-spy.log"  # TEST ONLY: the spy records PINs, it is never kept
    spy_env = {
        **env,
        "SOHOA_TEST_PIN": "999999",
        "PKCS11SPY": SOFTHSM_MODULE,
        "PKCS11SPY_OUTPUT": str(spy_log),
    }
    agent = AgentProcess(
        spy_env,
        tmp_path / "agent.log",
        pki,
        server.url,
        module=PKCS11_SPY,
        token_label=WRONG_PIN_TOKEN,
        key_label="pin-rsa",
    )
    started.append(agent)
    headers = {"Origin": server.url, "X-Sohoa-Pairing": agent.pairing}
    post = post_batch(agent, headers, server.url, official, [i["id"] for i in items])
    assert post.status_code == 202, post.text
    view = wait_batch(agent, server.url, post.json()["id"])
    assert (
        view["state"] == "failed"
        and "Sai mã PIN" in view["message"]
        and "không tự thử lại" in view["message"]
    )
    assert all(i["state"] == "refused" and "Sai mã PIN" in i["reason"] for i in view["items"])
    time.sleep(1)  # the spy writes as calls return
    logins = spy_log.read_text(errors="replace").count("C_Login")
    assert logins == 1, spy_log.read_text(errors="replace")[-2000:]
    assert "user PIN count low" in token_flags(WRONG_PIN_TOKEN)  # what the token itself recorded

    # nothing was uploaded: the items are still pending on the server
    pending = http.get("/api/v1/signing/queue", headers={"Authorization": f"Bearer {official}"}).json()[
        "items"
    ]
    assert {i["id"] for i in pending} == {i["id"] for i in items}
    output = agent.stop()
    assert "999999" not in output and USER_PIN not in output and SO_PIN not in output
    spy_log.unlink()


def test_page_serves_the_agent_script_and_lets_it_reach_loopback_only(api: Api) -> None:
    script = api.client.get("/ui/signing-agent.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "Ký bằng token (ứng dụng ký trên máy)" in script.text and "X-Sohoa-Pairing" in script.text
    page = api.client.get("/ui/")
    assert 'src="/ui/signing-agent.js"' in page.text and 'id="agent-signing"' in page.text
    csp = page.headers["content-security-policy"]
    connect = next(d for d in csp.split(";") if d.strip().startswith("connect-src")).split()[1:]
    assert connect == ["'self'", "http://127.0.0.1:*", "http://localhost:*"]  # no other host


def test_origins_and_pairing_codes(pki: PkiFixture, tmp_path: Path) -> None:
    from config.settings import load_settings
    from pipeline.errors import Refused
    from pipeline.signing_agent import MAX_PAIRING_FAILURES, AgentConfig, SigningAgent, origin_of
    from signing.session import SignerSource

    assert origin_of("HTTPS://Sohoa.Xa.vn:443/ui/") == "https://sohoa.xa.vn"
    assert origin_of("http://10.0.0.5:8080") == "http://10.0.0.5:8080"
    with pytest.raises(Refused):
        origin_of("file:///etc/passwd")
    with pytest.raises(Refused):
        SigningAgent(AgentConfig(SignerSource(), load_settings(data_dir=tmp_path), ()))
    agent = SigningAgent(
        AgentConfig(SignerSource(), load_settings(data_dir=tmp_path), ("http://10.0.0.5:8080/",), port=4711),
        pairing="ABCD-EFGH",
    )
    assert agent.origin_allowed("http://10.0.0.5:8080")
    for other in ("http://10.0.0.5:8081", "https://10.0.0.5:8080", "null", "http://10.0.0.5:8080.evil.vn"):
        assert not agent.origin_allowed(other), other
    assert agent.host_allowed("127.0.0.1:4711") and not agent.host_allowed("127.0.0.1:4712")
    assert agent.paired("abcd efgh") and not agent.paired(None)
    with pytest.raises(Refused) as refused:
        agent.submit("http://10.9.9.9", "t" * 20, [1])
    assert refused.value.status_code == 403
    for _ in range(MAX_PAIRING_FAILURES):
        assert not agent.paired("ZZZZ-ZZZZ")
    assert agent.locked_out and not agent.paired("ABCD-EFGH")  # guessing ends in a lock-out
    assert len(new_codes := {SigningAgent(agent.config).pairing for _ in range(50)}) == 50, new_codes


def test_pin_asked_once_on_the_agents_terminal(
    agent_env: tuple[Api, LiveServer, dict[str, str], list[AgentProcess]], pki: PkiFixture, tmp_path: Path
) -> None:
    """No ``--pin-env``: the agent prompts on its own terminal (a pty here), once for two items,
    without echoing what is typed."""
    api, server, env, started = agent_env
    http = httpx.Client(base_url=server.url, timeout=60)
    official, items = queue_documents(api, http, pki, 2)
    agent = AgentProcess(env, tmp_path / "agent.log", pki, server.url, terminal=True)
    started.append(agent)
    headers = {"Origin": server.url, "X-Sohoa-Pairing": agent.pairing}
    post = post_batch(agent, headers, server.url, official, [i["id"] for i in items])
    assert post.status_code == 202, post.text
    agent.wait_output("(PIN):")  # the list is shown, then the token's PIN prompt
    waiting = httpx.get(f"{agent.url}/batches/{post.json()['id']}", headers=headers, timeout=10).json()
    assert waiting["state"] == "awaiting_pin" and all(i["pages"] == 1 for i in waiting["items"])
    agent.type(USER_PIN + "\n")
    view = wait_batch(agent, server.url, post.json()["id"])
    assert view["state"] == "done" and view["signed"] == 2, view
    output = agent.stop()
    assert output.count("(PIN):") == 1  # one prompt for the whole batch
    assert USER_PIN not in output  # typed with echo off, never printed


def test_server_refusal_is_shown_per_item(
    agent_env: tuple[Api, LiveServer, dict[str, str], list[AgentProcess]], pki: PkiFixture, tmp_path: Path
) -> None:
    """The server verifies each upload: a signature by another certificate than the one registered
    for the official is refused, and the page hears the server's reason for that item."""
    api, server, env, started = agent_env
    http = httpx.Client(base_url=server.url, timeout=60)
    api.user("clerk", ["clerk"], [AGENCY_A])
    other = hashlib.sha256(pki.pki.official_ecdsa.cert_der.read_bytes()).hexdigest()
    api.user("official", ["official"], [AGENCY_A], cert_sha256=other)  # registered: the EC key
    clerk = {"Authorization": f"Bearer {login(http, 'clerk')}"}
    _code, document_id = api.document(api.unique_pdf())
    item = http.post(
        "/api/v1/signing/queue", json={"document_id": document_id, "official": "official"}, headers=clerk
    ).json()
    official = login(http, "official")
    agent = AgentProcess(env, tmp_path / "agent.log", pki, server.url)  # signs with the RSA key
    started.append(agent)
    headers = {"Origin": server.url, "X-Sohoa-Pairing": agent.pairing}
    post = post_batch(agent, headers, server.url, official, [item["id"]])
    view = wait_batch(agent, server.url, post.json()["id"])
    assert view["state"] == "done" and (view["signed"], view["refused"]) == (0, 1), view
    reason = view["items"][0]["reason"]
    assert "Máy chủ từ chối" in reason and "403" in reason and "another certificate" in reason, reason


def test_agent_refuses_to_seal_with_a_persons_certificate(
    agent_env: tuple[Api, LiveServer, dict[str, str], list[AgentProcess]], pki: PkiFixture, tmp_path: Path
) -> None:
    """The seal holder's agent holds a person's token (an official's, with a job title): it refuses
    the result's seal item itself, saying what the certificate lacks, and uploads nothing; the
    result stays waiting for its seal."""
    api, server, env, started = agent_env
    office = Office(api, pki)
    person = hashlib.sha256(pki.pki.official_ecdsa.cert_der.read_bytes()).hexdigest()
    api.user("phochutich", ["official"], [AGENCY_A], cert_sha256=person)
    code = office.receive()
    attached = office.attach(code, text_pdf(tmp_path / "kq.pdf", f"KET QUA {code}"), seal="phochutich")
    assert attached.status_code == 201, attached.text
    assert office.sign_pending(office.official, "official-rsa").status_code == 201
    http = httpx.Client(base_url=server.url, timeout=60)
    holder = login(http, "phochutich")
    queue = http.get("/api/v1/signing/queue", headers={"Authorization": f"Bearer {holder}"}).json()["items"]
    (seal_item,) = queue
    assert seal_item["stamp"] == "seal"
    agent = AgentProcess(env, tmp_path / "agent.log", pki, server.url, key_label="official-ec")
    started.append(agent)
    headers = {"Origin": server.url, "X-Sohoa-Pairing": agent.pairing}
    post = post_batch(agent, headers, server.url, holder, [seal_item["id"]])
    assert post.status_code == 202, post.text
    view = wait_batch(agent, server.url, post.json()["id"])
    assert view["state"] == "done" and (view["signed"], view["refused"]) == (0, 1), view
    reason = view["items"][0]["reason"]
    assert "chứng thư số của cơ quan" in reason and "chức danh" in reason, reason
    assert "Máy chủ từ chối" not in reason  # refused on the official's computer, never uploaded
    assert office.result(code)["stage"] == "awaiting_seal"


def test_pin_prompt_times_out_refuses_the_batch_and_never_logs_in(
    agent_env: tuple[Api, LiveServer, dict[str, str], list[AgentProcess]], pki: PkiFixture, tmp_path: Path
) -> None:
    """The official walks away at the PIN prompt: after ``--pin-timeout`` the batch is refused
    with a Vietnamese message, the token was never logged into and no session is left open (the
    spy counts the calls), what was half typed is thrown away, and the next batch signs."""
    api, server, env, started = agent_env
    http = httpx.Client(base_url=server.url, timeout=60)
    official, items = queue_documents(api, http, pki, 2)
    spy_log = tmp_path / "pkcs11-spy.log"  # TEST ONLY: the spy records PINs, it is never kept
    spy_env = {**env, "PKCS11SPY": SOFTHSM_MODULE, "PKCS11SPY_OUTPUT": str(spy_log)}
    agent = AgentProcess(
        spy_env,
        tmp_path / "agent.log",
        pki,
        server.url,
        "--pin-timeout",
        "3",
        module=PKCS11_SPY,
        terminal=True,
    )
    started.append(agent)
    headers = {"Origin": server.url, "X-Sohoa-Pairing": agent.pairing}
    post = post_batch(agent, headers, server.url, official, [items[0]["id"]])
    assert post.status_code == 202, post.text
    agent.wait_output("(PIN):")
    assert "Sau 3 giây không nhập" in agent.output()
    agent.type("12")  # half a PIN, no Enter: the official walked away
    view = wait_batch(agent, server.url, post.json()["id"])
    assert view["state"] == "failed" and "Hết 3 giây chờ nhập mã PIN" in view["message"], view
    assert view["items"][0]["state"] == "refused" and "lô ký bị từ chối" in view["items"][0]["reason"]
    time.sleep(1)  # the spy writes as calls return
    calls = spy_log.read_text(errors="replace")
    assert "C_Login" not in calls  # never logged in, so never a PIN sent, never retried
    assert calls.count("C_OpenSession") == calls.count("C_CloseSession"), calls[-2000:]
    status = httpx.get(f"{agent.url}/status", headers=headers, timeout=10).json()
    assert status["busy"] is False  # the agent is free again

    # The next batch asks again; the "12" typed before was discarded, so the PIN alone logs in.
    again = post_batch(agent, headers, server.url, official, [i["id"] for i in items])
    assert again.status_code == 202, again.text
    deadline = time.monotonic() + 120
    while agent.output().count("(PIN):") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    agent.type(USER_PIN + "\n")
    done = wait_batch(agent, server.url, again.json()["id"])
    assert done["state"] == "done" and done["signed"] == 2, done
    assert spy_log.read_text(errors="replace").count("C_Login") == 1
    output = agent.stop()
    assert USER_PIN not in output
    spy_log.unlink()

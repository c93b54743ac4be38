"""The v1 contract: prefix and deprecated aliases, problem details, pages, typed ids and times."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pipeline.api.versioning import API_PREFIX, UNVERSIONED_ONLY
from pipeline.jobs import create_job, new_job_id
from storage.db.engine import read_session
from storage.db.models import AuditEntry
from tests.api.conftest import AGENCY_A, OWNER_ID, Api
from tests.api.live import LiveServer, env_for

PROBLEM = "application/problem+json"
OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")


def test_aliases_answer_as_before_with_deprecation_headers(api: Api) -> None:
    _, doc = api.document(api.unique_pdf())
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    old = api.client.get("/documents", headers=clerk)
    assert old.status_code == 200 and [d["id"] for d in old.json()] == [doc]  # the bare list, as before
    assert old.headers["Deprecation"].startswith("@") and "GMT" in old.headers["Sunset"]
    assert old.headers["Link"] == f'<{API_PREFIX}/documents>; rel="successor-version"'
    new = api.client.get(f"{API_PREFIX}/documents", headers=clerk)
    assert new.status_code == 200 and "Deprecation" not in new.headers
    assert [d["id"] for d in new.json()["items"]] == [doc]
    # Errors of an alias are problems too, and still say the path is deprecated.
    missing = api.client.get("/documents/999999", headers=clerk)
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert "Deprecation" in missing.headers
    # /healthz is fixed by the interface: never deprecated, also under the prefix.
    for path in ("/healthz", f"{API_PREFIX}/healthz"):
        health = api.client.get(path)
        assert health.status_code == 200 and "Deprecation" not in health.headers


def test_one_problem_shape_for_every_failure(api: Api) -> None:
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    cases = {
        "not-found": api.client.get(f"{API_PREFIX}/documents/424242", headers=clerk),
        "unauthenticated": api.client.get(f"{API_PREFIX}/documents"),
        "forbidden": api.client.get(f"{API_PREFIX}/webhooks", headers=clerk),
        "method-not-allowed": api.client.put(f"{API_PREFIX}/documents", headers=clerk),
        # FastAPI's own validation and the workflow's BadInputError: the same type and status.
        "validation-error": api.client.get(f"{API_PREFIX}/documents", params={"limit": 0}, headers=clerk),
    }
    bad_owner = api.client.get(f"{API_PREFIX}/documents", params={"owner": "12"}, headers=clerk)
    for code, response in {**cases, "validation-error (owner)": bad_owner}.items():
        body = response.json()
        assert response.headers["content-type"] == PROBLEM, (code, response.text)
        assert body["type"] == f"urn:sohoa:problem:{code.split(' ')[0]}"
        assert body["status"] == response.status_code and body["title"] and body["detail"]
        assert body["instance"].startswith(API_PREFIX)
    assert cases["unauthenticated"].headers["WWW-Authenticate"].startswith("Bearer")
    assert cases["validation-error"].status_code == bad_owner.status_code == 422
    (issue,) = cases["validation-error"].json()["errors"]
    assert issue["loc"] == ["query", "limit"] and issue["type"] == "greater_than_equal"
    assert cases["not-found"].json()["title"] == "Không tìm thấy"
    # A lookup's rejected id is not echoed back anywhere in the problem.
    key = api.key("dvc", ["lookup"], ["*"])
    refused = api.client.get(f"{API_PREFIX}/lookup", params={"owner": "0270950"}, headers=key)
    assert refused.status_code == 422 and "0270950" not in refused.text


def test_unexpected_errors_are_a_problem_without_internals(api: Api) -> None:
    app = api.client.app

    def boom() -> None:
        raise RuntimeError("secret internal state /var/lib/sohoa")

    app.add_api_route(f"{API_PREFIX}/boom-test", boom)  # type: ignore[attr-defined]
    with TestClient(app, raise_server_exceptions=False) as client:  # type: ignore[arg-type]
        response = client.get(f"{API_PREFIX}/boom-test")
    assert response.status_code == 500 and response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:sohoa:problem:internal-error"
    assert "secret" not in response.text and "RuntimeError" not in response.text


def test_pages_have_totals_and_links(api: Api) -> None:
    docs = sorted(api.document(api.unique_pdf())[1] for _ in range(3))
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    first = api.client.get(f"{API_PREFIX}/documents", params={"limit": 2}, headers=clerk)
    body = first.json()
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 0)
    assert [d["id"] for d in body["items"]] == docs[::-1][:2]
    assert body["links"]["prev"] is None
    assert body["links"]["next"] == f"{API_PREFIX}/documents?limit=2&offset=2"
    assert f'<{API_PREFIX}/documents?limit=2&offset=2>; rel="next"' in first.headers["Link"]
    second = api.client.get(body["links"]["next"], headers=clerk).json()
    assert [d["id"] for d in second["items"]] == [docs[0]] and second["links"]["next"] is None
    assert second["links"]["prev"] == f"{API_PREFIX}/documents?limit=2&offset=0"
    # Filters are kept in the links; the review queue and dossier list page the same way.
    owned = api.client.get(f"{API_PREFIX}/documents", params={"owner": OWNER_ID, "limit": 1}, headers=clerk)
    assert owned.json()["links"]["next"] == f"{API_PREFIX}/documents?owner={OWNER_ID}&limit=1&offset=1"
    review = api.client.get(f"{API_PREFIX}/review", params={"limit": 2}, headers=clerk).json()
    assert review["total"] == 3 and len(review["items"]) == 2
    dossiers = api.client.get(f"{API_PREFIX}/dossiers", headers=clerk).json()
    assert dossiers["total"] == 3 and OFFSET.search(dossiers["items"][0]["received_at"])


def test_history_jobs_queue_and_webhooks_are_pages_too(api: Api) -> None:
    _, doc = api.document(api.unique_pdf())
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    admin = api.user("quantri", ["administrator"], ["*"])
    for name in ("Nguyễn Văn Bính", "Nguyễn Văn Bình"):  # two more audit entries of this document
        fixed = api.client.patch(
            f"{API_PREFIX}/documents/{doc}/fields/full_name", json={"value": name}, headers=clerk
        )
        assert fixed.status_code == 200, fixed.text
    with read_session(api.ctx.engine) as session:
        query = select(AuditEntry.action).where(AuditEntry.document_id == doc).order_by(AuditEntry.id)
        logged = list(session.scalars(query))
    assert len(logged) >= 2
    path = f"{API_PREFIX}/documents/{doc}/history"
    first = api.client.get(path, params={"limit": 1}, headers=clerk)
    body = first.json()
    assert (body["total"], body["limit"], body["offset"]) == (len(logged), 1, 0)
    assert [h["action"] for h in body["items"]] == logged[:1]  # oldest first
    assert body["links"]["next"] == f"{path}?limit=1&offset=1" and body["links"]["prev"] is None
    assert f'<{path}?limit=1&offset=1>; rel="next"' in first.headers["Link"]
    last = api.client.get(path, params={"limit": 1, "offset": len(logged) - 1}, headers=clerk).json()
    assert [h["action"] for h in last["items"]] == logged[-1:] and last["links"]["next"] is None
    # The deprecated alias answers the bare list it answered before.
    assert [h["action"] for h in api.client.get(f"/documents/{doc}/history", headers=clerk).json()] == logged

    for _ in range(3):
        create_job(
            api.ctx,
            new_job_id(),
            actor="staff:clerk",
            agencies=[AGENCY_A],
            files=[],
            dossier_code=None,
            procedure_code=None,
            agency_code=AGENCY_A,
        )
    jobs = api.client.get(f"{API_PREFIX}/jobs", params={"limit": 2}, headers=admin).json()
    assert (jobs["total"], len(jobs["items"])) == (3, 2)
    assert jobs["links"]["next"] == f"{API_PREFIX}/jobs?limit=2&offset=2"
    assert api.client.get(f"{API_PREFIX}/jobs", headers=clerk).json()["total"] == 3  # the clerk's own

    queue = api.client.get(f"{API_PREFIX}/signing/queue", params={"status": "signed"}, headers=clerk).json()
    assert (queue["items"], queue["total"], queue["links"]["next"]) == ([], 0, None)
    assert queue["links"]["self"] == f"{API_PREFIX}/signing/queue?status=signed&limit=100&offset=0"

    for n in range(2):
        created = api.client.post(
            f"{API_PREFIX}/webhooks",
            json={
                "url": f"https://dvc.example.gov.vn/hook{n}",
                "events": ["job.finished"],
                "secret_env": "S",
            },
            headers=admin,
        )
        assert created.status_code == 201, created.text
    hooks = api.client.get(f"{API_PREFIX}/webhooks", params={"limit": 1, "offset": 1}, headers=admin).json()
    assert (hooks["total"], [h["url"] for h in hooks["items"]]) == (2, ["https://dvc.example.gov.vn/hook1"])
    assert (
        hooks["links"]["prev"] == f"{API_PREFIX}/webhooks?limit=1&offset=0" and hooks["links"]["next"] is None
    )


def test_ids_are_integers_and_times_carry_their_offset(api: Api) -> None:
    _, doc = api.document(api.unique_pdf())
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    view = api.client.get(f"{API_PREFIX}/documents/{doc}", headers=clerk).json()
    assert isinstance(view["id"], int)
    assert all(OFFSET.search(v["created_at"]) for v in view["versions"])
    key = api.key("dvc", ["lookup"], ["*"])
    held = api.client.get(f"{API_PREFIX}/lookup", params={"owner": OWNER_ID}, headers=key).json()["held"]
    assert [h["document_id"] for h in held] == [doc]
    # The deprecated alias keeps the CLI's string (interfaces.md) for its last release.
    old = api.client.get("/lookup", params={"owner": OWNER_ID}, headers=key).json()["held"]
    assert [h["document_id"] for h in old] == [str(doc)]
    history = api.client.get(f"{API_PREFIX}/documents/{doc}/history", headers=clerk).json()["items"]
    assert history and all(OFFSET.search(h["at"]) for h in history)


def test_openapi_describes_v1_and_the_problem_shape(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    paths = set(schema["paths"])
    unversioned = {p for p in paths if not p.startswith(API_PREFIX)}
    # presigned links and the citizens' QR page are named by signed URLs / printed codes: never moved
    fixed = {p for p in paths if p.startswith(UNVERSIONED_ONLY)}
    assert unversioned <= {"/healthz"} | fixed, unversioned
    assert {f"{API_PREFIX}/documents", f"{API_PREFIX}/signing/queue", f"{API_PREFIX}/webhooks"} <= paths
    components = schema["components"]["schemas"]
    assert "Problem" in components and "HTTPValidationError" not in components
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "500" in responses and "422" in responses, (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert list(response["content"]) == [PROBLEM], (method, path, status)
    summary = components["DocumentSummary"]["properties"]
    assert summary["id"]["type"] == "integer"
    for listed in ("DocumentSummary", "HistoryEntry", "JobView", "QueueItem", "Subscription", "Delivery"):
        page = components[f"Page_{listed}_"]["properties"]
        assert {"items", "total", "limit", "offset", "links"} <= set(page), listed
    history = schema["paths"][f"{API_PREFIX}/documents/{{document_id}}/history"]["get"]
    assert {"limit", "offset"} <= {p["name"] for p in history["parameters"]}
    assert components["VersionView"]["properties"]["created_at"]["format"] == "date-time"


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    data = tmp_path / "data"
    live = LiveServer(data, env_for(data), tmp_path / "server.log")
    yield live
    live.stop()


@pytest.mark.slow  # starts a real sohoa serve (db upgrade first)
def test_docs_are_served_offline_from_the_package(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as client:
        for page in ("/docs", "/redoc"):
            html = client.get(page)
            assert html.status_code == 200, page
            text = html.text
            # Every asset the page loads is on this server: no CDN, no external URL at all.
            assert not re.search(r"https?://", text.replace(server.url, "")), text
            found = _Assets()
            found.feed(text)
            found.urls += re.findall(r"url: '([^']+)'", text) + re.findall(r'spec-url="([^"]+)"', text)
            assert any(u.endswith(".js") for u in found.urls), (page, found.urls)
            for url in found.urls:
                asset = client.get(url)
                assert asset.status_code == 200 and len(asset.content) > 100, (page, url)
        assert "swagger-ui" in client.get("/docs").text
        spec = client.get("/openapi.json").json()
        assert f"{API_PREFIX}/documents" in spec["paths"]

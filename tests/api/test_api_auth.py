"""Every endpoint refuses a missing or wrong credential (401) and a missing scope or role (403)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pipeline.accounts import get_user, issue_token
from storage.db.engine import run_in_transaction
from tests.api.conftest import AGENCY_A, PASSWORD, Api

# Open on purpose: readiness, the presigned downloads (their signature is the credential), login,
# the web engineer's page shell, and the document-type catalogue it labels things with (names only).
# The citizen's page and download are reached from the receipt's QR code: the dossier's 192-bit
# token in the link is their credential (tests/dossier/test_results.py: a wrong token is 404).
PUBLIC = {
    "/healthz", "/api/v1/healthz", "/objects/{bucket}/{key}", "/api/v1/auth/login", "/api/v1/doc-types",
    "/tra-cuu/{code}", "/tra-cuu/{code}/ket-qua.pdf",
}
SAMPLE_PARAMS = {
    "code": "000.00.31.H12-261121-0001",
    "document_id": "1",
    "item_id": "1",
    "job_id": "0" * 32,
    "key": "full_name",
    "bucket": "signed",
    "n": "1",
}


def protected_routes(api: Api) -> list[tuple[str, str]]:
    """Every operation of the OpenAPI description except the public ones."""
    routes = []
    for template, operations in api.client.get("/openapi.json").json()["paths"].items():
        if template in PUBLIC or template.startswith(("/web", "/static")) or template in {"/", "/index.html"}:
            continue
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "1"), template)
        for method in operations:
            if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                routes.append((method.upper(), path))
    return routes


def test_every_endpoint_needs_credentials(api: Api) -> None:
    routes = protected_routes(api)
    assert len(routes) >= 20, routes
    wrong = {"X-API-Key": "sohoa_nope_" + "x" * 40}
    bad_bearer = {"Authorization": "Bearer not-a-token"}
    for method, path in routes:
        for headers in ({}, wrong, bad_bearer):
            response = api.client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert set(response.json()) == {"type", "title", "status", "detail", "instance"}
            assert response.headers["content-type"] == "application/problem+json"


def test_healthz_open_and_ready(api: Api) -> None:
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["ready"] is True
    assert api.client.get("/openapi.json").json()["info"]["title"] == "sohoa"


def test_scope_is_enforced_for_keys(api: Api) -> None:
    lookup_only = api.key("lookup-only", ["lookup"], ["*"])
    assert (
        api.client.get("/api/v1/lookup", params={"owner": "027095001234"}, headers=lookup_only).status_code
        == 200
    )
    for method, path in [
        ("GET", "/api/v1/results/documents/1"),
        ("GET", "/api/v1/results/dossiers/000.00.31.H12-261121-0001"),
        ("GET", "/api/v1/documents"),
        ("GET", "/api/v1/documents/1"),
        ("PATCH", "/api/v1/documents/1/fields/full_name"),
        ("POST", "/api/v1/verify"),
        ("POST", "/api/v1/intake"),
        ("GET", "/api/v1/signing/queue"),
        ("POST", "/api/v1/signing/queue"),
    ]:
        response = api.client.request(method, path, headers=lookup_only, json={"value": "x"})
        assert response.status_code == 403, (method, path, response.text)


def test_keys_cannot_use_staff_only_endpoints(api: Api) -> None:
    everything = api.key("all-scopes", ["documents:read", "documents:write", "sign", "signing:queue"], ["*"])
    assert api.client.get("/api/v1/documents", headers=everything).status_code == 200
    assert (
        api.client.patch("/api/v1/documents/1/fields/x", json={"value": "v"}, headers=everything).status_code
        == 403
    )
    assert api.client.get("/api/v1/signing/queue", headers=everything).status_code == 403
    assert api.client.get("/api/v1/signing/queue/1/pdf", headers=everything).status_code == 403


def test_roles(api: Api) -> None:
    clerk = api.user("clerk1", ["clerk"], [AGENCY_A])
    official = api.user("official1", ["official"], [AGENCY_A])
    assert (
        api.client.get("/api/v1/signing/queue/1/pdf", headers=clerk).status_code == 403
    )  # clerks do not sign
    assert api.client.post("/api/v1/intake", headers=official).status_code == 403  # officials do not scan
    me = api.client.get("/api/v1/auth/me", headers=official).json()
    assert me["roles"] == ["official"] and "sign" in me["scopes"] and "intake" not in me["scopes"]


def test_login_logout_and_expiry(api: Api) -> None:
    api.user("clerk2", ["clerk"], [AGENCY_A])
    assert (
        api.client.post(
            "/api/v1/auth/login", json={"username": "clerk2", "password": "wrong-pass"}
        ).status_code
        == 401
    )
    assert (
        api.client.post("/api/v1/auth/login", json={"username": "nobody", "password": PASSWORD}).status_code
        == 401
    )
    response = api.client.post("/api/v1/auth/login", json={"username": "clerk2", "password": PASSWORD})
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    assert api.client.get("/api/v1/auth/me", headers=headers).json()["name"] == "clerk2"
    assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401

    short = run_in_transaction(
        api.ctx.engine, lambda s: issue_token(s, get_user(s, "clerk2"), timedelta(seconds=1)).token
    )
    import time

    time.sleep(1.2)
    assert api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {short}"}).status_code == 401


def test_revoked_key(api: Api) -> None:
    from pipeline.accounts import revoke_api_key

    headers = api.key("to-revoke", ["lookup"], ["*"])
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    run_in_transaction(api.ctx.engine, lambda s: revoke_api_key(s, "to-revoke", actor="test"))
    # Revoked from another process (the CLI): effective once the short auth cache entry lapses.
    api.ctx.auth_cache.clear()
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401


@pytest.mark.parametrize("bad", [["nope"], []])
def test_bad_scopes_refused(api: Api, bad: list[str]) -> None:
    from storage.db.errors import BadInputError

    with pytest.raises(BadInputError):
        api.key("bad", bad, ["*"])

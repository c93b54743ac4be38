"""Low findings of the security review: outage answers, log injection, response headers."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import create_engine

from tests.api.conftest import AGENCY_A, OWNER_ID, Api


def test_database_outage_is_503_with_vietnamese_message_everywhere(api: Api) -> None:
    """Every endpoint, not only /healthz and login: the database stops answering mid-service."""
    _code, doc = api.document(api.unique_pdf())
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    assert api.client.get("/auth/me", headers=clerk).status_code == 200  # credential now cached
    # A real outage: the engine now points at a loopback port where no database listens.
    api.ctx.engine = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    for method, path, kwargs in [
        ("GET", "/documents", {}),
        ("GET", f"/documents/{doc}", {}),
        ("POST", "/lookup", {"json": {"owner": OWNER_ID}}),
        ("GET", "/dossiers", {}),
        ("GET", "/review", {}),
        ("GET", "/signing/queue", {}),
        ("POST", "/auth/login", {"json": {"username": "clerk", "password": "mat-khau-thu-nghiem"}}),
    ]:
        response = api.client.request(method, path, headers=clerk, **kwargs)
        assert response.status_code == 503, (method, path, response.status_code, response.text)
        detail = response.json()["detail"]
        assert "cơ sở dữ liệu" in detail.lower() and "database" in detail
        assert "127.0.0.1" not in detail and "psycopg" not in detail
        assert response.headers.get("retry-after")


def test_control_characters_are_escaped_in_logs(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    forged = "/documents/x%0A2026-12-01 INFO sohoa.api.access: GET /admin 200 staff:admin"
    with caplog.at_level(logging.INFO):
        api.client.get(forged, headers=clerk)
        api.client.get("/nothing%0d%0aSet-Cookie:%20x=1%1b[31m")
    records = [r for r in caplog.records if r.name.startswith("sohoa")]
    assert records
    for record in records:
        line = record.getMessage()
        assert not any(ord(c) < 0x20 or c == "\x7f" for c in line), repr(line)
    assert any("\\x0a2026-12-01" in r.getMessage() for r in records)


def test_nul_bytes_in_query_or_path_are_422_problems(api: Api) -> None:
    admin = api.user("admin", ["administrator"], ["*"])
    for url in (
        "/api/v1/signing/queue?official=ab%00cd",  # PostgreSQL text cannot hold NUL: was a 500
        "/api/v1/jobs?%F0%9F%98%80k%00=%C3%87",
        "/api/v1/documents/x%00y",
    ):
        res = api.client.get(url, headers=admin)
        assert res.status_code == 422, (url, res.status_code, res.text)
        assert res.headers["content-type"].startswith("application/problem+json")
        assert "\x00" not in res.json()["instance"]
    # a non-ASCII query key still gets its Link header (latin-1 only): was a 500
    res = api.client.get("/api/v1/jobs?%F0%9F%98%80k=%C3%87&limit=1", headers=admin)
    assert res.status_code == 200, res.text
    assert "%F0%9F%98%80k=%C3%87" in res.json()["links"]["self"]


PERSONAL = ["/lookup?owner=" + OWNER_ID, "/documents", "/auth/me"]


def test_security_headers_on_pages_and_personal_data(api: Api) -> None:
    _code, doc = api.document(api.unique_pdf())
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    for path in [*PERSONAL, f"/documents/{doc}", "/healthz", "/openapi.json"]:
        response = api.client.get(path, headers=clerk)
        assert response.status_code == 200, (path, response.text)
        headers = response.headers
        assert "no-store" in headers.get("cache-control", ""), path
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("referrer-policy") == "no-referrer", path
        csp = headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "default-src" in csp, path
    page = api.client.get("/")
    if page.status_code == 200:  # the staff page shell, when the web engineer's router is present
        assert "frame-ancestors 'none'" in page.headers.get("content-security-policy", "")
        assert "no-store" in page.headers.get("cache-control", "")


def test_serve_log_handler_escapes_every_logger() -> None:
    """``sohoa serve``'s handler escapes uvicorn's and the app's records alike."""
    import io

    from config.log_safety import EscapeControlFilter

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(EscapeControlFilter())
    logger = logging.getLogger("uvicorn.error.test-escape")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("Invalid HTTP request: %s", "GET /\r\nFAKE 200\x1b[0m")
    finally:
        logger.removeHandler(handler)
    assert out.getvalue() == "Invalid HTTP request: GET /\\x0d\\x0aFAKE 200\\x1b[0m\n"

"""Every personal-data answer the API serves is no-store, unframeable and sends no referrer.

Security review (issue 13, low finding): the page images of a document were sent with
``Cache-Control: private, max-age=300``, so a re-view within five minutes came from the browser's
cache and never reached the append-only access record. The test walks the OpenAPI schema rather
than a hand-kept list, so a route added later is either covered here or named in ``NOT_REACHED``
with the reason.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.api.conftest import AGENCY_A, OWNER_ID, Api
from tests.api.test_api_signing import Desk, sapi
from tests.signing.conftest import PkiFixture

__all__ = ["sapi"]  # the fixture, imported for pytest

# Catalogues and liveness: no personal data in them.
PUBLIC = {"/healthz", "/api/v1/healthz", "/api/v1/doc-types", "/api/v1/procedures"}
# Personal-data GET routes this walk does not build the state for, and why.
NOT_REACHED = {
    "/api/v1/jobs/{job_id}": "needs an intake job (multipart upload and OCR); /jobs lists them",
    "/api/v1/dossiers/{code}/result": "needs a dossier result signed and sealed (tests/dossier)",
    "/tra-cuu/{code}/ket-qua.pdf": "needs a dossier result signed and sealed (tests/dossier)",
}
RENDERED = ("application/json", "application/pdf", "image/png", "text/html")


def assert_private(path: str, headers: dict[str, str]) -> None:
    cache = [d.strip() for d in headers.get("cache-control", "").split(",")]
    assert "no-store" in cache, (path, headers.get("cache-control"))
    assert not any(d.startswith("max-age") and d != "max-age=0" for d in cache), (path, cache)
    assert headers.get("referrer-policy") == "no-referrer", path
    assert headers.get("x-content-type-options") == "nosniff", path
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src" in csp, (path, csp)


def test_every_personal_data_route_is_no_store_and_unframeable(sapi: Api, pki: PkiFixture) -> None:
    api = sapi
    desk = Desk(api, pki)
    admin = api.user("admin", ["administrator"], ["*"])
    received = api.client.post(
        "/api/v1/dossiers/receive",
        json={
            "agency": AGENCY_A,
            "procedure": "1.004873",
            "applicant": OWNER_ID,
            "name": "Phan Công Sơn",
            "phone": "0777154203",
        },
        headers=desk.clerk,
    )
    assert received.status_code == 200, received.text
    receipt = received.json()
    code, document_id = api.document(api.unique_pdf())
    item = desk.queue(document_id)
    upload = desk.upload(item, desk.sign(desk.fetch(item)))
    assert upload.status_code in (200, 201), upload.text
    presigned = api.client.get(
        f"/api/v1/results/documents/{document_id}",
        params={"redirect": "presigned"},
        headers=admin,
        follow_redirects=False,
    )
    assert presigned.status_code == 307, presigned.text
    assert_private("presigned redirect", dict(presigned.headers))
    link = urlsplit(presigned.headers["location"])
    bucket, key = link.path.removeprefix("/objects/").split("/", 1)

    values = {
        "document_id": str(document_id),
        "page": "1",
        "item_id": str(item["id"]),
        "key": "full_name",
        "code": code,
        "job_id": "0" * 32,  # unknown: the 404 is still checked
    }
    # The citizen's pages take the receipt's code and its secret token instead.
    special = {
        "/objects/{bucket}/{key}": (f"/objects/{bucket}/{key}", {k: v for k, v in _query(link.query)}),
        "/tra-cuu/{code}": (f"/tra-cuu/{receipt['code']}", {"t": receipt["token"]}),
        # A received dossier has a case and a slip; the scanned one holds the signed document.
        "/api/v1/dossiers/{code}/case": (f"/api/v1/dossiers/{receipt['code']}/case", {}),
        "/api/v1/dossiers/{code}/slip.pdf": (f"/api/v1/dossiers/{receipt['code']}/slip.pdf", {}),
    }
    queries = {
        "/api/v1/lookup": {"owner": OWNER_ID},
        "/api/v1/access-log": {"owner": OWNER_ID},
        "/api/v1/search": {"q": OWNER_ID},
        "/api/v1/results": {"dossier": code},
    }
    schema = api.client.get("/openapi.json").json()
    reached: set[str] = set()
    routes: set[str] = set()
    for template, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or template in PUBLIC:
            continue
        content = get.get("responses", {}).get("200", {}).get("content", {})
        if not any(kind in content for kind in RENDERED):
            continue
        routes.add(template)
        if template in special:
            url, params = special[template]
        else:
            url, params = template.format(**values), queries.get(template, {})
        for headers in (desk.clerk, desk.official, admin):
            response = api.client.get(url, params=params, headers=headers, follow_redirects=False)
            assert_private(url, dict(response.headers))  # refusals too: they name what exists
            if response.status_code == 200:
                reached.add(template)
                break
    # The personal data sent by POST (the lookup and the access record) and PATCH.
    for path, body in (("/api/v1/lookup", {"owner": OWNER_ID}), ("/api/v1/access-log", {"owner": OWNER_ID})):
        response = api.client.post(path, json=body, headers=admin)
        assert response.status_code == 200, (path, response.text)
        assert_private(path, dict(response.headers))
    corrected = api.client.patch(
        f"/api/v1/documents/{document_id}/fields/full_name", json={"value": "Nguyễn Văn Bình"}, headers=admin
    )
    assert_private("PATCH field", dict(corrected.headers))

    assert "/api/v1/documents/{document_id}/pages/{page}.png" in reached
    assert routes - set(NOT_REACHED) == reached, sorted(routes - set(NOT_REACHED) - reached)
    assert set(NOT_REACHED) <= routes, sorted(set(NOT_REACHED) - routes)  # no stale excuses


def _query(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query, keep_blank_values=True)

"""Documents: search, agency isolation, audited corrections, review queue; lookup = the CLI's JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from storage.db.engine import read_session
from storage.db.models import AuditEntry
from tests.api.conftest import AGENCY_A, AGENCY_B, OWNER_ID, Api

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def test_search_and_isolation(api: Api) -> None:
    code_a, doc_a = api.document(api.unique_pdf())
    code_b, doc_b = api.document(
        api.unique_pdf(), agency=AGENCY_B, doc_type="cccd", fields={"id_number": "001203004005"}
    )
    clerk_a = api.user("clerka", ["clerk"], [AGENCY_A])
    admin = api.user("admin", ["administrator"], [AGENCY_A])

    def ids(headers: dict[str, str], **params: str) -> list[int]:
        response = api.client.get("/api/v1/documents", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [d["id"] for d in response.json()["items"]]

    assert ids(clerk_a) == [doc_a]
    assert sorted(ids(admin)) == sorted([doc_a, doc_b])
    assert ids(admin, dossier=code_b) == [doc_b]
    assert ids(admin, owner=OWNER_ID) == [doc_a]
    assert ids(admin, doc_type="cccd") == [doc_b]
    assert ids(clerk_a, doc_type="cccd") == []
    assert ids(clerk_a, dossier=code_b) == []
    assert api.client.get("/api/v1/documents", params={"owner": "12"}, headers=admin).status_code == 422
    assert api.client.get(f"/api/v1/documents/{doc_b}", headers=clerk_a).status_code == 404
    assert api.client.get(f"/api/v1/dossiers/{code_b}", headers=clerk_a).status_code == 404
    dossier = api.client.get(f"/api/v1/dossiers/{code_a}", headers=clerk_a).json()
    assert dossier["agency"] == AGENCY_A and [d["id"] for d in dossier["documents"]] == [doc_a]
    listed = api.client.get("/api/v1/dossiers", headers=clerk_a).json()["items"]
    assert [d["code"] for d in listed] == [code_a] and listed[0]["components"] == 1
    view = api.client.get(f"/api/v1/documents/{doc_a}", headers=clerk_a).json()
    assert {f["key"] for f in view["fields"]} == {"full_name", "id_number"}
    assert {v["kind"] for v in view["versions"]} == {"original", "searchable"}


def test_field_and_type_corrections_are_audited(api: Api) -> None:
    _, doc = api.document(api.unique_pdf())
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    review = api.client.get("/api/v1/review", headers=clerk).json()["items"]
    assert [(r["document_id"], r["field"]["key"]) for r in review] == [(doc, "full_name")]

    response = api.client.patch(
        f"/api/v1/documents/{doc}/fields/full_name", json={"value": "Nguyễn Văn Bính"}, headers=clerk
    )
    assert response.status_code == 200, response.text
    field = response.json()
    assert field["value"] == "Nguyễn Văn Bính" and field["original_value"] == "Nguyễn Văn Bình"
    assert field["reviewed_by"] == "staff:clerk" and field["reviewed_at"]
    assert api.client.get("/api/v1/review", headers=clerk).json()["items"] == []

    response = api.client.patch(
        f"/api/v1/documents/{doc}", json={"doc_type": "marriage_certificate"}, headers=clerk
    )
    assert response.status_code == 200 and response.json()["doc_type"] == "marriage_certificate"
    assert (
        api.client.patch(
            f"/api/v1/documents/{doc}", json={"doc_type": "no_such_type"}, headers=clerk
        ).status_code
        == 422
    )

    history = api.client.get(f"/api/v1/documents/{doc}/history", headers=clerk).json()
    actions = [(h["action"], h["actor"]) for h in history]
    assert ("field.reviewed", "staff:clerk") in actions and ("document.doc_type", "staff:clerk") in actions
    change = next(h for h in history if h["action"] == "document.doc_type")
    assert change["details"] == {"previous": "birth_certificate", "doc_type": "marriage_certificate"}
    with read_session(api.ctx.engine) as session:
        logged = session.scalars(select(AuditEntry.details).where(AuditEntry.document_id == doc)).all()
    assert all(OWNER_ID not in json.dumps(d) for d in logged)  # no id number copied into the audit log

    # Keys read but never write, even with the scope; another agency's clerk cannot write.
    key = api.key("writer", ["documents:write", "documents:read"], ["*"])
    assert (
        api.client.patch(
            f"/api/v1/documents/{doc}/fields/full_name", json={"value": "x"}, headers=key
        ).status_code
        == 403
    )
    clerk_b = api.user("clerkb", ["clerk"], [AGENCY_B])
    assert (
        api.client.patch(
            f"/api/v1/documents/{doc}/fields/full_name", json={"value": "x"}, headers=clerk_b
        ).status_code
        == 404
    )


def test_lookup_is_the_cli_json(api: Api) -> None:
    api.document(api.unique_pdf())
    api.document(
        api.unique_pdf(), doc_type="cccd", fields={"id_number": OWNER_ID, "full_name": "Nguyễn Văn Bình"}
    )
    key = api.key("lookup", ["lookup"], ["*"])
    for params in (
        {"owner": OWNER_ID},
        {"owner": OWNER_ID, "procedure": "1.000894"},
        {"owner": "001203004005"},
    ):
        response = api.client.get("/api/v1/lookup", params=params, headers=key)
        assert response.status_code == 200, response.text
        argv = [SOHOA, "lookup", "--owner", params["owner"], "--json"]
        if "procedure" in params:
            argv += ["--procedure", params["procedure"]]
        env = {**os.environ, "SOHOA_DATA_DIR": str(api.settings.data_dir), "SOHOA_DATABASE__URL": api.db.url}
        cli = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        assert cli.returncode == 0, cli.stderr
        # v1 types document ids as integers; otherwise the JSON is the CLI's, key for key.
        expected = json.loads(cli.stdout)
        for held_doc in expected["held"]:
            held_doc["document_id"] = int(held_doc["document_id"])
        assert response.json() == expected
        posted = api.client.post("/api/v1/lookup", json=params, headers=key)
        assert posted.status_code == 200 and posted.json() == response.json()
    held = api.client.get(
        "/api/v1/lookup", params={"owner": OWNER_ID, "procedure": "1.000894"}, headers=key
    ).json()
    # the shipped catalogue: marriage registration asks for the marital status confirmation
    assert len(held["held"]) == 2 and held["missing"] == ["application_form", "marital_status_confirmation"]
    bad = api.client.get("/api/v1/lookup", params={"owner": "02709500"}, headers=key)
    assert bad.status_code == 422 and "02709500" not in bad.text
    assert (
        api.client.get(
            "/api/v1/lookup", params={"owner": OWNER_ID, "procedure": "9.999999"}, headers=key
        ).status_code
        == 404
    )

"""Every answer that shows personal fields leaves an access record (Decree 13/2023/NĐ-CP).

Before, only lookups and ``GET /documents/{id}`` wrote to ``personal_data_access``: a dossier's
page, the review queue and a document search showed id numbers and field values with no trace,
and a page image (the scan itself, every field on it) still did.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import AGENCY_A, AGENCY_B, OWNER_ID, Api

OTHER_ID = "001203004005"


def _entries(api: Api, owner: str = OWNER_ID) -> list[dict[str, Any]]:
    admin = api.user(f"admin-{api.unique_pdf().stem}", ["administrator"], ["*"])
    response = api.client.post("/access-log", json={"owner": owner}, headers=admin)
    assert response.status_code == 200, response.text
    return list(response.json()["entries"])


def test_dossier_page_is_recorded(api: Api) -> None:
    code, doc = api.document(api.unique_pdf(), agency=AGENCY_A)
    clerk = api.user("clerk-a", ["clerk"], [AGENCY_A])
    response = api.client.get(f"/dossiers/{code}", headers=clerk)
    assert response.status_code == 200, response.text
    assert [d["owner_id"] for d in response.json()["documents"]] == [OWNER_ID]
    [entry] = _entries(api)
    assert (entry["actor"], entry["action"], entry["dossier"], entry["fields"]) == (
        "staff:clerk-a", "dossier.read", code, ["owner_id"],
    )
    assert entry["document_id"] == str(doc) and entry["documents"] == 1
    assert entry["at"].endswith(("Z", "+00:00"))


def test_review_queue_is_recorded_with_the_fields_it_shows(api: Api) -> None:
    code, doc = api.document(api.unique_pdf(), agency=AGENCY_A)  # full_name waits for review
    clerk = api.user("clerk-a", ["clerk"], [AGENCY_A])
    response = api.client.get("/api/v1/review", headers=clerk)
    assert response.status_code == 200, response.text
    assert [i["field"]["key"] for i in response.json()["items"]] == ["full_name"]
    [entry] = _entries(api)
    assert (entry["actor"], entry["action"], entry["dossier"], entry["fields"]) == (
        "staff:clerk-a", "review.read", code, ["full_name"],
    )
    assert entry["document_id"] == str(doc)


def test_document_search_is_recorded_for_every_person_shown_and_the_one_searched(api: Api) -> None:
    code_1, doc_1 = api.document(api.unique_pdf(), agency=AGENCY_A)
    code_2, doc_2 = api.document(api.unique_pdf(), agency=AGENCY_A)
    code_3, _doc_3 = api.document(api.unique_pdf(), agency=AGENCY_A, fields={"id_number": OTHER_ID})
    clerk = api.user("clerk-a", ["clerk"], [AGENCY_A])

    by_owner = api.client.get("/api/v1/documents", params={"owner": OWNER_ID}, headers=clerk)
    assert by_owner.status_code == 200, by_owner.text
    assert {int(i["id"]) for i in by_owner.json()["items"]} == {doc_1, doc_2}
    entries = _entries(api)
    assert sorted((e["action"], e["dossier"], e["document_id"]) for e in entries) == sorted(
        [("document.search", code_1, str(doc_1)), ("document.search", code_2, str(doc_2))]
    )
    assert {e["actor"] for e in entries} == {"staff:clerk-a"}

    # A listing without a filter shows both people's id numbers: both are recorded.
    listing = api.client.get("/api/v1/documents", headers=clerk)
    assert listing.status_code == 200 and listing.json()["total"] == 3
    assert [e["dossier"] for e in _entries(api, OTHER_ID)] == [code_3]
    assert len(_entries(api)) == 4

    # Asking for a person of whom nothing is held still says something about them.
    nobody = "079199000111"
    empty = api.client.get("/api/v1/documents", params={"owner": nobody}, headers=clerk)
    assert empty.status_code == 200 and empty.json()["items"] == []
    [entry] = _entries(api, nobody)
    assert (entry["action"], entry["documents"], entry["fields"]) == ("document.search", 0, [])


def test_page_image_is_recorded_with_its_document_and_page(api: Api) -> None:
    code, doc = api.document(api.unique_pdf(), agency=AGENCY_A)
    clerk = api.user("clerk-a", ["clerk"], [AGENCY_A])
    response = api.client.get(f"/api/v1/documents/{doc}/pages/1.png", headers=clerk)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\x89PNG")
    [entry] = _entries(api)
    assert (entry["actor"], entry["action"], entry["dossier"], entry["document_id"], entry["page"]) == (
        "staff:clerk-a", "document.page", code, str(doc), 1,
    )
    assert (entry["fields"], entry["documents"]) == (["page_image"], 1)
    assert entry["at"].endswith(("Z", "+00:00"))

    # Each image served is a read (the unversioned path too); what is not shown is not recorded.
    assert api.client.get(f"/documents/{doc}/pages/1.png", headers=clerk).status_code == 200
    assert api.client.get(f"/documents/{doc}/pages/2.png", headers=clerk).status_code == 404
    clerk_b = api.user("clerk-b", ["clerk"], [AGENCY_B])
    assert api.client.get(f"/documents/{doc}/pages/1.png", headers=clerk_b).status_code == 404
    assert [(e["actor"], e["page"]) for e in _entries(api)] == [("staff:clerk-a", 1), ("staff:clerk-a", 1)]


def test_no_answer_leaves_without_its_record(api: Api) -> None:
    """The record is written before the answer: when it cannot be written, nothing is shown."""
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    client = TestClient(api.client.app, base_url="http://127.0.0.1:8080", raise_server_exceptions=False)

    _code, doc = api.document(api.unique_pdf(), agency=AGENCY_A)
    clerk = api.user("clerk-a", ["clerk"], [AGENCY_A])
    if api.db.engine.dialect.name == "sqlite":
        create = [
            "CREATE TRIGGER refuse_records BEFORE INSERT ON personal_data_access "
            "BEGIN SELECT RAISE(ABORT, 'records refused'); END"
        ]
        drop = ["DROP TRIGGER refuse_records"]
    else:
        create = [
            "CREATE FUNCTION refuse_records() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'records refused'; END $$",
            "CREATE TRIGGER refuse_records BEFORE INSERT ON personal_data_access "
            "FOR EACH ROW EXECUTE FUNCTION refuse_records()",
        ]
        drop = ["DROP TRIGGER refuse_records ON personal_data_access", "DROP FUNCTION refuse_records()"]
    with api.db.engine.begin() as conn:
        for statement in create:
            conn.execute(text(statement))
    try:
        for method, path, kwargs in [
            ("POST", "/lookup", {"json": {"owner": OWNER_ID}}),
            ("GET", f"/documents/{doc}", {}),
            ("GET", "/api/v1/documents", {"params": {"owner": OWNER_ID}}),
            ("GET", f"/api/v1/documents/{doc}/pages/1.png", {}),
        ]:
            response = client.request(method, path, headers=clerk, **kwargs)
            assert response.status_code == 500, (path, response.status_code)
            assert OWNER_ID not in response.text and "Nguyễn" not in response.text
            assert not response.content.startswith(b"\x89PNG")
    finally:
        with api.db.engine.begin() as conn:
            for statement in drop:
                conn.execute(text(statement))
    assert api.client.post("/lookup", json={"owner": OWNER_ID}, headers=clerk).status_code == 200

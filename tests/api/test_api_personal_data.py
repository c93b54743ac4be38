"""Purpose-bound lookup and the personal-data access record (Decree 13/2023/NĐ-CP).

Security review finding (high): a key limited to agency A with only the ``lookup`` scope got
agency B's whole record for any id number. Now a lookup names the dossier it serves (or a
declared legal basis); without one a restricted caller sees only its own agencies' holdings,
and every lookup and every read of a document's fields is recorded, append-only.
"""

from __future__ import annotations

from typing import Any

from storage.db.engine import run_in_transaction
from tests.api.conftest import AGENCY_A, AGENCY_B, OWNER_ID, Api


def _two_agencies(api: Api) -> tuple[tuple[str, int], tuple[str, int]]:
    a = api.document(api.unique_pdf(), agency=AGENCY_A)
    b = api.document(api.unique_pdf(), agency=AGENCY_B)
    return a, b


def _held(response: Any) -> set[int]:
    assert response.status_code == 200, response.text
    return {int(h["document_id"]) for h in response.json()["held"]}


def test_restricted_key_without_purpose_sees_only_its_agencies(api: Api) -> None:
    (_code_a, doc_a), (_code_b, _doc_b) = _two_agencies(api)
    key_a = api.key("agency-a", ["lookup"], [AGENCY_A])
    assert _held(api.client.get("/lookup", params={"owner": OWNER_ID}, headers=key_a)) == {doc_a}
    assert _held(api.client.post("/lookup", json={"owner": OWNER_ID}, headers=key_a)) == {doc_a}
    clerk_a = api.user("clerk-a", ["clerk"], [AGENCY_A])
    assert _held(api.client.post("/lookup", json={"owner": OWNER_ID}, headers=clerk_a)) == {doc_a}


def test_lookup_for_own_dossier_of_that_person_reuses_across_agencies(api: Api) -> None:
    (code_a, doc_a), (_code_b, doc_b) = _two_agencies(api)
    key_a = api.key("agency-a", ["lookup"], [AGENCY_A])
    body = {"owner": OWNER_ID, "dossier": code_a}
    assert _held(api.client.post("/lookup", json=body, headers=key_a)) == {doc_a, doc_b}
    params = {"owner": OWNER_ID, "dossier": code_a}
    assert _held(api.client.get("/lookup", params=params, headers=key_a)) == {doc_a, doc_b}


def test_purpose_dossier_must_be_callers_and_concern_that_person(api: Api) -> None:
    (_code_a, _doc_a), (code_b, _doc_b) = _two_agencies(api)
    other_person = api.document(api.unique_pdf(), agency=AGENCY_A, fields={"id_number": "001203004005"})
    key_a = api.key("agency-a", ["lookup"], [AGENCY_A])
    # B's dossier is not A's to cite: answered as if absent.
    refused = api.client.post("/lookup", json={"owner": OWNER_ID, "dossier": code_b}, headers=key_a)
    assert refused.status_code == 404, refused.text
    # A's own dossier of somebody else is no purpose for this person.
    unrelated = api.client.post(
        "/lookup", json={"owner": OWNER_ID, "dossier": other_person[0]}, headers=key_a
    )
    assert unrelated.status_code == 403, unrelated.text
    assert OWNER_ID not in unrelated.text


def test_declared_legal_basis_is_recorded(api: Api) -> None:
    (_code_a, doc_a), (_code_b, doc_b) = _two_agencies(api)
    key_a = api.key("agency-a", ["lookup"], [AGENCY_A])
    body = {"owner": OWNER_ID, "legal_basis": "state_function"}
    assert _held(api.client.post("/lookup", json=body, headers=key_a)) == {doc_a, doc_b}
    admin = api.user("admin", ["administrator"], ["*"])
    entries = api.client.post("/access-log", json={"owner": OWNER_ID}, headers=admin).json()["entries"]
    assert [(e["action"], e["legal_basis"]) for e in entries] == [("lookup", "state_function")]
    assert "luật chuyên ngành" in entries[0]["legal_basis_label"]  # staff read the Vietnamese ground


def test_unknown_legal_basis_is_refused_with_the_list(api: Api) -> None:
    (_code_a, _doc_a), (_code_b, _doc_b) = _two_agencies(api)
    key_a = api.key("agency-a", ["lookup"], [AGENCY_A])
    # Free text was accepted before (10-255 characters) and gave the whole cross-agency record.
    for basis in ("Điều 17 Nghị định 13/2023/NĐ-CP: yêu cầu của cơ quan có thẩm quyền", "curiosity"):
        refused = api.client.post("/lookup", json={"owner": OWNER_ID, "legal_basis": basis}, headers=key_a)
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "Căn cứ pháp lý không có trong danh mục" in problem["detail"]
        assert "state_function" in problem["detail"] and "consent" in problem["detail"]
        params = {"owner": OWNER_ID, "legal_basis": basis}
        refused_get = api.client.get("/lookup", params=params, headers=key_a)
        assert refused_get.status_code == 422, refused_get.text
    admin = api.user("admin", ["administrator"], ["*"])
    entries = api.client.post("/access-log", json={"owner": OWNER_ID}, headers=admin).json()["entries"]
    assert entries == []  # nothing was shown, nothing recorded


def test_legal_reference_names_the_law_beside_the_code(api: Api) -> None:
    """The code says which ground, the reference which text: both recorded and listed."""
    import unicodedata

    (code_a, _doc_a), (_code_b, _doc_b) = _two_agencies(api)
    key_a = api.key("agency-a", ["lookup"], [AGENCY_A])
    decomposed = unicodedata.normalize("NFD", "  Luật Cư trú 2020, Điều 11 ")  # as some keyboards send it
    body = {"owner": OWNER_ID, "legal_basis": "state_function", "legal_reference": decomposed}
    assert api.client.post("/lookup", json=body, headers=key_a).status_code == 200
    params = {"owner": OWNER_ID, "dossier": code_a, "legal_reference": "Luật Hộ tịch 2014, Điều 9"}
    assert api.client.get("/lookup", params=params, headers=key_a).status_code == 200
    admin = api.user("admin", ["administrator"], ["*"])
    entries = api.client.post("/access-log", json={"owner": OWNER_ID}, headers=admin).json()["entries"]
    assert [(e["legal_basis"], e["dossier"], e["legal_reference"]) for e in entries] == [
        ("state_function", None, "Luật Cư trú 2020, Điều 11"),  # NFC, outer blanks stripped
        (None, code_a, "Luật Hộ tịch 2014, Điều 9"),
    ]


def test_legal_reference_is_checked(api: Api) -> None:
    (_code_a, _doc_a), (_code_b, _doc_b) = _two_agencies(api)
    key_a = api.key("agency-a", ["lookup"], [AGENCY_A])
    refused = {
        "Luật Cư trú 2020\n2026-12-02 lookup forged": "ký tự điều khiển",  # a forged log line
        "Điều 11\x1b[2J": "ký tự điều khiển",  # a terminal escape
        "Luật \u202eCư trú": "ký tự điều khiển",  # a bidi override reorders what staff read
        "Luật Cư\u200b trú": "ký tự điều khiển",  # zero-width: two references that look the same
        "Đ" * 256: "",  # longer than the column (pydantic's own 422)
    }
    for reference, message in refused.items():
        body = {"owner": OWNER_ID, "legal_basis": "consent", "legal_reference": reference}
        response = api.client.post("/lookup", json=body, headers=key_a)
        assert response.status_code == 422, (reference, response.text)
        assert message in response.text
        get = api.client.get("/lookup", params=body, headers=key_a)
        assert get.status_code == 422, (reference, get.text)
    # A cited article is no ground by itself: it would read as one that widens access.
    alone = api.client.post(
        "/lookup", json={"owner": OWNER_ID, "legal_reference": "Luật Cư trú 2020, Điều 11"}, headers=key_a
    )
    assert alone.status_code == 422 and "đi kèm" in alone.json()["detail"], alone.text
    admin = api.user("admin", ["administrator"], ["*"])
    entries = api.client.post("/access-log", json={"owner": OWNER_ID}, headers=admin).json()["entries"]
    assert entries == []  # nothing was shown, nothing recorded


def test_rows_written_with_free_text_basis_stay_readable(api: Api) -> None:
    """Rows of before the list keep their free text; listing them neither fails nor relabels."""
    from storage.db.access_rows import AccessRow, append_access_rows

    old = "Điều 17 Nghị định 13/2023/NĐ-CP: yêu cầu của cơ quan có thẩm quyền"
    run_in_transaction(
        api.ctx.engine,
        lambda s: append_access_rows(
            s, [AccessRow("key:old", "lookup", OWNER_ID, ["full_name"], 1, legal_basis=old)]
        ),
    )
    admin = api.user("admin", ["administrator"], ["*"])
    entries = api.client.post("/access-log", json={"owner": OWNER_ID}, headers=admin).json()["entries"]
    assert [(e["legal_basis"], e["legal_basis_label"]) for e in entries] == [(old, None)]


def test_every_lookup_and_field_read_is_in_the_access_log(api: Api) -> None:
    (code_a, doc_a), (_code_b, _doc_b) = _two_agencies(api)
    key_a = api.key("agency-a", ["lookup"], [AGENCY_A])
    clerk_a = api.user("clerk-a", ["clerk"], [AGENCY_A])
    api.client.post("/lookup", json={"owner": OWNER_ID, "dossier": code_a}, headers=key_a)
    api.client.get("/lookup", params={"owner": OWNER_ID}, headers=key_a)
    assert api.client.get(f"/documents/{doc_a}", headers=clerk_a).status_code == 200

    admin = api.user("admin", ["administrator"], ["*"])
    response = api.client.get("/access-log", params={"owner": OWNER_ID}, headers=admin)
    assert response.status_code == 200, response.text
    assert "no-store" in response.headers.get("cache-control", "")
    entries = response.json()["entries"]
    assert [(e["actor"], e["action"], e["dossier"]) for e in entries] == [
        ("key:agency-a", "lookup", code_a),
        ("key:agency-a", "lookup", None),
        ("staff:clerk-a", "document.read", code_a),
    ]
    assert entries[0]["fields"] == ["full_name", "id_number"]
    assert entries[0]["documents"] == 2 and entries[1]["documents"] == 1
    assert entries[2]["document_id"] == str(doc_a)
    assert all(e["at"].endswith(("Z", "+00:00")) for e in entries)  # every timestamp has its offset
    # Only the one who may see the whole record reads it: a clerk may not.
    assert api.client.get("/access-log", params={"owner": OWNER_ID}, headers=clerk_a).status_code == 403

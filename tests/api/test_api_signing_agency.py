"""Agency integrity of signing: only an official of the document's agency is queued, signs or
cancels its items (finding: a clerk of A queued A's document to an official of B, whose signed
copy was accepted as A's result; an official cancelled another official's pending item)."""

from __future__ import annotations

from sqlalchemy import update

from storage.db.api_models import StaffUser
from storage.db.engine import write_session
from tests.api.conftest import AGENCY_A, AGENCY_B, Api

CERT_1 = "a1" * 32
CERT_2 = "b2" * 32


def _queue(api: Api, document_id: int, official: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    body = {"document_id": document_id, "official": official}
    return api.client.post("/signing/queue", json=body, headers=headers)


def test_document_cannot_be_queued_to_another_agencys_official(api: Api) -> None:
    _code, doc = api.document(api.unique_pdf())
    clerk_a = api.user("clerk-a", ["clerk"], [AGENCY_A])
    api.user("official-b", ["official"], [AGENCY_B], cert_sha256=CERT_2)
    refused = _queue(api, doc, "official-b", clerk_a)
    assert refused.status_code == 403, refused.text
    api.user("official-a", ["official"], [AGENCY_A], cert_sha256=CERT_1)
    assert _queue(api, doc, "official-a", clerk_a).status_code == 201


def test_official_cannot_cancel_another_officials_item(api: Api) -> None:
    _code, doc = api.document(api.unique_pdf())
    clerk_a = api.user("clerk-a", ["clerk"], [AGENCY_A])
    official_1 = api.user("official-1", ["official"], [AGENCY_A], cert_sha256=CERT_1)
    official_2 = api.user("official-2", ["official"], [AGENCY_A], cert_sha256=CERT_2)
    item = _queue(api, doc, "official-1", clerk_a).json()
    other = api.client.delete(f"/signing/queue/{item['id']}", headers=official_2)
    assert other.status_code in (403, 404), other.text
    assert api.client.delete(f"/signing/queue/{item['id']}", headers=official_1).status_code == 200
    again = _queue(api, doc, "official-1", clerk_a).json()
    assert api.client.delete(f"/signing/queue/{again['id']}", headers=clerk_a).status_code == 200


def test_official_moved_to_another_agency_can_no_longer_sign(api: Api) -> None:
    _code, doc = api.document(api.unique_pdf())
    clerk_a = api.user("clerk-a", ["clerk"], [AGENCY_A])
    official = api.user("official-1", ["official"], [AGENCY_A], cert_sha256=CERT_1)
    item = _queue(api, doc, "official-1", clerk_a).json()
    with write_session(api.ctx.engine) as session:
        moved = update(StaffUser).where(StaffUser.username == "official-1").values(agencies=[AGENCY_B])
        session.execute(moved)
    api.ctx.auth_cache.clear()
    fetched = api.client.get(f"/signing/queue/{item['id']}/pdf", headers=official)
    assert fetched.status_code == 403, fetched.text
    upload = api.client.post(
        f"/signing/queue/{item['id']}/signed",
        content=b"%PDF-1.7 whatever was signed elsewhere",
        headers={**official, "Content-Type": "application/pdf"},
    )
    assert upload.status_code == 403, upload.text

"""The staff page's dossier routes on SQLite and PostgreSQL: catalogue, receive with reuse, the
case and its timeline, transitions, the receipt slip, a document's PDF and search by agency."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db.document_text import store_text
from storage.db.engine import run_in_transaction
from tests.api.conftest import AGENCY_A, AGENCY_B, OWNER_ID, Api, make_api
from tests.db.fixtures import Database

PROCEDURE = "1.004873"  # application_form + cccd, 3 working days
V1 = "/api/v1"


@pytest.fixture
def staff_api(db: Database, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(db, tmp_path, signing={"organisation": "UBND phường Vĩnh Hòa"})


def _receive(api: Api, headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    res = api.client.post(
        f"{V1}/dossiers/receive",
        json={
            "agency": AGENCY_A,
            "procedure": PROCEDURE,
            "applicant": OWNER_ID,
            "name": "Phan Công Sơn",
            "phone": "0777154203",
        },
        headers=headers,
    )
    assert res.status_code == 200, res.text
    return res.json()


def test_receive_reuse_slip_transitions_and_search(staff_api: Api) -> None:
    api = staff_api
    clerk = api.user("canbo", ["clerk"], [AGENCY_A])
    outsider = api.user("xakhac", ["clerk"], [AGENCY_B])
    held_code, held_id = api.document(
        api.unique_pdf("CCCD"), doc_type="cccd", fields={"id_number": OWNER_ID, "full_name": "PHAN CÔNG SƠN"}
    )
    run_in_transaction(
        api.ctx.engine, lambda s: store_text(s, held_id, "CĂN CƯỚC CÔNG DÂN Phan Công Sơn Vĩnh Hòa")
    )

    procedures = api.client.get(f"{V1}/procedures", headers=clerk).json()
    confirm = next(p for p in procedures if p["code"] == PROCEDURE)
    assert {c["doc_type"] for c in confirm["components"]} == {"application_form", "cccd"}

    view = _receive(api, clerk)
    code = view["code"]
    status = {c["doc_type"]: c for c in view["components"]}
    assert status["cccd"]["status"] == "held" and status["cccd"]["held_document_id"] == held_id
    assert status["application_form"]["status"] == "missing"

    res = api.client.post(f"{V1}/dossiers/{code}/reuse", json={"components": ["cccd"]}, headers=clerk)
    assert res.status_code == 200, res.text
    status = {c["doc_type"]: c for c in res.json()["components"]}
    assert status["cccd"]["status"] == "reused" and status["cccd"]["document_id"] == held_id

    case = api.client.get(f"{V1}/dossiers/{code}/case", headers=clerk).json()
    actions = [t["action"] for t in case["timeline"]]
    assert "component.reused" in actions or any("reuse" in a for a in actions), actions
    assert api.client.get(f"{V1}/dossiers/{code}/case", headers=outsider).status_code == 404

    slip = api.client.get(f"{V1}/dossiers/{code}/slip.pdf", headers=clerk)
    assert slip.status_code == 200 and slip.headers["content-type"] == "application/pdf"
    path = api.tmp / "slip.pdf"
    path.write_bytes(slip.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "hẹn trả kết quả" in text and code in text
    assert api.client.get(f"{V1}/dossiers/{code}/slip.pdf", headers=outsider).status_code == 404

    pdf = api.client.get(f"{V1}/documents/{held_id}/pdf?download=true", headers=clerk)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"].startswith("attachment")
    assert api.client.get(f"{V1}/documents/{held_id}/pdf", headers=outsider).status_code == 404

    # Transitions: refused ones are a 422 problem and change nothing; each one taken is audited.
    bad = api.client.post(f"{V1}/dossiers/{code}/transitions", json={"state": "returned"}, headers=clerk)
    assert bad.status_code == 422 and "Không thể chuyển" in bad.json()["detail"]
    no_reason = api.client.post(
        f"{V1}/dossiers/{code}/transitions", json={"state": "rejected"}, headers=clerk
    )
    assert no_reason.status_code == 422
    res = api.client.post(f"{V1}/dossiers/{code}/transitions", json={"state": "processing"}, headers=clerk)
    assert res.status_code == 200 and res.json()["state"] == "processing", res.text
    # "finished" comes only with a filed e-result (signed and sealed): never by a bare transition.
    for state in ("finished", "returned"):
        res = api.client.post(f"{V1}/dossiers/{code}/transitions", json={"state": state}, headers=clerk)
        assert res.status_code == 422, res.text
    assert (
        "kết quả điện tử"
        in api.client.post(
            f"{V1}/dossiers/{code}/transitions", json={"state": "finished"}, headers=clerk
        ).json()["detail"]
    )
    timeline = api.client.get(f"{V1}/dossiers/{code}/case", headers=clerk).json()["timeline"]
    moves = [t["state"] for t in timeline if t["action"] == "dossier.transition"]
    assert moves == ["processing"]
    assert api.client.get(f"{V1}/dossiers/{code}/case", headers=clerk).json()["state"] == "processing"
    assert (
        api.client.post(
            f"{V1}/dossiers/{code}/transitions", json={"state": "processing"}, headers=outsider
        ).status_code
        == 404
    )

    def found(q: str, headers: dict[str, str]) -> list[tuple[str, str]]:
        res = api.client.get(f"{V1}/search", params={"q": q}, headers=headers)
        assert res.status_code == 200, res.text
        return [(h["code"], h["matched"]) for h in res.json()["items"]]

    assert found(code, clerk) == [(code, "code")]
    assert found(OWNER_ID, clerk) == [(code, "id_number"), (held_code, "id_number")]
    # The applicant's name, then the ID card's text in the dossier that digitised it.
    assert found("Công Sơn", clerk) == [(code, "name"), (held_code, "text")]
    assert found("căn cước", clerk) == [(held_code, "text")]
    assert found(code, outsider) == [] and found("Công Sơn", outsider) == []
    assert api.client.get(f"{V1}/search", params={"q": "x" * 201}, headers=clerk).status_code == 422


def test_signing_agent_asset_optional(staff_api: Api) -> None:
    """The page includes signing-agent.js; served when installed, a 404 (never a 500) when not."""
    from pipeline.api.routes_web import WEB_DIR

    page = staff_api.client.get("/ui/")
    assert '<script src="/ui/signing-agent.js" defer></script>' in page.text
    assert '<div id="agent-signing"></div>' in page.text
    res = staff_api.client.get("/ui/signing-agent.js")
    assert res.status_code == (200 if (WEB_DIR / "signing-agent.js").is_file() else 404)
    assert staff_api.client.get("/ui/index.html").status_code == 404  # not in the allow-list

"""A dossier's result issued on the server, on SQLite and PostgreSQL: the processing officer
attaches it, the competent official signs it from their queue, the seal holder seals it, the
server verifies each upload, files the e-result (report counts it) and the dossier is returned.

Real parts: the signatures are made with the SoftHSM token's keys (official-rsa, seal) the way
``sohoa sign-client`` makes them (the queue item says which signature), and poppler's pdfsig
checks every signature of the filed result. The whole flow, cancelling and the staged version
run on both databases; the tests of signatures and refusals decided in Python (levels, the seal's
certificate, who may sign, a result signed elsewhere) run on SQLite only.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from config.errors import ExitCode
from pipeline.dossier.signatures import record_result
from pipeline.report import build_report
from pipeline.webhooks import add_subscription
from signing.testpki import ORGANISATION
from storage.db.api_models import StaffUser
from storage.db.engine import read_session, run_in_transaction, write_session
from storage.db.errors import BadInputError
from storage.db.models import AuditEntry, Document, DocumentOwner
from storage.db.records import ObjectRef
from storage.db.webhook_models import WebhookDelivery
from tests.api.conftest import AGENCY_A, AGENCY_B, OWNER_ID, Api, make_api, text_pdf
from tests.api.token_sign import FOREIGN_SEAL, signer_for
from tests.db.fixtures import Database, sqlite_only
from tests.signing.conftest import OFFICIAL_NAME, USER_PIN, PkiFixture, assert_pdfsig_valid

PROCEDURE = "1.004873"  # Giấy xác nhận tình trạng hôn nhân: application_form + cccd
V1 = "/api/v1"


def fingerprint(pki: PkiFixture, name: str) -> str:
    return hashlib.sha256(pki.pki.identity(name).cert_der.read_bytes()).hexdigest()


def token_sign(
    pki: PkiFixture,
    data: bytes,
    label: str,
    stamp: str | None,
    work: Path,
    env: dict[str, str] | None = None,
) -> bytes:
    """Sign with the SoftHSM token in a child process (see tests/api/token_sign.py); ``env``:
    the signing agent's own settings (its level, TSA)."""
    done, out = token_sign_run(pki, data, label, stamp, work, env)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def token_sign_run(
    pki: PkiFixture,
    data: bytes,
    label: str,
    stamp: str | None,
    work: Path,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """:func:`token_sign`'s signing child's answer, whatever its outcome, and where it writes."""
    work.mkdir(parents=True, exist_ok=True)
    src, out = work / f"in-{uuid.uuid4().hex}.pdf", work / f"out-{uuid.uuid4().hex}.pdf"
    src.write_bytes(data)
    signer = signer_for(
        {
            **os.environ,
            "SOFTHSM2_CONF": str(pki.nss_dir.parent / "softhsm2.conf"),
            "SOHOA_TEST_PIN": USER_PIN,
            "SOHOA_SIGNING__FONT": str(pki.font),
            "SOHOA_SIGNING__ORGANISATION": ORGANISATION,
        }
    )
    args = [str(src), str(out), label, stamp or "", str(pki.pki.chain)]
    done = signer.run(args, {"SOHOA_DATA_DIR": str(work / "data"), **(env or {})})
    return done, out


@pytest.fixture
def rapi(db: Database, tmp_path: Path, pki: PkiFixture) -> Iterator[Api]:
    yield from make_api(
        db,
        tmp_path,
        signing={"trust_roots": [str(pki.root_pem)], "font": str(pki.font), "organisation": ORGANISATION},
        api={"public_url": "https://motcua.example.vn"},
    )


class Office:
    """A processing officer, the competent official (official-rsa) and the seal holder (seal)."""

    def __init__(self, api: Api, pki: PkiFixture) -> None:
        self.api, self.pki = api, pki
        self.officer = api.user("xuly", ["clerk"], [AGENCY_A])
        self.official = api.user(
            "chutich", ["official"], [AGENCY_A], cert_sha256=fingerprint(pki, "official_rsa")
        )
        self.seal = api.user("vanthu", ["official"], [AGENCY_A], cert_sha256=fingerprint(pki, "seal"))

    def receive(self) -> str:
        res = self.api.client.post(
            f"{V1}/dossiers/receive",
            json={"agency": AGENCY_A, "procedure": PROCEDURE, "applicant": OWNER_ID, "name": "Phan Công Sơn"},
            headers=self.officer,
        )
        assert res.status_code == 200, res.text
        return str(res.json()["code"])

    def attach(self, code: str, pdf: Path, official: str = "chutich", seal: str = "vanthu") -> Any:
        return self.api.client.post(
            f"{V1}/dossiers/{code}/result",
            params={"official": official, "seal": seal},
            content=pdf.read_bytes(),
            headers={**self.officer, "Content-Type": "application/pdf"},
        )

    def queue(self, who: dict[str, str]) -> list[dict[str, Any]]:
        res = self.api.client.get(f"{V1}/signing/queue", headers=who)
        assert res.status_code == 200, res.text
        return list(res.json()["items"])

    def sign(
        self, who: dict[str, str], item: dict[str, Any], key_label: str, env: dict[str, str] | None = None
    ) -> bytes:
        """What sign-client does: fetch the exact bytes, sign as the item asks, with the token."""
        fetched = self.api.client.get(f"{V1}/signing/queue/{item['id']}/pdf", headers=who)
        assert fetched.status_code == 200, fetched.text
        assert hashlib.sha256(fetched.content).hexdigest() == item["sha256"]
        return token_sign(self.pki, fetched.content, key_label, item["stamp"], self.api.tmp / "sign", env)

    def upload(self, who: dict[str, str], item: dict[str, Any], data: bytes) -> Any:
        return self.api.client.post(
            f"{V1}/signing/queue/{item['id']}/signed",
            content=data,
            headers={**who, "Content-Type": "application/pdf"},
        )

    def sign_pending(self, who: dict[str, str], key_label: str) -> Any:
        """The one item waiting for ``who``, signed with ``key_label`` and uploaded."""
        (item,) = self.queue(who)
        return self.upload(who, item, self.sign(who, item, key_label))

    def result(self, code: str) -> dict[str, Any]:
        res = self.api.client.get(f"{V1}/dossiers/{code}/result", headers=self.officer)
        assert res.status_code == 200, res.text
        return dict(res.json())

    def case(self, code: str) -> dict[str, Any]:
        res = self.api.client.get(f"{V1}/dossiers/{code}/case", headers=self.officer)
        assert res.status_code == 200, res.text
        return dict(res.json())


def test_attach_official_signs_seal_signs_finished_returned(
    rapi: Api, pki: PkiFixture, tmp_path: Path
) -> None:
    api, office = rapi, Office(rapi, pki)
    code = office.receive()
    attached = office.attach(code, text_pdf(tmp_path / "kq.pdf", f"GIAY XAC NHAN {code}"))
    assert attached.status_code == 201, attached.text
    result = attached.json()
    assert result["stage"] == "awaiting_official" and result["official"] == "chutich"
    assert office.case(code)["state"] == "processing"

    # The official's queue holds the result (a certification signature); the seal's is empty.
    assert office.queue(office.seal) == []
    (item,) = office.queue(office.official)
    assert item["stamp"] == "result" and item["dossier"] == code
    assert item["id"] == result["official_item_id"]
    # The officer's own draft is not a held document of the applicant yet.
    with read_session(api.ctx.engine) as session:
        assert (
            session.scalars(
                select(DocumentOwner).where(DocumentOwner.document_id == result["document_id"])
            ).all()
            == []
        )

    signed = office.sign(office.official, item, "official-rsa")
    accepted = office.upload(office.official, item, signed)
    assert accepted.status_code == 201, accepted.text
    assert office.result(code)["stage"] == "awaiting_seal"
    assert office.case(code)["state"] == "processing"  # not finished on one signature
    # ... and downstream systems are not given the half-signed result.
    key = api.key("dvc", ["results:read"], [AGENCY_A])
    for url in (f"{V1}/results/documents/{result['document_id']}", f"{V1}/results/dossiers/{code}"):
        assert api.client.get(url, headers=key).status_code == 404, url
    assert api.client.get(f"{V1}/results", params={"dossier": code}, headers=key).json()["total"] == 0

    # The seal holder's item is the official's signed file itself; the seal fills its field.
    (seal_item,) = office.queue(office.seal)
    assert seal_item["stamp"] == "seal" and seal_item["sha256"] == hashlib.sha256(signed).hexdigest()
    sealed = office.sign(office.seal, seal_item, "seal")
    done = office.upload(office.seal, seal_item, sealed)
    assert done.status_code == 201, done.text
    assert done.json()["verification"]["valid"] is True

    issued = office.result(code)
    assert issued["stage"] == "issued" and issued["issued_at"] is not None
    case = office.case(code)
    assert case["state"] == "finished" and case["result_document_id"] == result["document_id"]
    out = tmp_path / "filed.pdf"
    fetched = api.client.get(f"{V1}/results/documents/{result['document_id']}", headers=key)
    assert fetched.status_code == 200, fetched.text
    out.write_bytes(fetched.content)
    assert fetched.content == sealed
    assert api.client.get(f"{V1}/results/dossiers/{code}", headers=key).content == sealed
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME, ORGANISATION])
    with read_session(api.ctx.engine) as session:
        document = session.get(Document, result["document_id"])
        assert document is not None
        assert document.sha256 == hashlib.sha256(sealed).hexdigest() and document.source == "signed"
        assert [o.owner_id for o in document.owners] == [OWNER_ID]  # held by the applicant now
        report = build_report(session, agencies=[AGENCY_A])
    (row,) = report.agencies
    assert row.e_results.numerator == 1 and row.e_results.denominator == 1
    assert row.on_time.numerator == 1

    # The citizen's page (the slip's token) shows the valid result before and after the return.
    token = case["token"]
    page = api.client.get(f"/tra-cuu/{code}", params={"t": token})
    assert page.status_code == 200 and "Kết quả có chữ ký số hợp lệ" in page.text, page.text
    returned = api.client.post(f"{V1}/dossiers/{code}/return", headers=office.officer)
    assert returned.status_code == 200, returned.text
    body = returned.json()
    assert body["dossier"]["state"] == "returned"
    assert body["link"] == f"https://motcua.example.vn/tra-cuu/{code}?t={token}"
    assert "Đã trả kết quả" in api.client.get(f"/tra-cuu/{code}", params={"t": token}).text
    again = api.client.post(f"{V1}/dossiers/{code}/return", headers=office.officer)
    assert again.status_code == 422, again.text


@sqlite_only
def test_generated_result_goes_the_same_way(rapi: Api, pki: PkiFixture) -> None:
    office = Office(rapi, pki)
    code = office.receive()
    res = rapi.client.post(
        f"{V1}/dossiers/{code}/result/generated",
        json={
            "content": "Trong thời gian cư trú tại xã, chưa đăng ký kết hôn với ai.",
            "place": "Tân Phú",
            "official": "chutich",
            "seal": "vanthu",
        },
        headers=office.officer,
    )
    assert res.status_code == 201, res.text
    assert res.json()["generated"] is True and res.json()["doc_type"] == "marital_status_confirmation"
    (item,) = office.queue(office.official)
    pdf = rapi.client.get(f"{V1}/signing/queue/{item['id']}/pdf", headers=office.official)
    assert pdf.content[:5] == b"%PDF-"
    assert office.sign_pending(office.official, "official-rsa").status_code == 201
    assert office.sign_pending(office.seal, "seal").status_code == 201
    assert office.case(code)["state"] == "finished"


@sqlite_only
def test_refusals(rapi: Api, pki: PkiFixture, tmp_path: Path) -> None:
    api, office = rapi, Office(rapi, pki)
    code = office.receive()
    pdf = text_pdf(tmp_path / "kq.pdf", f"KET QUA {code}")

    # Returning before finished.
    early = api.client.post(f"{V1}/dossiers/{code}/return", headers=office.officer)
    assert early.status_code == 422, early.text
    # The official (and the seal holder) must be officials of the dossier's agency.
    api.user("chutich-b", ["official"], [AGENCY_B], cert_sha256=fingerprint(pki, "official_ecdsa"))
    assert office.attach(code, pdf, official="chutich-b").status_code == 403
    assert office.attach(code, pdf, seal="chutich-b").status_code == 403
    assert office.attach(code, pdf, seal="chutich").status_code == 422  # one person, two signatures
    # Not a PDF.
    garbage = api.client.post(
        f"{V1}/dossiers/{code}/result",
        params={"official": "chutich", "seal": "vanthu"},
        content=b"%PDF-1.7 not really",
        headers={**office.officer, "Content-Type": "application/pdf"},
    )
    assert garbage.status_code == 422, garbage.text
    # An officer of another agency does not even see the dossier.
    outsider = api.user("xuly-b", ["clerk"], [AGENCY_B])
    foreign = api.client.post(
        f"{V1}/dossiers/{code}/result",
        params={"official": "chutich", "seal": "vanthu"},
        content=pdf.read_bytes(),
        headers={**outsider, "Content-Type": "application/pdf"},
    )
    assert foreign.status_code == 404, foreign.text

    assert office.attach(code, pdf).status_code == 201
    assert office.attach(code, pdf).status_code == 409  # one result on its way at a time
    (item,) = office.queue(office.official)

    # Sealing before the official signed: the seal holder has nothing queued, and the official's
    # item is not theirs; a seal over the unsigned draft is refused.
    assert office.queue(office.seal) == []
    draft = api.client.get(f"{V1}/signing/queue/{item['id']}/pdf", headers=office.official).content
    premature = token_sign(pki, draft, "seal", "seal", tmp_path / "sign")
    assert office.upload(office.seal, item, premature).status_code == 404
    # ... nor may the official upload the seal's signature as theirs.
    assert office.upload(office.official, item, premature).status_code == 403

    # A plain approval signature (an older client ignoring the item's stamp) is not a result's.
    plain = token_sign(pki, draft, "official-rsa", None, tmp_path / "sign")
    refused = office.upload(office.official, item, plain)
    assert refused.status_code == 422 and "chứng nhận" in refused.json()["detail"], refused.text

    # A signed result that fails verification: the signing time changed after the signature
    # (inside the signed revision, outside /Contents: the queued bytes are intact).
    signed = office.sign(office.official, item, "official-rsa")
    at = signed.index(b"/M (D\\072", len(draft)) + len(b"/M (D\\072") + 3  # a digit of the year
    tampered = signed[:at] + (b"1" if signed[at : at + 1] != b"1" else b"2") + signed[at + 1 :]
    refused = office.upload(office.official, item, tampered)
    assert refused.status_code == 422 and "không hợp lệ" in refused.json()["detail"], refused.text
    assert office.result(code)["stage"] == "awaiting_official"
    assert office.case(code)["state"] == "processing"

    # The official moved to another agency can no longer sign the result.
    assert office.upload(office.official, item, signed).status_code == 201
    (seal_item,) = office.queue(office.seal)
    sealed = office.sign(office.seal, seal_item, "seal")
    with write_session(api.ctx.engine) as session:
        session.execute(update(StaffUser).where(StaffUser.username == "vanthu").values(agencies=[AGENCY_B]))
    api.ctx.auth_cache.clear()
    assert office.upload(office.seal, seal_item, sealed).status_code == 403
    assert office.case(code)["state"] == "processing"
    with write_session(api.ctx.engine) as session:
        session.execute(update(StaffUser).where(StaffUser.username == "vanthu").values(agencies=[AGENCY_A]))
    api.ctx.auth_cache.clear()
    assert office.upload(office.seal, seal_item, sealed).status_code == 201
    assert office.case(code)["state"] == "finished"
    assert office.attach(code, pdf).status_code == 422  # finished: no second result


def test_cancel_withdraws_the_pending_items(rapi: Api, pki: PkiFixture, tmp_path: Path) -> None:
    office = Office(rapi, pki)
    code = office.receive()
    assert office.attach(code, text_pdf(tmp_path / "a.pdf", "SAI TEP")).status_code == 201
    (item,) = office.queue(office.official)
    # `sohoa dossier issue` (record_result) does not file a second result beside this one.
    ref = ObjectRef(bucket="signed", key="0" * 64, sha256="0" * 64, size=1)
    with pytest.raises(BadInputError, match="đang chờ ký"):
        run_in_transaction(rapi.ctx.engine, lambda s: record_result(s, code, ref, signed_by="x", actor="cli"))
    cancelled = rapi.client.delete(f"{V1}/dossiers/{code}/result", headers=office.officer)
    assert cancelled.status_code == 200 and cancelled.json()["stage"] == "cancelled"
    assert office.queue(office.official) == []
    assert (
        office.upload(office.official, item, office.sign(office.official, item, "official-rsa")).status_code
        == 409
    )
    assert office.attach(code, text_pdf(tmp_path / "b.pdf", "DUNG TEP")).status_code == 201
    # Cancelled in the signing queue itself: the result is withdrawn with its item.
    (again,) = office.queue(office.official)
    gone = rapi.client.delete(f"{V1}/signing/queue/{again['id']}", headers=office.officer)
    assert gone.status_code == 200, gone.text
    assert office.result(code)["stage"] == "cancelled"
    assert office.attach(code, text_pdf(tmp_path / "c.pdf", "LAN BA")).status_code == 201


def test_official_signature_is_staged_and_only_the_seal_publishes(
    rapi: Api, pki: PkiFixture, tmp_path: Path
) -> None:
    """The official's signature alone is a staged version (not signed, not announced, not kept
    under retention); the seal makes the one signed version and the one ``result.signed`` event."""
    api, office = rapi, Office(rapi, pki)
    run_in_transaction(
        api.ctx.engine,
        lambda s: add_subscription(s, "http://127.0.0.1:9/hook", ["result.signed"], "HOOK_SECRET", actor="t"),
    )

    def state(document_id: int) -> tuple[list[str], list[str], int]:
        with read_session(api.ctx.engine) as session:
            document = session.get(Document, document_id)
            assert document is not None
            kinds = [v.kind for v in document.versions]
            buckets = [v.bucket for v in document.versions]
            events = session.scalars(
                select(WebhookDelivery).where(WebhookDelivery.event == "result.signed")
            ).all()
        return kinds, buckets, len(events)

    code = office.receive()
    result = office.attach(code, text_pdf(tmp_path / "kq.pdf", f"KET QUA {code}")).json()
    document_id = result["document_id"]
    (item,) = office.queue(office.official)
    signed = office.sign(office.official, item, "official-rsa")
    assert office.upload(office.official, item, signed).status_code == 201
    kinds, buckets, events = state(document_id)
    assert kinds == ["original", "staged"] and buckets == ["digitised", "digitised"]
    assert events == 0  # nothing announced on the official's signature
    with read_session(api.ctx.engine) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.document_id == document_id)
        ).all()
    assert "document.signed" not in actions and "document.result_staged" in actions
    # The staff's view of the document lists it as staged, never as signed.
    doc = api.client.get(f"{V1}/documents/{document_id}", headers=office.officer)
    assert doc.status_code == 200, doc.text
    assert doc.json()["signed"] is False
    assert [v["kind"] for v in doc.json()["versions"]] == ["original", "staged"]

    (seal_item,) = office.queue(office.seal)
    sealed = office.sign(office.seal, seal_item, "seal")
    assert office.upload(office.seal, seal_item, sealed).status_code == 201
    kinds, buckets, events = state(document_id)
    assert kinds == ["original", "staged", "signed"] and buckets[-1] == "signed"
    assert events == 1  # announced once, when sealed and filed
    assert api.client.get(f"{V1}/documents/{document_id}", headers=office.officer).json()["signed"] is True


@sqlite_only
def test_seal_must_be_an_organisation_certificate(rapi: Api, pki: PkiFixture, tmp_path: Path) -> None:
    """A seal holder whose registered certificate is a person's (an official's token) cannot
    seal: the upload is refused in Vietnamese and the dossier stays unfinished."""
    api, office = rapi, Office(rapi, pki)
    holder = api.user("phochutich", ["official"], [AGENCY_A], cert_sha256=fingerprint(pki, "official_ecdsa"))
    code = office.receive()
    pdf = text_pdf(tmp_path / "kq.pdf", f"KET QUA {code}")
    assert office.attach(code, pdf, seal="phochutich").status_code == 201
    (item,) = office.queue(office.official)
    signed = office.sign(office.official, item, "official-rsa")
    assert office.upload(office.official, item, signed).status_code == 201
    (seal_item,) = office.queue(holder)
    # sohoa's own signer (sign-client, the signing agent: sign_request_for + sign_bytes) refuses
    # to seal with a person's key at all, saying what the certificate lacks.
    fetched = api.client.get(f"{V1}/signing/queue/{seal_item['id']}/pdf", headers=holder).content
    done, out = token_sign_run(pki, fetched, "official-ec", "seal", tmp_path / "sign")
    assert done.returncode == ExitCode.SIGNING and not out.exists(), done.stderr
    assert "chứng thư số của cơ quan" in done.stderr and "chức danh" in done.stderr, done.stderr
    # Another vendor's client fills the seal's field with the person's key: the server refuses.
    personal = token_sign(pki, fetched, "official-ec", FOREIGN_SEAL, tmp_path / "sign")
    refused = office.upload(holder, seal_item, personal)
    assert refused.status_code == 422, refused.text
    assert "chứng thư số của cơ quan" in refused.json()["detail"], refused.text
    assert "not an organisation certificate" in refused.json()["detail"]
    assert "chức danh" in refused.json()["detail"]  # what it lacks: it names a person's title
    assert office.result(code)["stage"] == "awaiting_seal"
    assert office.case(code)["state"] == "processing"
    # The organisation's seal (CN and O the commune) is accepted: cancel and send it to its holder.
    assert api.client.delete(f"{V1}/dossiers/{code}/result", headers=office.officer).status_code == 200
    assert office.attach(code, pdf).status_code == 201
    assert office.sign_pending(office.official, "official-rsa").status_code == 201
    assert office.sign_pending(office.seal, "seal").status_code == 201
    assert office.case(code)["state"] == "finished"


@sqlite_only
def test_an_already_signed_result_is_not_attached(rapi: Api, pki: PkiFixture, tmp_path: Path) -> None:
    """A result signed and sealed elsewhere is refused at attach: the official's certification must
    be its first signature and the seal (checked here) the one after, so it could never be filed."""
    office = Office(rapi, pki)
    code = office.receive()
    draft = text_pdf(tmp_path / "kq.pdf", f"KET QUA {code}").read_bytes()
    sealed = tmp_path / "sealed-elsewhere.pdf"
    sealed.write_bytes(token_sign(pki, draft, "seal", "seal", tmp_path / "sign"))
    refused = office.attach(code, sealed)
    assert refused.status_code == 422, refused.text
    assert "đã có chữ ký số" in refused.json()["detail"], refused.text
    assert office.queue(office.official) == [] and office.case(code)["state"] == "received"
    assert rapi.client.get(f"{V1}/dossiers/{code}/result", headers=office.officer).status_code == 404


@pytest.fixture
def tsa_api(db: Database, tmp_path: Path, pki: PkiFixture) -> Iterator[Api]:
    signing = {
        "trust_roots": [str(pki.root_pem)],
        "font": str(pki.font),
        "organisation": ORGANISATION,
        "tsa_url": pki.services.tsa_url,
    }
    yield from make_api(db, tmp_path, signing=signing)


@sqlite_only
def test_with_a_tsa_result_signatures_below_b_lt_are_refused(
    tsa_api: Api, pki: PkiFixture, tmp_path: Path
) -> None:
    """Once the server has a TSA, a result signed (or sealed) at the agent's default B-B, or at
    B-T, is refused; the same signatures at B-LT go through and the dossier finishes."""
    api = tsa_api
    office = Office(api, pki)
    timestamped = {"SOHOA_SIGNING__TSA_URL": pki.services.tsa_url, "SOHOA_SIGNING__LEVEL": "B-T"}
    long_term = {
        **timestamped,
        "SOHOA_SIGNING__LEVEL": "B-LT",
        "SOHOA_SIGNING__TRUST_ROOTS": f'["{pki.root_pem}"]',
    }
    code = office.receive()
    assert office.attach(code, text_pdf(tmp_path / "kq.pdf", f"KET QUA {code}")).status_code == 201
    (item,) = office.queue(office.official)
    for env in (None, timestamped):
        refused = office.upload(
            office.official, item, office.sign(office.official, item, "official-rsa", env)
        )
        assert refused.status_code == 422, refused.text
        assert "PAdES B-LT" in refused.json()["detail"], refused.text
    assert office.result(code)["stage"] == "awaiting_official"
    done = office.upload(office.official, item, office.sign(office.official, item, "official-rsa", long_term))
    assert done.status_code == 201, done.text
    assert done.json()["verification"]["signatures"][0]["pades_level"] == "B-LT"

    (seal_item,) = office.queue(office.seal)
    plain_seal = office.upload(office.seal, seal_item, office.sign(office.seal, seal_item, "seal"))
    assert plain_seal.status_code == 422 and "PAdES B-LT" in plain_seal.json()["detail"], plain_seal.text
    # A B-T seal after the official's B-LT: the DSS the official's B-LT added was written before
    # the seal, so it proves nothing about the seal's certificate; the seal is B-T, refused.
    seal_b_t = office.sign(office.seal, seal_item, "seal", timestamped)
    refused_b_t = office.upload(office.seal, seal_item, seal_b_t)
    assert refused_b_t.status_code == 422, refused_b_t.text
    assert "PAdES B-LT" in refused_b_t.json()["detail"] and "đạt B-T" in refused_b_t.json()["detail"]
    assert office.result(code)["stage"] == "awaiting_seal"
    sealed = office.sign(office.seal, seal_item, "seal", long_term)
    accepted = office.upload(office.seal, seal_item, sealed)
    assert accepted.status_code == 201, accepted.text
    assert [s["pades_level"] for s in accepted.json()["verification"]["signatures"]] == ["B-LT", "B-LT"]
    assert office.case(code)["state"] == "finished"

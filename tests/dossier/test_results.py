"""Results: generated from a template, signed by the official and the seal, filed, returned to
the citizen through the QR link (authenticity shown, download), on both databases."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings, load_settings
from pipeline.api.app import create_app
from pipeline.dossier.lifecycle import State, get_case, transition
from pipeline.dossier.receive import DossierView, dossier_view, receive
from pipeline.dossier.result_template import GENERIC_TITLE, render_result, result_title
from pipeline.dossier.signatures import record_result, sign_result
from pipeline.dossier.slip import render_slip
from pipeline.report import build_report
from signing.errors import SigningError
from signing.pades import Level, SigningContext
from signing.session import SignerSource, open_signer
from signing.verify import verify_pdf
from storage.db.engine import read_session, write_session
from storage.db.errors import BadInputError
from storage.db.records import ObjectRef
from storage.objects.base import Bucket
from tests.db.fixtures import Database, sqlite_only
from tests.dossier.helpers import (
    AGENCY,
    CITIZEN,
    CONFIRMATION,
    MARRIAGE,
    OTHER,
    catalogue,
    receive_confirmation,
    scan_cccd,
)
from tests.signing.conftest import PkiFixture, pki  # noqa: F401

ORG = "UBND xã Tân Phú (TEST)"


@pytest.fixture
def app_client(db: Database, tmp_path: Path, pki: PkiFixture) -> Iterator[tuple[TestClient, object]]:  # noqa: F811
    settings = load_settings(
        data_dir=tmp_path / "data",
        database={"url": db.url},
        storage={"backend": "directory"},
        signing={"trust_roots": [str(pki.root_pem)], "organisation": ORG},
    )
    app = create_app(settings, engine=db.engine, start_worker=False)
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        yield client, app.state.ctx


def _signed_result(
    pki: PkiFixture,  # noqa: F811
    settings: Settings,
    view: DossierView,
    level: Level | None = None,
) -> bytes:
    ctx = SigningContext.from_settings(settings, level=level)
    data = render_result(
        view,
        "marital_status_confirmation",
        "Chưa đăng ký kết hôn với ai.",
        organisation=ORG,
        place="Tân Phú",
        issued_on=date(2026, 12, 4),
    )
    secret = lambda _prompt: pki.passphrase  # noqa: E731
    chain = [pki.pki.chain]
    with (
        open_signer(SignerSource(pkcs12=pki.pki.official_ecdsa.p12, chain=chain), secret) as official,
        open_signer(SignerSource(pkcs12=pki.seal_p12, chain=chain), secret) as seal,
    ):
        return sign_result(data, official, seal, ctx, name="result.pdf")


def test_result_issued_signed_returned_and_verifiable_from_the_qr(
    db: Database,
    app_client: tuple[TestClient, object],
    pki: PkiFixture,  # noqa: F811
    tmp_path: Path,
) -> None:
    client, ctx = app_client
    store, settings = ctx.store, ctx.settings  # type: ignore[attr-defined]
    with write_session(db.engine) as s:
        catalogue(s)
        scan_cccd(s, "card")
        view = receive_confirmation(s, reuse=None)
    code, token = view.code, view.token
    signed = _signed_result(pki, settings, view)
    stored = store.put_bytes(Bucket.SIGNED, signed, content_type="application/pdf", retain=True)
    ref = ObjectRef(bucket="signed", key=stored.key, sha256=stored.sha256, size=stored.size)
    with write_session(db.engine) as s:
        document = record_result(s, code, ref, signed_by="Trần Thị Bình (TEST)", actor="officer")
        result_id = document.id
    with pytest.raises(BadInputError), write_session(db.engine) as s:  # one result per dossier
        record_result(s, code, ref, signed_by="x", actor="officer")
    with read_session(db.engine) as s:
        dossier, case = get_case(s, code)
        assert case.state == State.FINISHED.value and dossier.finished_at is not None
        assert case.result_document_id == result_id
    assert store.retained_until(Bucket.SIGNED, stored.key) is not None  # kept under retention

    page = client.get(f"/tra-cuu/{code}", params={"t": token})
    assert page.status_code == 200
    assert "Kết quả có chữ ký số hợp lệ" in page.text and code in page.text
    download = client.get(f"/tra-cuu/{code}/ket-qua.pdf", params={"t": token})
    assert download.status_code == 200 and download.content == signed
    assert client.get(f"/tra-cuu/{code}", params={"t": token[:-2] + "xx"}).status_code == 404
    assert client.get(f"/tra-cuu/{code}/ket-qua.pdf", params={"t": "x" * 32}).status_code == 404

    out = tmp_path / "downloaded.pdf"
    out.write_bytes(download.content)
    report = verify_pdf(out, trust_roots=[pki.root_pem])
    assert report.valid and len(report.signatures) == 2
    assert (
        subprocess.run(["pdfsig", str(out)], capture_output=True, text=True).stdout.count(
            "Signature is Valid"
        )
        == 2
    )

    with write_session(db.engine) as s:
        transition(s, code, State.RETURNED, actor="clerk")
    with read_session(db.engine) as s:
        total = build_report(s).total
        assert total is not None
        assert (total.e_results.numerator, total.e_results.denominator) == (1, 1)
        assert total.on_time.numerator == 1 and total.reused.numerator == 1
        # the result is held for the citizen's next dossier
        with write_session(db.engine) as w:
            nxt = receive(
                w, agency=AGENCY, procedure=MARRIAGE, applicant_id=CITIZEN, actor="clerk", reuse=None
            )
        assert {c.doc_type: c.status for c in nxt.components}["marital_status_confirmation"] == "reused"


@sqlite_only  # signature levels; the database only receives the dossier
def test_results_are_b_lt_with_a_tsa(db: Database, pki: PkiFixture, tmp_path: Path) -> None:  # noqa: F811
    settings = load_settings(
        data_dir=tmp_path,
        database={"url": db.url},
        signing={"trust_roots": [str(pki.root_pem)], "organisation": ORG, "tsa_url": pki.services.tsa_url},
    )
    with write_session(db.engine) as s:
        catalogue(s)
        view = receive(s, agency=AGENCY, procedure=CONFIRMATION, applicant_id=CITIZEN, actor="clerk")
    signed = _signed_result(pki, settings, view, level="B-LT")
    path = tmp_path / "blt.pdf"
    path.write_bytes(signed)
    report = verify_pdf(path, trust_roots=[pki.root_pem])
    assert report.valid
    assert all(sig.timestamp_source == "tsa" for sig in report.signatures)


def test_result_is_held_by_the_owners_its_type_names(db: Database) -> None:
    # A marriage certificate belongs to the applicant and to the spouse its fields name.
    with write_session(db.engine) as s:
        catalogue(s)
        code = receive(s, agency=AGENCY, procedure=MARRIAGE, applicant_id=CITIZEN, actor="clerk").code
        digest = "e" * 64
        signed = ObjectRef(bucket="signed", key=digest, sha256=digest, size=10)
        fields = {"husband_id_number": CITIZEN, "wife_id_number": OTHER, "wife_name": "LÊ THỊ HOA"}
        document = record_result(s, code, signed, signed_by="x", actor="officer", fields=fields)
        assert document.doc_type == "marriage_certificate"
        assert sorted((o.owner_id, o.role) for o in document.owners) == [(OTHER, "wife"), (CITIZEN, "holder")]


def test_result_titles_come_from_the_registry_for_its_types() -> None:
    # A registry type prints its own title (electronic copy), picked by the procedure's name.
    household = result_title("business_registration", "Đăng ký thành lập hộ kinh doanh")
    assert household == "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH (BẢN ĐIỆN TỬ)"
    assert "DOANH NGHIỆP" in result_title("business_registration", "Đăng ký thành lập doanh nghiệp")
    assert result_title("birth_certificate", "Đăng ký khai sinh") == "GIẤY KHAI SINH (BẢN ĐIỆN TỬ)"
    # Results that are not registry types keep their own title; unknown ones the generic one.
    assert result_title("marital_status_confirmation") == "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"
    assert result_title("certified_copy") == result_title("other") == GENERIC_TITLE


def test_slip_text_holds_the_promise_and_the_code(db: Database, tmp_path: Path) -> None:
    with write_session(db.engine) as s:
        catalogue(s)
        scan_cccd(s, "card")
        view = receive_confirmation(s, actor="Lê Thị Cúc", reuse=["cccd"])
    with read_session(db.engine) as s:
        view = dossier_view(s, view.code)
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(render_slip(view, organisation=ORG, base_url="https://dvc.example.vn"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "hẹn trả kết quả" in text
    assert view.code in text
    assert "09/12/2026" in text  # Friday + 3 working days
    assert "Dùng lại dữ liệu đã có" in text and "Chưa nộp" in text
    assert CITIZEN not in text  # the id is masked on paper


def test_signing_refuses_a_placeholder_organisation(pki: PkiFixture, tmp_path: Path) -> None:  # noqa: F811
    settings = load_settings(data_dir=tmp_path, signing={"organisation": "UBND xã (chưa cấu hình)"})
    with pytest.raises(SigningError):
        SigningContext.from_settings(settings)


@sqlite_only  # signature levels; the database only receives the dossier
def test_b_lta_result_and_archive_renewal(db: Database, pki: PkiFixture, tmp_path: Path) -> None:  # noqa: F811
    from signing.archive import renew_timestamp

    settings = load_settings(
        data_dir=tmp_path,
        database={"url": db.url},
        signing={"trust_roots": [str(pki.root_pem)], "organisation": ORG, "tsa_url": pki.services.tsa_url},
    )
    with write_session(db.engine) as s:
        catalogue(s)
        view = receive(s, agency=AGENCY, procedure=CONFIRMATION, applicant_id=CITIZEN, actor="clerk")
    signed = _signed_result(pki, settings, view, level="B-LTA")

    def timestamps(data: bytes, name: str) -> tuple[bool, int]:
        path = tmp_path / name
        path.write_bytes(data)
        report = verify_pdf(path, trust_roots=[pki.root_pem])
        return report.valid, sum(1 for sig in report.signatures if sig.kind == "document_timestamp")

    valid, before = timestamps(signed, "lta.pdf")
    assert valid and before >= 1
    renewed = renew_timestamp(signed, SigningContext.from_settings(settings), name="lta.pdf")
    assert renewed.startswith(signed)  # incremental: the signed bytes are untouched
    valid, after = timestamps(renewed, "renewed.pdf")
    assert valid and after == before + 1
    with pytest.raises(SigningError):
        renew_timestamp(signed, SigningContext.from_settings(load_settings(data_dir=tmp_path)), name="x")


def test_receive_over_the_api(db: Database, app_client: tuple[TestClient, object]) -> None:
    from pipeline.accounts import create_api_key
    from storage.db.engine import run_in_transaction

    client, _ctx = app_client
    with write_session(db.engine) as s:
        catalogue(s)
        scan_cccd(s, "card")
    key = run_in_transaction(
        db.engine, lambda s: create_api_key(s, "desk", scopes=["intake"], agencies=[AGENCY], actor="test")
    )
    body = {"agency": AGENCY, "procedure": CONFIRMATION, "applicant": CITIZEN, "reuse_all": True}
    res = client.post("/dossiers/receive", json=body, headers={"X-API-Key": key})
    assert res.status_code == 200, res.text
    data = res.json()
    assert data["code"].startswith(f"{AGENCY}-") and data["promised_date"]
    assert {c["doc_type"]: c["status"] for c in data["components"]} == {
        "application_form": "missing",
        "cccd": "reused",
    }
    other = client.post("/dossiers/receive", json={**body, "agency": "H55.999"}, headers={"X-API-Key": key})
    assert other.status_code == 403
    bad = client.post("/dossiers/receive", json={**body, "applicant": "123"}, headers={"X-API-Key": key})
    assert bad.status_code in (400, 422) and "Traceback" not in bad.text

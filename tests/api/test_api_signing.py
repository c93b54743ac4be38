"""Signing queue, verified uploads, signed results (stream and presigned) and POST /verify."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from signing.appearance import StampKind
from signing.keyfile import load_pkcs12_signer
from signing.pades import SigningContext, SignRequest, sign_bytes
from signing.trust import shipped_anchor_ids
from signing.verify import verify_pdf
from storage.db.engine import read_session
from storage.db.models import DocumentVersion
from storage.objects.base import Bucket
from tests.api.conftest import AGENCY_A, AGENCY_B, Api, make_api
from tests.db.fixtures import Database
from tests.signing.conftest import PkiFixture

ORG = "UBND xã Tân Phú (TEST)"


def fingerprint(pki: PkiFixture, name: str) -> str:
    return hashlib.sha256(pki.pki.identity(name).cert_der.read_bytes()).hexdigest()


@pytest.fixture
def sapi(db: Database, tmp_path: Path, pki: PkiFixture) -> Iterator[Api]:
    yield from make_api(
        db,
        tmp_path,
        signing={"trust_roots": [str(pki.root_pem)], "font": str(pki.font), "organisation": ORG},
    )


class Desk:
    """A clerk queues, an official (official_rsa certificate) signs with a PKCS#12 key file."""

    def __init__(self, api: Api, pki: PkiFixture) -> None:
        self.api = api
        self.pki = pki
        self.clerk = api.user("clerk", ["clerk"], [AGENCY_A])
        self.official = api.user(
            "official", ["official"], [AGENCY_A], cert_sha256=fingerprint(pki, "official_rsa")
        )
        self.ctx = SigningContext.from_settings(api.settings)

    def queue(self, document_id: int) -> dict:
        response = self.api.client.post(
            "/api/v1/signing/queue",
            json={"document_id": document_id, "official": "official"},
            headers=self.clerk,
        )
        assert response.status_code == 201, response.text
        return response.json()

    def fetch(self, item: dict) -> bytes:
        response = self.api.client.get(f"/api/v1/signing/queue/{item['id']}/pdf", headers=self.official)
        assert response.status_code == 200, response.text
        assert hashlib.sha256(response.content).hexdigest() == item["sha256"]
        return response.content

    def sign(self, data: bytes, identity: str = "official_rsa") -> bytes:
        signer = load_pkcs12_signer(self.pki.pki.identity(identity).p12, self.pki.passphrase)
        return sign_bytes(data, signer, SignRequest(stamp=StampKind.OFFICIAL), self.ctx)

    def upload(self, item: dict, data: bytes):  # type: ignore[no-untyped-def]
        return self.api.client.post(
            f"/api/v1/signing/queue/{item['id']}/signed",
            content=data,
            headers={**self.official, "Content-Type": "application/pdf"},
        )


def signed_versions(api: Api, document_id: int) -> list[str]:
    with read_session(api.ctx.engine) as session:
        return [
            v.sha256 for v in session.query(DocumentVersion).filter_by(document_id=document_id, kind="signed")
        ]


def pending(api: Api, desk: Desk) -> list[int]:
    return [i["id"] for i in api.client.get("/api/v1/signing/queue", headers=desk.official).json()["items"]]


def test_sign_upload_replay_and_fetch(sapi: Api, pki: PkiFixture) -> None:
    desk = Desk(sapi, pki)
    code, document_id = sapi.document(sapi.unique_pdf())
    item = desk.queue(document_id)
    assert desk.queue(document_id)["id"] == item["id"]  # queuing twice: one pending item
    assert pending(sapi, desk) == [item["id"]]

    signed = desk.sign(desk.fetch(item))
    first = desk.upload(item, signed)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["replay"] is False and body["verification"]["valid"] is True
    assert signed_versions(sapi, document_id) == [hashlib.sha256(signed).hexdigest()]
    assert pending(sapi, desk) == []
    # Stored in the signed bucket, under retention.
    retained = sapi.ctx.store.retained_until(Bucket.SIGNED, hashlib.sha256(signed).hexdigest())  # type: ignore[attr-defined]
    assert retained is not None

    # The same upload again is idempotent; a different file for the finished item is refused.
    again = desk.upload(item, signed)
    assert again.status_code == 200 and again.json()["replay"] is True
    assert again.json()["version_id"] == body["version_id"]
    other = desk.sign(desk.sign(signed))
    assert desk.upload(item, other).status_code == 409
    assert len(signed_versions(sapi, document_id)) == 1

    # Downstream: a key of agency A fetches the result; a key of agency B does not see it.
    key_a = sapi.key("dvc-a", ["results:read"], [AGENCY_A])
    key_b = sapi.key("dvc-b", ["results:read"], [AGENCY_B])
    by_doc = sapi.client.get(f"/api/v1/results/documents/{document_id}", headers=key_a)
    assert by_doc.status_code == 200 and by_doc.content == signed
    by_dossier = sapi.client.get(f"/api/v1/results/dossiers/{code}", headers=key_a)
    assert by_dossier.status_code == 200 and by_dossier.content == signed
    listing = sapi.client.get("/api/v1/results", params={"dossier": code}, headers=key_a).json()["items"]
    assert [r["document_id"] for r in listing] == [document_id]
    for path in (f"/api/v1/results/documents/{document_id}", f"/api/v1/results/dossiers/{code}"):
        refused = sapi.client.get(path, headers=key_b)
        assert refused.status_code == 404 and refused.content != signed
    assert sapi.client.get("/api/v1/results", params={"dossier": code}, headers=key_b).status_code == 404
    assert (
        sapi.client.get(
            f"/api/v1/documents/{document_id}", headers=sapi.key("r-b", ["documents:read"], [AGENCY_B])
        ).status_code
        == 404
    )

    # Presigned: the redirect works once, a forged or expired link does not.
    redirect = sapi.client.get(
        f"/api/v1/results/documents/{document_id}",
        params={"redirect": "presigned"},
        headers=key_a,
        follow_redirects=False,
    )
    assert redirect.status_code == 307
    url = urlsplit(redirect.headers["location"])
    link = f"{url.path}?{url.query}"
    assert sapi.client.get(link).content == signed
    forged = re.sub(r"signature=[^&]+", "signature=" + "A" * 43, link)
    assert sapi.client.get(forged).status_code == 403
    longer = re.sub(r"expires=(\d+)", lambda m: f"expires={int(m.group(1)) + 3600}", link)
    assert sapi.client.get(longer).status_code == 403
    other_key = link.replace(url.path.rsplit("/", 1)[1], "0" * 64)
    assert sapi.client.get(other_key).status_code == 403
    short = urlsplit(
        sapi.ctx.store.presigned_get_url(Bucket.SIGNED, url.path.rsplit("/", 1)[1], timedelta(seconds=1))
    )
    time.sleep(1.1)
    expired = sapi.client.get(f"{short.path}?{short.query}")
    assert expired.status_code == 403 and expired.content != signed


def test_tampered_uploads_refused(sapi: Api, pki: PkiFixture) -> None:
    desk = Desk(sapi, pki)
    _, document_id = sapi.document(sapi.unique_pdf())
    item = desk.queue(document_id)
    original = desk.fetch(item)
    signed = desk.sign(original)

    # A byte changed inside the signed revision (the catalogue the signature covers).
    at = signed.index(b"/Version /1.7", len(original)) + len(b"/Version /1.")
    tampered = bytearray(signed)
    tampered[at] = ord("6")
    response = desk.upload(item, bytes(tampered))
    assert response.status_code == 422, response.text

    # The queued content changed before signing: the prefix no longer matches.
    at = original.index(b"/ID [<") + len(b"/ID [<")
    altered = original[:at] + (b"0" if original[at : at + 1] != b"0" else b"1") + original[at + 1 :]
    response = desk.upload(item, desk.sign(altered))
    assert response.status_code == 422 and "queued document" in response.json()["detail"]

    # Valid signature, but by someone else's certificate.
    response = desk.upload(item, desk.sign(original, "official_ecdsa"))
    assert response.status_code == 403, response.text

    # Not a signed file at all / the unsigned original itself.
    assert desk.upload(item, original).status_code == 422
    assert desk.upload(item, b"not a pdf").status_code == 422

    assert signed_versions(sapi, document_id) == []
    assert pending(sapi, desk) == [item["id"]]
    # ... and the genuine upload is still accepted afterwards.
    assert desk.upload(item, signed).status_code == 201


def test_queue_rules(sapi: Api, pki: PkiFixture) -> None:
    desk = Desk(sapi, pki)
    _, document_id = sapi.document(sapi.unique_pdf())
    no_cert = sapi.user("nocert", ["official"], [AGENCY_A])
    response = sapi.client.post(
        "/api/v1/signing/queue", json={"document_id": document_id, "official": "nocert"}, headers=desk.clerk
    )
    assert response.status_code == 409
    response = sapi.client.post(
        "/api/v1/signing/queue", json={"document_id": document_id, "official": "clerk"}, headers=desk.clerk
    )
    assert response.status_code == 422
    item = desk.queue(document_id)
    # Another official cannot see or fetch the item.
    assert sapi.client.get("/api/v1/signing/queue", headers=no_cert).json()["items"] == []
    assert sapi.client.get(f"/api/v1/signing/queue/{item['id']}/pdf", headers=no_cert).status_code == 404
    assert (
        sapi.client.post(
            f"/api/v1/signing/queue/{item['id']}/signed",
            content=b"%PDF-1.7",
            headers={**no_cert, "Content-Type": "application/pdf"},
        ).status_code
        == 404
    )
    # A clerk of another agency cannot queue this agency's document.
    clerk_b = sapi.user("clerkb", ["clerk"], [AGENCY_B])
    response = sapi.client.post(
        "/api/v1/signing/queue", json={"document_id": document_id, "official": "official"}, headers=clerk_b
    )
    assert response.status_code == 404
    # Cancelled items refuse uploads.
    assert sapi.client.delete(f"/api/v1/signing/queue/{item['id']}", headers=desk.clerk).status_code == 200
    assert desk.upload(item, desk.sign(desk.fetch(item))).status_code == 409


def test_verify_endpoint_matches_verify_pdf(sapi: Api, pki: PkiFixture, tmp_path: Path) -> None:
    desk = Desk(sapi, pki)
    key = sapi.key("verifier", ["verify"], ["*"])
    unsigned = sapi.unique_pdf()
    signed_path = tmp_path / "signed.pdf"
    signed_path.write_bytes(desk.sign(unsigned.read_bytes()))

    response = sapi.client.post(
        "/api/v1/verify", content=signed_path.read_bytes(), headers={**key, "Content-Type": "application/pdf"}
    )
    assert response.status_code == 200, response.text
    expected = verify_pdf(signed_path, trust_roots=[pki.root_pem]).model_dump(mode="json")
    got = response.json()
    assert got["valid"] is True and expected["valid"] is True
    strip = ("file", "timestamp")
    assert [{k: v for k, v in s.items() if k not in strip} for s in got["signatures"]] == [
        {k: v for k, v in s.items() if k not in strip} for s in expected["signatures"]
    ]
    # The multipart form works too, and an unsigned PDF is "not valid", garbage a 422.
    multipart = sapi.client.post(
        "/api/v1/verify", files={"file": ("ket-qua.pdf", unsigned.read_bytes())}, headers=key
    )
    assert multipart.status_code == 200 and multipart.json()["valid"] is False
    assert multipart.json()["signatures"] == []
    garbage = sapi.client.post(
        "/api/v1/verify", content=b"hello", headers={**key, "Content-Type": "application/pdf"}
    )
    assert garbage.status_code == 422


def test_verify_endpoint_trust_choices(sapi: Api, pki: PkiFixture, db: Database, tmp_path: Path) -> None:
    """Shipped anchors switched on/off per request (validated ids, in OpenAPI) and by settings."""
    desk = Desk(sapi, pki)
    key = sapi.key("verifier", ["verify"], ["*"])
    signed = desk.sign(sapi.unique_pdf().read_bytes())
    headers = {**key, "Content-Type": "application/pdf"}

    def post(api: Api, query: str, hdrs: dict[str, str] = headers) -> Any:
        return api.client.post(f"/api/v1/verify{query}", content=signed, headers=hdrs)

    plain = post(sapi, "")
    assert plain.status_code == 200, plain.text
    assert "gov-root-g1" not in plain.json()["trust_anchors"]
    assert {"gov-root-g2", "vnpt-ca-sha2"} <= set(plain.json()["trust_anchors"])
    chosen = post(sapi, "?trust_enable=gov-root-g1&trust_disable=vnpt-ca-sha2&trust_disable=gov-root-g2")
    assert chosen.status_code == 200, chosen.text
    anchors = chosen.json()["trust_anchors"]
    assert "gov-root-g1" in anchors and "vnpt-ca-sha2" not in anchors and "gov-root-g2" not in anchors
    assert chosen.json()["valid"] is True  # the test root comes from trust_roots, untouched

    unknown = post(sapi, "?trust_enable=my-own-root")
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith("application/problem+json")
    both = post(sapi, "?trust_enable=gov-root-g1&trust_disable=gov-root-g1")
    assert both.status_code == 422 and "gov-root-g1" in both.text

    spec = sapi.client.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/verify"]["post"]["parameters"]}
    for name in ("trust_enable", "trust_disable"):
        refs = re.findall(r'"#/components/schemas/(\w+)"', json.dumps(params[name]["schema"]))
        assert refs, params[name]
        assert spec["components"]["schemas"][refs[0]]["enum"] == list(shipped_anchor_ids())
        assert params[name]["in"] == "query" and params[name].get("description")

    # The configured choice applies to every verifier of the API, not only the CLI.
    for configured in make_api(
        db,
        tmp_path / "configured",
        signing={"trust_roots": [str(pki.root_pem)], "trust_disable": ["gov-root-g2"]},
    ):
        key2 = configured.key("verifier2", ["verify"], ["*"])
        got = post(configured, "", {**key2, "Content-Type": "application/pdf"})
        assert got.status_code == 200, got.text
        assert "gov-root-g2" not in got.json()["trust_anchors"]
        assert (
            "gov-root-g2"
            in post(
                configured, "?trust_enable=gov-root-g2", {**key2, "Content-Type": "application/pdf"}
            ).json()["trust_anchors"]
        )

"""Loopback CRL, OCSP and RFC 3161 time-stamping services for the TEST PKI.

Revocation and B-T/B-LT signing need real HTTP round trips to be tested honestly; this serves
them on 127.0.0.1 on a free port from one small threaded server. The port must be known
before the certificates are made (their CRL/OCSP URLs carry it), so the server starts first
and the PKI is attached afterwards; :func:`start_pki_with_services` does both.

Routes: ``GET {base}/crl/root.crl``, ``GET {base}/crl/intermediate.crl``, ``POST {base}/ocsp``
(also ``GET {base}/ocsp/<base64>``), ``POST {base}/tsa``. TEST MATERIAL ONLY.
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from signing.testpki import TestPki, create_test_pki

__all__ = ["PkiServices", "start_pki_with_services"]

#: how long an OCSP answer stays fresh
OCSP_LIFETIME = dt.timedelta(days=1)


class PkiServices:
    """The HTTP server; ``requests`` counts hits per route so tests can prove (non-)fetching."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._server.services = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        self._pki: TestPki | None = None
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.offline = False
        """when true every request fails with 503 (a CA that is down)"""

    # --- life cycle ---
    def start(self) -> PkiServices:
        self._thread = threading.Thread(target=self._server.serve_forever, name="testpki-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> PkiServices:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- addresses ---
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def crl_url(self) -> str:
        return f"{self.base_url}/crl"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/ocsp"

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/tsa"

    def attach(self, pki: TestPki) -> None:
        with self._lock:
            self._pki = pki
            self._ocsp = _OcspResponder(pki)
            self._tsa = _TimeStampAuthority(pki)

    @property
    def pki(self) -> TestPki:
        if self._pki is None:
            raise RuntimeError("no PKI attached to the services yet")
        return self._pki

    # --- answers (called from handler threads) ---
    def crl(self, name: str) -> bytes | None:
        pki = self.pki
        path = {"root.crl": pki.root_crl, "intermediate.crl": pki.crl}.get(name)
        return path.read_bytes() if path is not None else None

    def ocsp(self, request_der: bytes) -> bytes:
        return self._ocsp.respond(request_der)

    def timestamp(self, request_der: bytes) -> bytes:
        return self._tsa.respond(request_der)


def start_pki_with_services(
    directory: Path, *, with_ocsp: bool = True, with_crl: bool = True
) -> tuple[TestPki, PkiServices]:
    """Start the services on a free port, make the PKI pointing at them, attach it.

    ``with_ocsp``/``with_crl`` leave that pointer out of the certificates, to test each
    revocation channel on its own.
    """
    services = PkiServices().start()
    try:
        pki = create_test_pki(
            directory,
            ocsp_url=services.ocsp_url if with_ocsp else None,
            crl_url=services.crl_url if with_crl else None,
            tsa_url=services.tsa_url,
        )
        services.attach(pki)
    except BaseException:
        services.stop()
        raise
    return pki, services


class _OcspResponder:
    """Answers for certificates issued by the intermediate, signed by the delegated responder."""

    def __init__(self, pki: TestPki) -> None:
        self.issuer = pki.intermediate.load_cert()
        self.responder_cert = pki.ocsp_responder.load_cert()
        self.responder_key = pki.ocsp_responder.load_key()
        self.revoked = set(pki.revoked_serials)
        crl = x509.load_der_x509_crl(pki.crl.read_bytes())
        self.revocation_times = {entry.serial_number: entry.revocation_date_utc for entry in crl}
        self.known = {
            ident.load_cert().serial_number
            for ident in pki.identities.values()
            if ident.name not in ("root", "intermediate")
        }

    def respond(self, request_der: bytes) -> bytes:
        try:
            req = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        serial = req.serial_number
        if serial in self.revoked:
            status = ocsp.OCSPCertStatus.REVOKED
            rev_time: dt.datetime | None = self.revocation_times.get(serial, now)
            rev_reason: x509.ReasonFlags | None = x509.ReasonFlags.key_compromise
        else:
            status = ocsp.OCSPCertStatus.GOOD if serial in self.known else ocsp.OCSPCertStatus.UNKNOWN
            rev_time, rev_reason = None, None
        # Answer by hash: the response's cert ID then matches the request's exactly.
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=req.issuer_name_hash,
                issuer_key_hash=req.issuer_key_hash,
                serial_number=serial,
                algorithm=req.hash_algorithm,
                cert_status=status,
                this_update=now - dt.timedelta(seconds=30),
                next_update=now + OCSP_LIFETIME,
                revocation_time=rev_time,
                revocation_reason=rev_reason,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.responder_cert)
            .certificates([self.responder_cert])
        )
        for ext in req.extensions:
            if isinstance(ext.value, x509.OCSPNonce):
                builder = builder.add_extension(ext.value, critical=False)
        resp = builder.sign(self.responder_key, hashes.SHA256())
        return resp.public_bytes(serialization.Encoding.DER)


_TSA_REJECTION = bytes.fromhex("3005300302010" + "2")


class _TimeStampAuthority:
    def __init__(self, pki: TestPki) -> None:
        from pyhanko.sign.timestamps import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        tsa_cert = asn1_x509.Certificate.load(pki.tsa.load_cert().public_bytes(serialization.Encoding.DER))
        tsa_key = asn1_keys.PrivateKeyInfo.load(
            pki.tsa.load_key().private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        chain = [
            asn1_x509.Certificate.load(pki.intermediate.load_cert().public_bytes(serialization.Encoding.DER)),
        ]
        self._stamper = DummyTimeStamper(
            tsa_cert=tsa_cert, tsa_key=tsa_key, certs_to_embed=SimpleCertificateStore.from_certs(chain)
        )

    def respond(self, request_der: bytes) -> bytes:
        try:
            req = tsp.TimeStampReq.load(request_der)
            req.native  # noqa: B018 - forces a full parse so garbage fails here
        except (ValueError, TypeError):
            # TimeStampResp { status PKIStatusInfo { status rejection(2) } }, DER by hand:
            # asn1crypto wrongly requires timeStampToken and cannot build it
            return _TSA_REJECTION
        return bytes(self._stamper.request_tsa_response(req).dump())


class _Handler(BaseHTTPRequestHandler):
    server_version = "sohoa-testpki/1"

    @property
    def services(self) -> PkiServices:
        return self.server.services  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: object) -> None:
        return  # quiet: tests read their own output

    def _send(self, code: int, body: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self, method: str) -> None:
        path = urllib.parse.urlparse(self.path).path
        services = self.services
        head = path.strip("/").split("/", 1)[0]
        services.requests[head] += 1
        if services.offline:
            self._send(503, b"offline", "text/plain")
            return
        body = b""
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
        if method == "GET" and path.startswith("/crl/"):
            crl = services.crl(path.removeprefix("/crl/"))
            if crl is None:
                self._send(404, b"not found", "text/plain")
            else:
                self._send(200, crl, "application/pkix-crl")
        elif path == "/ocsp" and method == "POST":
            self._send(200, services.ocsp(body), "application/ocsp-response")
        elif path.startswith("/ocsp/") and method == "GET":
            der = base64.b64decode(urllib.parse.unquote(path.removeprefix("/ocsp/")))
            self._send(200, services.ocsp(der), "application/ocsp-response")
        elif path == "/tsa" and method == "POST":
            self._send(200, services.timestamp(body), "application/timestamp-reply")
        else:
            self._send(404, b"not found", "text/plain")

    def _safe_route(self, method: str) -> None:
        try:
            self._route(method)
        except Exception:  # a test CA answers 500 like a real one, never drops the line
            self._send(500, b"internal error", "text/plain")

    def do_GET(self) -> None:
        self._safe_route("GET")

    def do_POST(self) -> None:
        self._safe_route("POST")

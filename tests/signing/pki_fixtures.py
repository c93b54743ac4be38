"""Session fixtures: the offline TEST PKI with its loopback CRL/OCSP/TSA, and a pdfsig NSS db.

Import the fixture functions into a test module (``from tests.signing.pki_fixtures import
pki_env_fixture  # noqa: F401``); the fixture is then requested as ``pki_env``;
each xdist worker gets its own PKI, server and port (tmp_path_factory is per worker).
The signing helpers here use bare pyHanko on purpose: verification tests must not depend on
sohoa's own signer, and attacks are built on files signed the textbook way.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator import ValidationContext

from signing.pdfsig import make_nss_db
from signing.testpki import Identity, TestPki
from signing.testpki_services import PkiServices, start_pki_with_services


@dataclass
class PkiEnv:
    pki: TestPki
    services: PkiServices
    nss_dir: Path


def _start(factory: pytest.TempPathFactory, name: str, **kw: bool) -> Iterator[PkiEnv]:
    pki, services = start_pki_with_services(factory.mktemp(name), **kw)
    try:
        nss = make_nss_db(factory.mktemp(f"{name}-nss"), pki.trust_roots)
        yield PkiEnv(pki=pki, services=services, nss_dir=nss)
    finally:
        services.stop()


@pytest.fixture(scope="session", name="pki_env")
def pki_env_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PkiEnv]:
    """PKI whose certificates point to both a CRL and an OCSP responder."""
    yield from _start(tmp_path_factory, "testpki")


@pytest.fixture(scope="session", name="pki_env_crl_only")
def pki_env_crl_only_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PkiEnv]:
    yield from _start(tmp_path_factory, "testpki-crl", with_ocsp=False)


@pytest.fixture(scope="session", name="pki_env_ocsp_only")
def pki_env_ocsp_only_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PkiEnv]:
    yield from _start(tmp_path_factory, "testpki-ocsp", with_crl=False)


@pytest.fixture(name="services_online")
def services_online_fixture(pki_env: PkiEnv) -> Iterator[PkiServices]:
    """Guarantees a test that switches the services off leaves them on for the next."""
    pki_env.services.offline = False
    yield pki_env.services
    pki_env.services.offline = False


# --- documents and signatures ---------------------------------------------------------------------


def text_pdf_bytes(pages: int = 1, text: str = "QUYET DINH so 12/QD-UBND") -> bytes:
    """A small PDF with a visible text line per page (Helvetica, ASCII: pikepdf only)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for i in range(pages):
        content = f"BT /F1 18 Tf 72 760 Td ({text} - trang {i + 1}) Tj ET".encode()
        page = pikepdf.Page(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, 595, 842],
                Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                Contents=pdf.make_stream(content),
            )
        )
        pdf.pages.append(page)
    buf = io.BytesIO()
    # uncompressed, so tests can find and flip the visible text's bytes
    pdf.save(buf, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return buf.getvalue()


def signer_for(pki: TestPki, ident: Identity) -> signers.SimpleSigner:
    signer = signers.SimpleSigner.load_pkcs12(str(ident.p12), passphrase=pki.passphrase.encode())
    assert signer is not None
    return signer


def sign_bytes(
    data: bytes,
    signer: signers.Signer,
    *,
    field: str = "Sig1",
    pki: TestPki | None = None,
    timestamp: bool = False,
    ltv: bool = False,
    certify: fields.MDPPerm | None = None,
) -> bytes:
    """Sign ``data`` in a new field; ``timestamp`` adds the test TSA's token, ``ltv`` a DSS."""
    timestamper = None
    vc = None
    if timestamp or ltv:
        assert pki is not None and pki.tsa_url
        timestamper = timestamps.HTTPTimeStamper(pki.tsa_url)
    if ltv:
        assert pki is not None
        vc = ValidationContext(
            trust_roots=[load_cert_from_pemder(str(pki.root.cert))],
            allow_fetching=True,
            revocation_mode="hard-fail",
        )
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=ltv,
        validation_context=vc,
        certify=certify is not None,
        docmdp_permissions=certify or fields.MDPPerm.FILL_FORMS,
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=signer, timestamper=timestamper
    )
    return out.getvalue()


def self_signed_p12(directory: Path, common_name: str = "Kẻ Giả Mạo (TEST)") -> Path:
    """A self-signed 'official' certificate with the right key usage but no CA behind it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "CHỈ DÙNG THỬ NGHIỆM (TEST ONLY)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    path = directory / "self-signed.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"self", key, cert, None, serialization.BestAvailableEncryption(b"sohoa-test")
        )
    )
    return path

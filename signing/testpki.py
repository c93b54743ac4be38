"""An offline test PKI: root, intermediate, officials, seal, TSA and the broken cases.

Tests, the README's demo and the embedded default need certificates that behave like a real
Vietnamese signing PKI (diacritics in names, non-repudiation key usage, CRL and OCSP pointers)
without any network or real CA. Everything here is TEST MATERIAL: every subject says so
("TEST", "CHỈ DÙNG THỬ NGHIỆM"), and the PKCS#12 files share a known passphrase.

URLs: ``crl_url`` is a base URL; certificates issued by the intermediate point to
``{crl_url}/intermediate.crl`` and the intermediate to ``{crl_url}/root.crl``. ``ocsp_url`` goes
into the leaf certificates' Authority Information Access. :mod:`signing.testpki_services`
serves all three on loopback.

Run ``python -m signing.testpki DIR`` to create (or reuse) one.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from config.errors import ExitCode, SohoaError

__all__ = [
    "PASSPHRASE",
    "Identity",
    "TestPki",
    "TestPkiError",
    "create_test_pki",
    "load_test_pki",
]

#: Passphrase of every PKCS#12 file of the test PKI (test material, not a secret).
PASSPHRASE = "sohoa-test"

TEST_MARK = "CHỈ DÙNG THỬ NGHIỆM (TEST ONLY)"
ORGANISATION = "UBND xã Tân Phú (TEST)"
PROVINCE = "Đồng Nai"
MANIFEST = "pki.json"
MANIFEST_VERSION = 1
#: a reused PKI whose CRLs expire sooner than this gets fresh CRLs
CRL_MIN_REMAINING = dt.timedelta(days=1)
CRL_LIFETIME = dt.timedelta(days=30)

KeyType = Literal["rsa", "ecdsa"]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class TestPkiError(SohoaError):
    """The test PKI directory cannot be created or read."""

    __test__ = False  # not a pytest test class
    exit_code = ExitCode.INPUT_FILE


@dataclass(frozen=True)
class Identity:
    """One certificate with its key, as files."""

    __test__ = False

    name: str
    common_name: str
    key_type: KeyType
    cert: Path
    """PEM certificate"""
    key: Path
    """unencrypted PKCS#8 PEM private key (what ``softhsm2-util --import`` takes)"""
    p12: Path
    """PKCS#12 with key, certificate and chain, protected by :data:`PASSPHRASE`"""

    def load_cert(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert.read_bytes())

    def load_key(self) -> PrivateKey:
        key = serialization.load_pem_private_key(self.key.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        return key

    @property
    def cert_der(self) -> Path:
        return self.cert.with_suffix(".der")


@dataclass(frozen=True)
class TestPki:
    """Paths of a generated test PKI; see the module docstring for the URL layout."""

    __test__ = False

    directory: Path
    root: Identity
    intermediate: Identity
    official_rsa: Identity
    """Nguyễn Văn An, RSA 2048, digitalSignature + nonRepudiation"""
    official_ecdsa: Identity
    """Trần Thị Bình, ECDSA P-256, digitalSignature + nonRepudiation"""
    seal: Identity
    """the commune's organisation seal, RSA 2048"""
    revoked: Identity
    """listed on the intermediate's CRL and reported revoked by the OCSP responder"""
    expired: Identity
    not_yet_valid: Identity
    no_signing_usage: Identity
    """key usage keyEncipherment only: must not be accepted for signing"""
    tsa: Identity
    """RFC 3161 time-stamping authority (EKU timeStamping, critical), RSA"""
    ocsp_responder: Identity
    """delegated OCSP signer (EKU OCSPSigning, id-pkix-ocsp-nocheck)"""
    root_crl: Path
    """DER CRL issued by the root (empty)"""
    crl: Path
    """DER CRL issued by the intermediate, listing :attr:`revoked`"""
    chain: Path
    """PEM bundle: intermediate then root"""
    passphrase: str = PASSPHRASE
    ocsp_url: str | None = None
    crl_url: str | None = None
    tsa_url: str | None = None
    revoked_serials: frozenset[int] = field(default_factory=frozenset)

    @property
    def trust_roots(self) -> list[Path]:
        return [self.root.cert]

    @property
    def identities(self) -> dict[str, Identity]:
        return {
            ident.name: ident
            for ident in (
                self.root,
                self.intermediate,
                self.official_rsa,
                self.official_ecdsa,
                self.seal,
                self.revoked,
                self.expired,
                self.not_yet_valid,
                self.no_signing_usage,
                self.tsa,
                self.ocsp_responder,
            )
        }

    def identity(self, name: str) -> Identity:
        return self.identities[name]


# --- what to generate -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    name: str
    common_name: str
    key_type: KeyType
    issuer: str | None  # None: self-signed
    kind: Literal["ca", "signer", "no_signing", "tsa", "ocsp"]
    not_before_days: float = -1.0  # relative to creation time
    not_after_days: float = 730.0
    org: str = ORGANISATION
    title: str | None = None


_SPECS: tuple[_Spec, ...] = (
    _Spec(
        "root",
        "TEST Sohoa Root CA - CHỈ DÙNG THỬ NGHIỆM",
        "rsa",
        None,
        "ca",
        not_after_days=3650,
        org="Sohoa TEST PKI",
    ),
    _Spec(
        "intermediate",
        "TEST Sohoa Intermediate CA - CHỈ DÙNG THỬ NGHIỆM",
        "rsa",
        "root",
        "ca",
        not_after_days=1825,
        org="Sohoa TEST PKI",
    ),
    _Spec("official_rsa", "Nguyễn Văn An (TEST)", "rsa", "intermediate", "signer", title="Chủ tịch"),
    _Spec("official_ecdsa", "Trần Thị Bình (TEST)", "ecdsa", "intermediate", "signer", title="Phó Chủ tịch"),
    _Spec("seal", ORGANISATION, "rsa", "intermediate", "signer"),
    _Spec(
        "revoked",
        "Lê Văn Cường (TEST, ĐÃ THU HỒI)",
        "rsa",
        "intermediate",
        "signer",
        title="Công chức Tư pháp - Hộ tịch",
    ),
    _Spec(
        "expired",
        "Phạm Thị Dung (TEST, HẾT HẠN)",
        "rsa",
        "intermediate",
        "signer",
        not_before_days=-730,
        not_after_days=-1,
        title="Công chức Văn phòng",
    ),
    _Spec(
        "not_yet_valid",
        "Hoàng Văn Em (TEST, CHƯA HIỆU LỰC)",
        "rsa",
        "intermediate",
        "signer",
        not_before_days=30,
        not_after_days=760,
        title="Công chức Văn phòng",
    ),
    _Spec("no_signing_usage", "Võ Thị Giang (TEST, KHÔNG KÝ SỐ)", "rsa", "intermediate", "no_signing"),
    _Spec("tsa", "TEST Sohoa TSA - CHỈ DÙNG THỬ NGHIỆM", "rsa", "intermediate", "tsa", org="Sohoa TEST PKI"),
    _Spec(
        "ocsp_responder",
        "TEST Sohoa OCSP - CHỈ DÙNG THỬ NGHIỆM",
        "rsa",
        "intermediate",
        "ocsp",
        org="Sohoa TEST PKI",
    ),
)


def _name(spec: _Spec) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, PROVINCE),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, spec.org),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_MARK),
    ]
    if spec.title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, spec.title))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, spec.common_name))
    return x509.Name(attrs)


def _new_key(key_type: KeyType) -> PrivateKey:
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _key_usage(**on: bool) -> x509.KeyUsage:
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    flags.update(on)
    return x509.KeyUsage(**flags)


def _build_cert(
    spec: _Spec,
    key: PrivateKey,
    issuer_name: x509.Name,
    issuer_key: PrivateKey,
    now: dt.datetime,
    ocsp_url: str | None,
    crl_url: str | None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(spec))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + dt.timedelta(days=spec.not_before_days))
        .not_valid_after(now + dt.timedelta(days=spec.not_after_days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if spec.kind == "ca":
        path_len = 1 if spec.issuer is None else 0
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=path_len), critical=True
        ).add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
    else:
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    if spec.kind == "signer":
        builder = builder.add_extension(
            _key_usage(digital_signature=True, content_commitment=True), critical=True
        )
    elif spec.kind == "no_signing":
        builder = builder.add_extension(_key_usage(key_encipherment=True), critical=True)
    elif spec.kind == "tsa":
        builder = builder.add_extension(
            _key_usage(digital_signature=True, content_commitment=True), critical=True
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    elif spec.kind == "ocsp":
        builder = (
            builder.add_extension(_key_usage(digital_signature=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=True)
            .add_extension(x509.OCSPNoCheck(), critical=False)
        )
    if spec.issuer is not None and spec.kind != "ocsp":
        if crl_url:
            crl_file = "root.crl" if spec.issuer == "root" else "intermediate.crl"
            builder = builder.add_extension(
                x509.CRLDistributionPoints(
                    [
                        x509.DistributionPoint(
                            full_name=[x509.UniformResourceIdentifier(f"{crl_url.rstrip('/')}/{crl_file}")],
                            relative_name=None,
                            reasons=None,
                            crl_issuer=None,
                        )
                    ]
                ),
                critical=False,
            )
        if ocsp_url and spec.issuer == "intermediate":
            builder = builder.add_extension(
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            x509.oid.AuthorityInformationAccessOID.OCSP,
                            x509.UniformResourceIdentifier(ocsp_url),
                        )
                    ]
                ),
                critical=False,
            )
    return builder.sign(issuer_key, hashes.SHA256())


def _build_crl(
    issuer_cert: x509.Certificate,
    issuer_key: PrivateKey,
    revoked: list[x509.Certificate],
    now: dt.datetime,
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + CRL_LIFETIME)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    for cert in revoked:
        # Revoked an hour before the PKI was made (after its validity began), so every
        # signature made with it afterwards is by a revoked certificate.
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(cert.serial_number)
            .revocation_date(now - dt.timedelta(hours=1))
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(issuer_key, hashes.SHA256())


# --- files ------------------------------------------------------------------------------------


def _identity_paths(directory: Path, spec: _Spec) -> Identity:
    return Identity(
        name=spec.name,
        common_name=spec.common_name,
        key_type=spec.key_type,
        cert=directory / f"{spec.name}.pem",
        key=directory / f"{spec.name}.key.pem",
        p12=directory / f"{spec.name}.p12",
    )


def _pki_from_files(directory: Path, manifest: dict[str, object]) -> TestPki:
    ids = {spec.name: _identity_paths(directory, spec) for spec in _SPECS}
    revoked = manifest.get("revoked_serials", [])
    assert isinstance(revoked, list)
    return TestPki(
        directory=directory,
        root=ids["root"],
        intermediate=ids["intermediate"],
        official_rsa=ids["official_rsa"],
        official_ecdsa=ids["official_ecdsa"],
        seal=ids["seal"],
        revoked=ids["revoked"],
        expired=ids["expired"],
        not_yet_valid=ids["not_yet_valid"],
        no_signing_usage=ids["no_signing_usage"],
        tsa=ids["tsa"],
        ocsp_responder=ids["ocsp_responder"],
        root_crl=directory / "root.crl",
        crl=directory / "intermediate.crl",
        chain=directory / "chain.pem",
        ocsp_url=_opt_str(manifest.get("ocsp_url")),
        crl_url=_opt_str(manifest.get("crl_url")),
        tsa_url=_opt_str(manifest.get("tsa_url")),
        revoked_serials=frozenset(int(s) for s in revoked),
    )


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    path.write_bytes(data)
    if private:
        path.chmod(0o600)


def _generate(
    directory: Path, ocsp_url: str | None, crl_url: str | None, tsa_url: str | None
) -> dict[str, object]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    keys: dict[str, PrivateKey] = {}
    certs: dict[str, x509.Certificate] = {}
    for spec in _SPECS:
        key = _new_key(spec.key_type)
        if spec.issuer is None:
            issuer_name, issuer_key = _name(spec), key
        else:
            issuer_name, issuer_key = certs[spec.issuer].subject, keys[spec.issuer]
        keys[spec.name] = key
        certs[spec.name] = _build_cert(spec, key, issuer_name, issuer_key, now, ocsp_url, crl_url)

    passphrase = PASSPHRASE.encode()
    for spec in _SPECS:
        ident = _identity_paths(directory, spec)
        cert, key = certs[spec.name], keys[spec.name]
        _write(ident.cert, cert.public_bytes(serialization.Encoding.PEM))
        _write(ident.cert_der, cert.public_bytes(serialization.Encoding.DER))
        _write(
            ident.key,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            private=True,
        )
        chain_names = {"root": [], "intermediate": ["root"]}.get(spec.name, ["intermediate", "root"])
        cas = [certs[name] for name in chain_names]
        _write(
            ident.p12,
            pkcs12.serialize_key_and_certificates(
                name=spec.common_name.encode(),
                key=key,
                cert=cert,
                cas=cas,
                encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
            ),
            private=True,
        )
    _write(
        directory / "chain.pem",
        certs["intermediate"].public_bytes(serialization.Encoding.PEM)
        + certs["root"].public_bytes(serialization.Encoding.PEM),
    )
    revoked_serials = [certs["revoked"].serial_number]
    _issue_crls(directory, certs, keys, now)
    (directory / "README.txt").write_text(
        "Hạ tầng khóa công khai THỬ NGHIỆM của sohoa - CHỈ DÙNG THỬ NGHIỆM.\n"
        "Sohoa TEST PKI: test material only, never trust it in production.\n"
        f"PKCS#12 passphrase: {PASSPHRASE}\n",
        encoding="utf-8",
    )
    return {
        "version": MANIFEST_VERSION,
        "ocsp_url": ocsp_url,
        "crl_url": crl_url,
        "tsa_url": tsa_url,
        "revoked_serials": revoked_serials,
        "created": now.isoformat(),
    }


def _issue_crls(
    directory: Path,
    certs: dict[str, x509.Certificate],
    keys: dict[str, PrivateKey],
    now: dt.datetime,
) -> None:
    root_crl = _build_crl(certs["root"], keys["root"], [], now)
    int_crl = _build_crl(certs["intermediate"], keys["intermediate"], [certs["revoked"]], now)
    _write(directory / "root.crl", root_crl.public_bytes(serialization.Encoding.DER))
    _write(directory / "intermediate.crl", int_crl.public_bytes(serialization.Encoding.DER))


def _refresh_crls_if_stale(pki: TestPki) -> None:
    crl = x509.load_der_x509_crl(pki.crl.read_bytes())
    next_update = crl.next_update_utc
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if next_update is not None and next_update - now > CRL_MIN_REMAINING:
        return
    certs = {name: pki.identity(name).load_cert() for name in ("root", "intermediate", "revoked")}
    keys = {name: pki.identity(name).load_key() for name in ("root", "intermediate")}
    _issue_crls(pki.directory, certs, keys, now)


def _read_manifest(directory: Path) -> dict[str, object] | None:
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _complete(pki: TestPki) -> bool:
    paths = [pki.root_crl, pki.crl, pki.chain]
    for ident in pki.identities.values():
        paths += [ident.cert, ident.cert_der, ident.key, ident.p12]
    return all(p.is_file() for p in paths)


def load_test_pki(directory: Path) -> TestPki:
    """Open a test PKI made earlier by :func:`create_test_pki`."""
    manifest = _read_manifest(directory)
    if manifest is None or manifest.get("version") != MANIFEST_VERSION:
        raise TestPkiError(f"Không có PKI thử nghiệm trong {directory} (no test PKI there)")
    pki = _pki_from_files(directory, manifest)
    if not _complete(pki):
        raise TestPkiError(f"PKI thử nghiệm trong {directory} thiếu tệp (test PKI is incomplete)")
    return pki


def create_test_pki(
    directory: Path,
    *,
    ocsp_url: str | None = None,
    crl_url: str | None = None,
    tsa_url: str | None = None,
) -> TestPki:
    """Create the test PKI in ``directory``, or reuse the one there if made with the same URLs.

    A PKI made with other URLs is replaced (its keys change: re-import them into any token).
    Files are written to a scratch directory first and moved in, so an interrupted run
    leaves either the old PKI or none.
    """
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        lock = (directory / ".lock").open("a")
    except OSError as exc:
        raise TestPkiError(f"Không tạo được thư mục PKI thử nghiệm {directory}: {exc.strerror}") from exc
    with lock:
        # two processes asked for the same PKI at once (xdist workers, two demo runs): one
        # makes it, the other then finds it complete instead of mixing two generations' keys
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _create_locked(directory, ocsp_url, crl_url, tsa_url)


def _create_locked(
    directory: Path, ocsp_url: str | None, crl_url: str | None, tsa_url: str | None
) -> TestPki:
    manifest = _read_manifest(directory)
    if (
        manifest is not None
        and manifest.get("version") == MANIFEST_VERSION
        and (manifest.get("ocsp_url"), manifest.get("crl_url"), manifest.get("tsa_url"))
        == (ocsp_url, crl_url, tsa_url)
    ):
        pki = _pki_from_files(directory, manifest)
        if _complete(pki):
            _refresh_crls_if_stale(pki)
            return pki
    try:
        scratch = Path(tempfile.mkdtemp(prefix=".testpki-", dir=directory))
    except OSError as exc:
        raise TestPkiError(f"Không tạo được thư mục PKI thử nghiệm {directory}: {exc.strerror}") from exc
    try:
        new_manifest = _generate(scratch, ocsp_url, crl_url, tsa_url)
        (directory / MANIFEST).unlink(missing_ok=True)
        for item in scratch.iterdir():
            item.replace(directory / item.name)
        manifest_tmp = directory / f".{MANIFEST}.tmp"
        manifest_tmp.write_text(json.dumps(new_manifest, indent=2), encoding="utf-8")
        manifest_tmp.replace(directory / MANIFEST)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _pki_from_files(directory, new_manifest)


def main(argv: list[str] | None = None) -> int:
    """``python -m signing.testpki DIR [--ocsp-url U] [--crl-url U] [--tsa-url U]``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m signing.testpki",
        description="Tạo PKI thử nghiệm (create the offline TEST PKI) — CHỈ DÙNG THỬ NGHIỆM",
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--ocsp-url")
    parser.add_argument("--crl-url")
    parser.add_argument("--tsa-url")
    args = parser.parse_args(argv)
    try:
        pki = create_test_pki(
            args.directory, ocsp_url=args.ocsp_url, crl_url=args.crl_url, tsa_url=args.tsa_url
        )
    except SohoaError as exc:
        print(f"sohoa: {exc.message}", file=sys.stderr)
        return int(exc.exit_code)
    print(describe(pki))
    return 0


def describe(pki: TestPki) -> str:
    """A short listing for staff running the demo."""
    lines = [f"PKI thử nghiệm (TEST PKI, CHỈ DÙNG THỬ NGHIỆM): {pki.directory}"]
    lines.append(f"  gốc tin cậy (trust root): {pki.root.cert}")
    for ident in pki.identities.values():
        lines.append(f"  {ident.name:<17} {ident.common_name}  →  {ident.p12.name}")
    lines.append(f"  mật khẩu PKCS#12 (passphrase): {pki.passphrase}")
    lines.append("  cấu hình để kiểm tra chữ ký (settings to verify against it):")
    lines.append(f"    SOHOA_SIGNING__TRUST_ROOTS='{json.dumps([str(pki.root.cert)])}'")
    if pki.tsa_url:
        lines.append(f"    SOHOA_SIGNING__TSA_URL={pki.tsa_url}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

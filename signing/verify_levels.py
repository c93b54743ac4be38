"""Each signature's own PAdES level, from the revisions written after it.

A file's DSS is shared: once the competent official's signature is extended to B-LT, the same
DSS dictionary is still there when the seal is added after it. Counting that DSS for the seal
would call a B-T seal B-LT, although nothing in the file proves the seal's certificate was
valid when it was made. So the level is per signature (ETSI EN 319 142-1):

* B-LT only if a DSS written in a revision AFTER the signature's own holds its chain (the
  signer's issuing CA certificate) and revocation data for the signer's certificate (an OCSP
  answer about it, or a CRL of its issuer);
* B-LTA only if, in addition, a document timestamp was added after that DSS.

A DSS is "written" in a revision when its content (certificates, CRLs, OCSP answers) differs
from the previous revision's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError


@dataclass(frozen=True)
class DssRevision:
    """The DSS as it stands at ``revision``, a revision that wrote it."""

    revision: int
    ca_subjects: frozenset[bytes]
    """SHA-256 of the subject of every certificate in the DSS"""
    crl_issuers: frozenset[bytes]
    """SHA-256 of the issuer name of every CRL"""
    ocsp_certs: frozenset[tuple[int, bytes]]
    """(serial number, issuer name hash) of every certificate an OCSP answer speaks of, with the
    hash recomputed as SHA-256 of the name so answers using another hash compare alike"""


@dataclass
class LevelFacts:
    """What the per-signature level needs to know of the file, read once per verification."""

    dss_writes: list[DssRevision] = field(default_factory=list)
    doc_timestamp_revisions: list[int] = field(default_factory=list)


def _name_key(name: asn1_x509.Name) -> bytes:
    return hashlib.sha256(name.hashable.encode()).digest()


def _ocsp_certs(blob: bytes) -> set[tuple[int, bytes, str]]:
    """(serial, issuer name hash, its algorithm) of each single response of one OCSP answer."""
    out: set[tuple[int, bytes, str]] = set()
    response = asn1_ocsp.OCSPResponse.load(blob)
    basic = response["response_bytes"]["response"].parsed
    for single in basic["tbs_response_data"]["responses"]:
        cert_id = single["cert_id"]
        out.add(
            (
                int(cert_id["serial_number"].native),
                bytes(cert_id["issuer_name_hash"].native),
                str(cert_id["hash_algorithm"]["algorithm"].native),
            )
        )
    return out


OcspNames = dict[tuple[str, bytes], bytes]


def _snapshot(handler: object, revision: int, ocsp_names: OcspNames) -> DssRevision | None:
    try:
        dss = DocumentSecurityStore.read_dss(handler)  # type: ignore[arg-type]
    except NoDSSFoundError:
        return None
    subjects = frozenset(_name_key(c.subject) for c in dss.load_certs())
    issuers: set[bytes] = set()
    for ref in dss.crls:
        try:
            issuers.add(_name_key(asn1_crl.CertificateList.load(ref.get_object().data).issuer))
        except Exception:  # an unreadable CRL proves nothing
            continue
    answered: set[tuple[int, bytes]] = set()
    for ref in dss.ocsps:
        try:
            certs = _ocsp_certs(ref.get_object().data)
        except Exception:  # an unreadable OCSP answer proves nothing
            continue
        for serial, name_hash, algorithm in certs:
            key = ocsp_names.get((algorithm, name_hash))
            if key is not None:
                answered.add((serial, key))
    return DssRevision(revision, subjects, frozenset(issuers), frozenset(answered))


def read_level_facts(reader: PdfFileReader, issuers: list[asn1_x509.Name]) -> LevelFacts:
    """The revisions that wrote the DSS, and the document timestamps' revisions.

    ``issuers``: the issuer names of the file's signers; an OCSP answer identifies its
    certificate by a hash of the issuer's name, so it is matched against these.
    """
    facts = LevelFacts()
    facts.doc_timestamp_revisions = sorted(
        emb.signed_revision for emb in reader.embedded_signatures if emb.sig_object_type == "/DocTimeStamp"
    )
    ocsp_names: OcspNames = {}
    for name in issuers:
        key = _name_key(name)
        for algorithm in ("sha1", "sha256", "sha384", "sha512"):
            ocsp_names[(algorithm, hashlib.new(algorithm, name.dump()).digest())] = key
    previous: DssRevision | None = None
    for revision in range(reader.xrefs.total_revisions):
        try:
            handler = reader.get_historical_resolver(revision)
            current = _snapshot(handler, revision, ocsp_names)
        except Exception:  # a damaged DSS in one revision counts for nothing
            current = None
        if current is not None and (
            previous is None
            or (current.ca_subjects, current.crl_issuers, current.ocsp_certs)
            != (previous.ca_subjects, previous.crl_issuers, previous.ocsp_certs)
        ):
            facts.dss_writes.append(current)
        previous = current
    return facts


def _covers(dss: DssRevision, cert: asn1_x509.Certificate) -> bool:
    issuer = _name_key(cert.issuer)
    if issuer not in dss.ca_subjects:
        return False
    return issuer in dss.crl_issuers or (int(cert.serial_number), issuer) in dss.ocsp_certs


def long_term_level(
    facts: LevelFacts, signed_revision: int, cert: asn1_x509.Certificate | None
) -> str | None:
    """ "B-LTA", "B-LT", or ``None`` (the signature is at most B-T)."""
    if cert is None:
        return None
    covering = [d.revision for d in facts.dss_writes if d.revision > signed_revision and _covers(d, cert)]
    if not covering:
        return None
    if any(ts > min(covering) for ts in facts.doc_timestamp_revisions):
        return "B-LTA"
    return "B-LT"

"""poppler's ``pdfsig`` as an independent second opinion on sohoa's signatures.

pyHanko both makes and checks sohoa's signatures; a bug shared by both would go unnoticed.
poppler (NSS underneath) is a separate implementation, so tests run every signed file through
it against an NSS database that trusts only the given roots.

Note: for certificates that carry an OCSP URL, poppler/NSS insists on asking the responder
(``-no-ocsp`` then yields "Unknown issue with Certificate"), so run it while the responder is
up. It ignores the embedded DSS.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from config.errors import ExitCode, SohoaError

__all__ = ["PdfsigError", "PdfsigResult", "PdfsigSignature", "make_nss_db", "run_pdfsig"]


class PdfsigError(SohoaError):
    """pdfsig or certutil is missing or failed to run."""

    exit_code = ExitCode.VERIFICATION


@dataclass
class PdfsigSignature:
    index: int
    field: str | None = None
    signer_name: str | None = None
    signer_dn: str | None = None
    signing_time: str | None = None
    signature_type: str | None = None
    signature_valid: bool = False
    signature_status: str | None = None
    certificate_trusted: bool = False
    certificate_status: str | None = None
    total_document_signed: bool = False
    ranges: list[tuple[int, int]] = dataclasses.field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Valid signature by a trusted certificate (what sohoa requires of every signature)."""
        return self.signature_valid and self.certificate_trusted


@dataclass
class PdfsigResult:
    signatures: list[PdfsigSignature]
    output: str
    returncode: int

    @property
    def all_valid(self) -> bool:
        return bool(self.signatures) and all(s.valid for s in self.signatures)

    @property
    def by_field(self) -> dict[str, PdfsigSignature]:
        """poppler lists signatures in form-field order, not signing order: look them up by name."""
        return {s.field: s for s in self.signatures if s.field is not None}

    @property
    def covering_file(self) -> list[PdfsigSignature]:
        """Signatures poppler reports as covering the whole file (exactly one for a sound file)."""
        return [s for s in self.signatures if s.total_document_signed]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise PdfsigError(f"Thiếu công cụ {name} (install poppler-utils / libnss3-tools)")
    return path


def make_nss_db(directory: Path, roots: list[Path]) -> Path:
    """Create an NSS database in ``directory`` trusting exactly ``roots``; returns ``directory``.

    Reuses a database already there (adding any root not yet present).
    """
    certutil = _tool("certutil")
    directory.mkdir(parents=True, exist_ok=True)
    db = f"sql:{directory}"
    if not (directory / "cert9.db").exists():
        _run([certutil, "-N", "-d", db, "--empty-password"])
    for i, root in enumerate(roots):
        _run(
            [certutil, "-A", "-d", db, "-n", f"sohoa-trust-{i}-{root.stem}", "-t", "CT,C,C", "-i", str(root)]
        )
    return directory


def run_pdfsig(pdf: Path, nss_dir: Path, *, ocsp: bool = True, timeout: float = 60) -> PdfsigResult:
    """Run ``pdfsig`` on ``pdf`` and parse its verdict per signature."""
    cmd = [_tool("pdfsig"), "-nssdir", f"sql:{nss_dir}"]
    if not ocsp:
        cmd.append("-no-ocsp")
    cmd.append(str(pdf))
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PdfsigError(f"pdfsig quá thời gian {timeout:.0f} s (timed out)") from exc
    output = res.stdout + res.stderr
    return PdfsigResult(signatures=parse_pdfsig_output(res.stdout), output=output, returncode=res.returncode)


_FIELD_RES = {
    "field": re.compile(r"^\s*- Signature Field Name: (.*)$"),
    "signer_name": re.compile(r"^\s*- Signer Certificate Common Name: (.*)$"),
    "signer_dn": re.compile(r"^\s*- Signer full Distinguished Name: (.*)$"),
    "signing_time": re.compile(r"^\s*- Signing Time: (.*)$"),
    "signature_type": re.compile(r"^\s*- Signature Type: (.*)$"),
    "signature_status": re.compile(r"^\s*- Signature Validation: (.*)$"),
    "certificate_status": re.compile(r"^\s*- Certificate Validation: (.*)$"),
}
_RANGE_RE = re.compile(r"\[(\d+) - (\d+)\]")


def parse_pdfsig_output(text: str) -> list[PdfsigSignature]:
    """Split pdfsig's report into one record per ``Signature #N`` block."""
    sigs: list[PdfsigSignature] = []
    current: PdfsigSignature | None = None
    for line in text.splitlines():
        m = re.match(r"^Signature #(\d+):", line)
        if m:
            current = PdfsigSignature(index=int(m.group(1)))
            sigs.append(current)
            continue
        if current is None:
            continue
        stripped = line.strip()
        if stripped == "- Total document signed":
            current.total_document_signed = True
            continue
        if stripped.startswith("- Signed Ranges:"):
            current.ranges = [(int(a), int(b)) for a, b in _RANGE_RE.findall(stripped)]
            continue
        for attr, rx in _FIELD_RES.items():
            fm = rx.match(line)
            if fm:
                setattr(current, attr, fm.group(1).strip())
                break
    for sig in sigs:
        sig.signature_valid = sig.signature_status == "Signature is Valid."
        sig.certificate_trusted = sig.certificate_status == "Certificate is Trusted."
    return sigs


def _run(cmd: list[str]) -> None:
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    if res.returncode != 0:
        raise PdfsigError(
            f"{Path(cmd[0]).name} thất bại (failed): {(res.stderr or res.stdout).strip()[:200]}"
        )

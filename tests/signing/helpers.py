"""Shared helpers of the signing tests: settings, text extraction."""

from __future__ import annotations

import subprocess
from pathlib import Path

from config.settings import Settings, load_settings
from tests.signing.conftest import PkiFixture

ORG = "UBND xã Tân Phú (TEST)"


def settings_for(tmp: Path, pki: PkiFixture, *, level: str = "B-B", trust: bool = True) -> Settings:
    signing: dict[str, object] = {"level": level, "organisation": ORG, "font": str(pki.font)}
    if trust:
        signing["trust_roots"] = [str(pki.root_pem)]
    if level != "B-B":
        signing["tsa_url"] = pki.services.tsa_url
    return load_settings(data_dir=tmp / "data", signing=signing)


def pdftotext(pdf: Path, *extra: str) -> str:
    return subprocess.run(
        ["pdftotext", *extra, str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout

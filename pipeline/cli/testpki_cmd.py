"""``sohoa test-pki DIR``: make the offline TEST PKI the README's demo signs with."""

from __future__ import annotations

from pathlib import Path

import typer

from signing.testpki import create_test_pki, describe


def register(app: typer.Typer) -> None:
    @app.command(
        "test-pki",
        help="Tạo PKI thử nghiệm ngoại tuyến (create the offline TEST PKI) — CHỈ DÙNG THỬ NGHIỆM.",
    )
    def _test_pki(
        directory: Path = typer.Argument(..., help="thư mục chứa PKI (directory; reused if present)"),
        ocsp_url: str | None = typer.Option(None, "--ocsp-url", help="OCSP URL in the certificates"),
        crl_url: str | None = typer.Option(None, "--crl-url", help="base URL of the CRLs"),
        tsa_url: str | None = typer.Option(None, "--tsa-url", help="TSA URL recorded with the PKI"),
    ) -> None:
        pki = create_test_pki(directory, ocsp_url=ocsp_url, crl_url=crl_url, tsa_url=tsa_url)
        typer.echo(describe(pki))

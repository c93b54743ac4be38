"""Placeholder until this command group is built; replaced by its owner."""

from __future__ import annotations

import typer

from config.errors import SohoaError


def register(app: typer.Typer) -> None:
    @app.command("sign", help="(not built yet)")
    def _sign() -> None:
        raise SohoaError("'sign' is not built yet")

    @app.command("certify", help="(not built yet)")
    def _certify() -> None:
        raise SohoaError("'certify' is not built yet")

    @app.command("verify", help="(not built yet)")
    def _verify() -> None:
        raise SohoaError("'verify' is not built yet")

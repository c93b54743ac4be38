"""Placeholder until this command group is built; replaced by its owner."""

from __future__ import annotations

import typer

from config.errors import SohoaError


def register(app: typer.Typer) -> None:
    @app.command("lookup", help="(not built yet)")
    def _lookup() -> None:
        raise SohoaError("'lookup' is not built yet")

"""Placeholder until this command group is built; replaced by its owner."""

from __future__ import annotations

import typer

from config.errors import SohoaError


def register(app: typer.Typer) -> None:
    @app.command("report", help="(not built yet)")
    def _report() -> None:
        raise SohoaError("'report' is not built yet")

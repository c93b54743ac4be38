"""Placeholder until this command group is built; replaced by its owner."""

from __future__ import annotations

import typer

from config.errors import SohoaError


def register(app: typer.Typer) -> None:
    @app.command("serve", help="(not built yet)")
    def _serve() -> None:
        raise SohoaError("'serve' is not built yet")

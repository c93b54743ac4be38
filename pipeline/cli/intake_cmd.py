"""Placeholder until this command group is built; replaced by its owner."""

from __future__ import annotations

import typer

from config.errors import SohoaError


def register(app: typer.Typer) -> None:
    @app.command("ingest", help="(not built yet)")
    def _ingest() -> None:
        raise SohoaError("'ingest' is not built yet")

    @app.command("watch", help="(not built yet)")
    def _watch() -> None:
        raise SohoaError("'watch' is not built yet")

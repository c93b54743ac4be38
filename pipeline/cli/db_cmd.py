"""``sohoa db upgrade``: the one command that changes the schema (and imports the shipped catalogue)."""

from __future__ import annotations

import typer

from config.settings import load_settings
from pipeline.cli.vi import ViTyper
from pipeline.services import upgrade
from storage.db.migrate import current_revision


def register(app: typer.Typer) -> None:
    db = ViTyper(help="Cơ sở dữ liệu (database): nâng cấp lược đồ.", no_args_is_help=True)

    @db.command("upgrade", help="Nâng cấp lược đồ cơ sở dữ liệu lên bản mới nhất (migrate to the latest).")
    def upgrade_cmd() -> None:
        engine = upgrade(load_settings())
        try:
            revision = current_revision(engine)
        finally:
            engine.dispose()
        print(f"Cơ sở dữ liệu ở phiên bản {revision} (database at revision {revision})")

    app.add_typer(db, name="db")

"""``sohoa db upgrade``: the one command that changes the schema (and imports the shipped catalogue)."""

from __future__ import annotations

import typer

from config.settings import load_settings
from pipeline.cli.vi import ViTyper
from pipeline.services import upgrade
from storage.db.migrate import current_revision


def register(app: typer.Typer) -> None:
    db = ViTyper(help="Cơ sở dữ liệu (database): nâng cấp lược đồ, chỉ mục tìm kiếm.", no_args_is_help=True)

    @db.command("upgrade", help="Nâng cấp lược đồ cơ sở dữ liệu lên bản mới nhất (migrate to the latest).")
    def upgrade_cmd() -> None:
        engine = upgrade(load_settings())
        try:
            revision = current_revision(engine)
        finally:
            engine.dispose()
        print(f"Cơ sở dữ liệu ở phiên bản {revision} (database at revision {revision})")

    @db.command(
        "reindex-text",
        help="Lập chỉ mục nội dung cho giấy tờ số hóa trước bản 0830 (index OCR text of older documents).",
    )
    def reindex_text_cmd() -> None:
        from pipeline.dossier.text_index import reindex_texts
        from pipeline.services import open_services

        settings = load_settings()
        # Migrated on the embedded SQLite default only (like ``ingest``), elsewhere checked current.
        services = open_services(settings, migrate=settings.database_url.startswith("sqlite"))
        try:
            summary = reindex_texts(services.engine, services.store)
        finally:
            services.close()
        print(
            f"Đã lập chỉ mục {summary.indexed} giấy tờ, {summary.empty} không có chữ, "
            f"{summary.failed} không đọc được (indexed, no text, unreadable)"
        )

    app.add_typer(db, name="db")

"""``sohoa access-log --owner ID``: every recorded read of one person's data (Decree 13/2023)."""

from __future__ import annotations

import json

import typer

from pipeline.cli.options import JsonOpt, OwnerOpt


def register(app: typer.Typer) -> None:
    @app.command(
        "access-log",
        help="Nhật ký truy cập dữ liệu cá nhân: ai đã tra cứu hoặc xem dữ liệu của một người, khi "
        "nào, cho hồ sơ nào, những trường nào (who read this person's data).",
    )
    def access_log_cmd(
        owner: OwnerOpt,
        as_json: JsonOpt = False,
    ) -> None:
        from rich.console import Console
        from rich.table import Table

        from config.settings import load_settings
        from pipeline.personal_data import accesses_of
        from pipeline.reuse import validate_owner_id
        from pipeline.services import open_database
        from storage.db.engine import read_session

        owner_id = validate_owner_id(owner)
        engine = open_database(load_settings(), check_schema=True)  # read-only: never migrates
        try:
            with read_session(engine) as session:
                entries = accesses_of(session, owner_id)
        finally:
            engine.dispose()
        if as_json:
            data = {"owner": owner_id, "entries": [e.model_dump(mode="json") for e in entries]}
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return
        table = Table(title="Nhật ký truy cập dữ liệu cá nhân (personal-data access log)")
        columns = ("Lúc (at)", "Ai (who)", "Việc (action)", "Hồ sơ / căn cứ (purpose)", "Trường (fields)")
        for column in columns:
            table.add_column(column)
        for e in entries:
            purpose = e.dossier or e.legal_basis_label or e.legal_basis or ""
            if e.legal_reference:
                purpose = f"{purpose} — {e.legal_reference}" if purpose else e.legal_reference
            shown = ", ".join(e.fields) + (f" (trang {e.page})" if e.page is not None else "")
            table.add_row(e.at.isoformat(timespec="seconds"), e.actor, e.action, purpose, shown)
        Console(width=200).print(table)

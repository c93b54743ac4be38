"""``sohoa export``: write a stored copy of a document (searchable, signed or original) to a file.

Clerks need a document out of the store to sign it with a key file, print it or send it; the
copy is checked against its SHA-256 on the way out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from config.errors import ExitCode, SohoaError

# storage.db.models.VersionKind's values, spelled out so ``sohoa export --help`` imports no
# SQLAlchemy (tests/cli/test_startup.py checks they agree).
KINDS = ("original", "searchable", "signed")


def _bad(message: str) -> SohoaError:
    return SohoaError(message, exit_code=ExitCode.BAD_ARGS)


def register(app: typer.Typer) -> None:
    @app.command(
        "export",
        help="Xuất bản lưu của một tài liệu ra tệp: bản PDF tìm kiếm được, bản đã ký mới nhất hoặc "
        "bản gốc (export a stored copy of a document).",
    )
    def export_cmd(
        document: Annotated[int, typer.Option("--document", min=1, help="mã tài liệu (document_id)")],
        output: Annotated[Path, typer.Option("--output", "-o", help="tệp kết quả")],
        kind: Annotated[
            str, typer.Option("--kind", help="searchable (mặc định), signed hoặc original")
        ] = "searchable",
    ) -> None:
        from rich.console import Console

        from config.settings import load_settings
        from pipeline.services import open_database
        from storage.db.engine import read_session
        from storage.db.models import Document
        from storage.objects.base import Bucket
        from storage.objects.factory import open_object_store

        if kind not in KINDS:
            raise _bad(f"--kind phải là một trong {', '.join(KINDS)}")
        settings = load_settings()
        engine = open_database(settings, check_schema=True)  # read-only: never migrates
        try:
            with read_session(engine) as session:
                record = session.get(Document, document)
                if record is None:
                    raise SohoaError(
                        f"Không có tài liệu {document} (unknown document)", exit_code=ExitCode.BAD_ARGS
                    )
                versions = [v for v in record.versions if v.kind == kind]
                if not versions:
                    raise SohoaError(
                        f"Tài liệu {document} chưa có bản {kind} (no {kind} copy)",
                        exit_code=ExitCode.BAD_ARGS,
                    )
                latest = versions[-1]
                bucket, key = Bucket(latest.bucket), latest.object_key
        finally:
            engine.dispose()
        output.parent.mkdir(parents=True, exist_ok=True)
        open_object_store(settings).get_file(bucket, key, output)
        Console(stderr=True).print(f"Đã xuất tài liệu {document} ({kind}) → {output}")

"""``sohoa lookup``: what the store already holds for a citizen or an enterprise."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from config.errors import ExitCode, SohoaError
from config.settings import load_settings
from pipeline.cli.display import doc_type_name, field_label, field_value
from pipeline.cli.options import JsonOpt, OwnerOpt
from pipeline.legal_bases import LEGAL_BASES
from pipeline.personal_data import Purpose, Reader, cli_actor, governed_lookup
from pipeline.reuse import LookupResult, lookup_json, validate_owner_id
from pipeline.services import open_database
from storage.db.dossiers import check_procedure_code
from storage.db.engine import run_recorded_read

FIELD_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")

def _table(result: LookupResult) -> Table:
    table = Table(title="Giấy tờ đã có trong kho (documents already held)")
    table.add_column("Loại (type)")
    table.add_column("Mã tài liệu (id)")
    table.add_column("Hồ sơ (dossier)")
    table.add_column("Đã ký (signed)")
    table.add_column("Trường (fields)")
    for h in result.held:  # staff read Vietnamese names and dd/mm/yyyy; --json keeps the keys
        fields = "; ".join(f"{field_label(k)}: {field_value(k, str(v))}" for k, v in h.fields.items())
        table.add_row(doc_type_name(h.doc_type), str(h.document_id), h.dossier or "",
                      "có" if h.signed else "không", fields)
    return table


def _document_id(text: str) -> int:
    """A document id as typed (ASCII digits, at most 18: it must fit a 64-bit column)."""
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise SohoaError("Mã tài liệu không hợp lệ (invalid document id)", exit_code=ExitCode.BAD_ARGS)
    return int(text)


def register(app: typer.Typer) -> None:
    @app.command(
        "lookup",
        help="Tra cứu giấy tờ đã số hóa của một người (số định danh 12 chữ số) hoặc doanh nghiệp "
        "(mã số 10 chữ số) và, với --procedure, những giấy tờ còn phải nộp.",
    )
    def lookup_cmd(
        owner: OwnerOpt,
        procedure: Annotated[
            str | None, typer.Option("--procedure", help="mã thủ tục hành chính, ví dụ 1.001193")
        ] = None,
        as_json: JsonOpt = False,
        as_user: Annotated[
            str | None,
            typer.Option("--as", help="người tra cứu, ghi vào nhật ký truy cập (default: OS user)"),
        ] = None,
        legal_basis: Annotated[
            str | None,
            typer.Option(
                "--legal-basis",
                help="căn cứ pháp lý ghi vào nhật ký truy cập (Nghị định 13/2023/NĐ-CP): "
                + ", ".join(LEGAL_BASES),
            ),
        ] = None,
        legal_reference: Annotated[
            str | None,
            typer.Option(
                "--legal-reference",
                help="văn bản, điều khoản cụ thể của căn cứ, ví dụ \"Luật Cư trú 2020, Điều 11\" "
                "(cùng --legal-basis)",
            ),
        ] = None,
    ) -> None:
        # Check the arguments before touching the database: bad input costs nothing.
        owner_id = validate_owner_id(owner)
        purpose = Purpose(legal_basis=legal_basis, legal_reference=legal_reference).checked()
        if procedure is not None:
            check_procedure_code(procedure)
        settings = load_settings()
        engine = open_database(settings, check_schema=True)  # read-only: never migrates
        try:
            reader = Reader(cli_actor(as_user))  # administrative local use: every agency, recorded
            result = run_recorded_read(
                engine, lambda session: governed_lookup(session, reader, owner_id, procedure, purpose)
            )
        finally:
            engine.dispose()
        if as_json:
            print(lookup_json(result))
            return
        console = Console()
        console.print(_table(result))
        if procedure:
            missing = ", ".join(result.missing) or "không (none)"
            console.print(f"Còn phải nộp (still to request) cho {procedure}: {missing}")

    @app.command(
        "reuse",
        help="Dùng lại một giấy tờ đã có cho một hồ sơ, không quét lại (fill a dossier component "
        "from a held document; counted by Decision 766).",
    )
    def reuse_cmd(
        dossier: Annotated[str, typer.Option("--dossier", help="mã hồ sơ")],
        document: Annotated[str, typer.Option("--document", help="mã tài liệu (document_id)")],
        actor: Annotated[str, typer.Option("--actor", help="cán bộ thực hiện")] = "cli",
    ) -> None:
        from pipeline.reuse import reuse_document
        from storage.db.engine import write_session

        document_id = _document_id(document)
        settings = load_settings()
        engine = open_database(settings, check_schema=True)
        try:
            with write_session(engine) as session:
                component = reuse_document(session, dossier, document_id, actor=actor[:128])
                doc_type = component.doc_type
        finally:
            engine.dispose()
        Console().print(f"Đã dùng lại {doc_type} cho hồ sơ {dossier} (reused)")

    @app.command(
        "correct",
        help="Cán bộ sửa (hoặc xác nhận) một trường đã trích xuất; giá trị gốc được giữ lại và "
        "chủ sở hữu của giấy tờ cập nhật theo (staff correct a field; the OCR value is kept).",
    )
    def correct_cmd(
        document: Annotated[str, typer.Option("--document", help="mã tài liệu (document_id)")],
        field: Annotated[str, typer.Option("--field", help="tên trường, ví dụ id_number")],
        value: Annotated[str, typer.Option("--value", help="giá trị đúng")],
        actor: Annotated[str, typer.Option("--actor", help="cán bộ thực hiện")] = "cli",
    ) -> None:
        from pipeline.corrections import correct_checked
        from storage.db.engine import write_session

        document_id = _document_id(document)
        if not FIELD_KEY_RE.fullmatch(field):
            raise SohoaError("Tên trường không hợp lệ (invalid field name)", exit_code=ExitCode.BAD_ARGS)
        if len(value) > 2000:
            raise SohoaError("Giá trị quá dài (value too long)", exit_code=ExitCode.BAD_ARGS)
        settings = load_settings()
        engine = open_database(settings, check_schema=True)
        try:
            with write_session(engine) as session:
                correct_checked(session, document_id, field, value, actor=actor[:128])
        finally:
            engine.dispose()
        Console().print(f"Đã cập nhật trường {field} của tài liệu {document} (field corrected)")

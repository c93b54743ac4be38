"""``sohoa procedures …`` and ``sohoa dossier …``: the one-stop dossier from receipt to return.

Thin: every step is a function of ``pipeline.dossier``; this module parses options, opens the
database and the store, and prints.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from config.errors import ExitCode, SohoaError
from config.settings import Settings, load_settings
from pipeline.cli.options import JsonOpt, parse_day
from pipeline.cli.sign_cmd import (
    ChainOpt,
    KeyLabelOpt,
    LevelOpt,
    ModuleOpt,
    PinEnvOpt,
    Pkcs12Opt,
    SealP12Opt,
    SealPinEnvOpt,
    TokenOpt,
    _context,
    open_checked,
    open_seal,
)
from pipeline.cli.vi import ViTyper
from pipeline.dossier import catalogue as cat
from pipeline.dossier.lifecycle import State, overdue, transition
from pipeline.dossier.receive import DossierView, dossier_view, receive, reuse_components
from pipeline.intake import DEFAULT_AGENCY
from pipeline.reuse import today_in_vietnam
from pipeline.services import open_database
from signing.session import SignerSource
from storage.db.engine import read_session, run_in_transaction
from storage.objects.factory import open_object_store

procedures_app = ViTyper(help="Danh mục thủ tục hành chính (procedure catalogue).", no_args_is_help=True)
dossier_app = ViTyper(
    help="Hồ sơ một cửa: tiếp nhận, dùng lại, quét, ký, xử lý, trả kết quả (one-stop dossier).",
    no_args_is_help=True,
)

ActorOpt = Annotated[str, typer.Option("--actor", help="cán bộ thực hiện (staff member)")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="lý do (reason)")]
AgencyOpt = Annotated[
    str, typer.Option("--agency", help=f"mã định danh cơ quan tiếp nhận (default {DEFAULT_AGENCY})")
]


def _database(settings: Settings) -> Any:
    """Migrated on the embedded SQLite default only (like ``ingest``), else checked current."""
    return open_database(settings, migrate=settings.database_url.startswith("sqlite"), check_schema=True)


def _engine(settings: Settings) -> Any:
    """The database for a dossier command: migrated on the embedded SQLite default only (like
    ``ingest``), elsewhere it must be current (``sohoa db upgrade``)."""
    engine = _database(settings)
    run_in_transaction(engine, cat.ensure_default_catalogue)
    return engine


def _organisation(settings: Settings, agency_name: str | None) -> str:
    """The name printed on the slip and results: the settings', else the agency's record."""
    from signing.pades import check_organisation

    org = check_organisation(settings.signing.organisation or agency_name or "")
    if not org:
        raise SohoaError(
            "Chưa có tên cơ quan (organisation unknown): đặt SOHOA_SIGNING__ORGANISATION hoặc "
            "--agency-name khi tiếp nhận",
            exit_code=ExitCode.BAD_ARGS,
        )
    return org


def _components_table(view: DossierView) -> Table:
    table = Table(title=f"Hồ sơ {view.code}: {view.procedure_name or ''} — {view.state_label}")
    table.add_column("Thành phần (component)")
    table.add_column("Trạng thái (status)")
    table.add_column("Tài liệu (document)")
    table.add_column("Đã ký (signed)")
    labels = {
        "reused": "dùng lại (reused)",
        "received": "đã quét (scanned)",
        "held": "đã có, chờ xác nhận (held)",
        "missing": "cần quét (missing)",
    }
    for c in view.components:
        doc = c.document_id or c.held_document_id
        source = f" từ {c.held_from}" if c.status == "held" and c.held_from else ""
        table.add_row(
            c.label or c.doc_type,
            labels.get(c.status, c.status),
            f"{doc or ''}{source}",
            "có" if c.signed else "không",
        )
    return table


def _print_view(view: DossierView, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        data = view.model_dump(mode="json")
        data.update(extra or {})
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(_components_table(view))
    promised = f"{view.promised_date:%d/%m/%Y}" if view.promised_date else "—"
    console.print(f"Mã hồ sơ: {view.code}   Hẹn trả kết quả: {promised}   Trạng thái: {view.state_label}")
    for key, value in (extra or {}).items():
        console.print(f"{key}: {value}")


def _write_slip(settings: Settings, view: DossierView, path: Path) -> Path:
    from pipeline.dossier.slip import render_slip
    from signing.pades import write_atomic

    data = render_slip(
        view,
        organisation=_organisation(settings, view.agency_name),
        base_url=settings.api.base_url,
        font=settings.signing.font,
    )
    write_atomic(path, data)
    return path


@procedures_app.command("import", help="Nạp danh mục thủ tục từ tệp CSV hoặc JSON (upsert theo mã).")
def procedures_import(
    file: Annotated[Path, typer.Argument(help="tệp CSV hoặc JSON")],
    as_json: JsonOpt = False,
) -> None:
    specs = cat.read_catalogue_file(file)
    settings = load_settings()
    engine = _database(settings)
    try:
        summary = run_in_transaction(engine, lambda s: cat.import_procedures(s, specs))
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps(summary.__dict__))
        return
    Console().print(
        f"Đã nạp {summary.total} thủ tục: thêm {summary.added}, cập nhật {summary.updated}, "
        f"không đổi {summary.unchanged} (imported)"
    )


@procedures_app.command("list", help="Danh sách thủ tục đã nạp.")
def procedures_list(as_json: JsonOpt = False) -> None:
    from sqlalchemy import select

    from storage.db.models import Procedure

    settings = load_settings()
    engine = _engine(settings)
    try:
        with read_session(engine) as session:
            rows: list[dict[str, Any]] = [
                {
                    "code": p.code,
                    "name": p.name,
                    "level": p.level,
                    "processing_days": p.processing_days,
                    "fee_vnd": p.fee_vnd,
                    "result_doc_type": p.result_doc_type,
                    "components": [
                        {"doc_type": r.doc_type, "label": r.label, "original_required": r.original_required}
                        for r in p.requirements
                    ],
                }
                for p in session.scalars(select(Procedure).order_by(Procedure.code))
            ]
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="Danh mục thủ tục (procedures)")
    for column in ("Mã", "Tên", "Ngày làm việc", "Thành phần"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["code"],
            r["name"],
            str(r["processing_days"] if r["processing_days"] is not None else "—"),
            ", ".join(c["doc_type"] for c in r["components"]),
        )
    Console().print(table)


@dossier_app.command(
    "receive", help="Tiếp nhận hồ sơ: cấp mã, tra cứu giấy tờ đã có, hẹn ngày trả, in giấy hẹn."
)
def dossier_receive(
    procedure: Annotated[str, typer.Option("--procedure", help="mã thủ tục, ví dụ 1.001193")],
    applicant: Annotated[str, typer.Option("--applicant", help="số định danh của người nộp")],
    name: Annotated[str | None, typer.Option("--name", help="họ tên người nộp")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="số điện thoại")] = None,
    agency: AgencyOpt = DEFAULT_AGENCY,
    agency_name: Annotated[
        str | None, typer.Option("--agency-name", help="tên cơ quan (ghi vào hồ sơ đơn vị nếu chưa có)")
    ] = None,
    reuse_all: Annotated[bool, typer.Option("--reuse-all", help="dùng lại mọi giấy tờ đã có")] = False,
    reuse: Annotated[
        list[str] | None, typer.Option("--reuse", help="dùng lại giấy tờ loại TYPE (repeatable)")
    ] = None,
    slip: Annotated[Path | None, typer.Option("--slip", help="ghi giấy tiếp nhận (PDF) vào đây")] = None,
    actor: ActorOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    if reuse_all and reuse:
        raise SohoaError("Dùng --reuse-all hoặc --reuse, không cả hai", exit_code=ExitCode.BAD_ARGS)
    settings = load_settings()
    engine = _engine(settings)
    try:
        view = run_in_transaction(
            engine,
            lambda s: receive(
                s,
                agency=agency,
                procedure=procedure,
                applicant_id=applicant,
                actor=actor[:128],
                applicant_name=name,
                applicant_phone=phone,
                reuse=None if reuse_all else (reuse or []),
                agency_name=agency_name,
            ),
        )
    finally:
        engine.dispose()
    extra: dict[str, Any] = {}
    if slip is not None:
        extra["slip"] = str(_write_slip(settings, view, slip))
    _print_view(view, as_json, extra)


@dossier_app.command("reuse", help="Xác nhận dùng lại giấy tờ đã có cho hồ sơ (một thao tác).")
def dossier_reuse(
    code: Annotated[str, typer.Argument(help="mã hồ sơ")],
    component: Annotated[
        list[str] | None, typer.Option("--component", help="loại giấy tờ (repeatable); bỏ trống: tất cả")
    ] = None,
    actor: ActorOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    settings = load_settings()
    engine = _engine(settings)
    try:
        run_in_transaction(engine, lambda s: reuse_components(s, code, component or None, actor=actor[:128]))
        with read_session(engine) as session:
            view = dossier_view(session, code)
    finally:
        engine.dispose()
    _print_view(view, as_json)


@dossier_app.command("scan", help="Quét (tiếp nhận) các thành phần còn thiếu vào hồ sơ.")
def dossier_scan(
    code: Annotated[str, typer.Argument(help="mã hồ sơ")],
    files: Annotated[list[Path], typer.Argument(help="tệp quét (PDF, TIFF, JPEG, PNG)")],
    component: Annotated[
        str | None,
        typer.Option("--component", help="loại thành phần của các tệp này (khi máy không nhận ra)"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    from pipeline.dossier.scan import scan_into
    from pipeline.intake import Intake

    settings = load_settings()
    engine = _engine(settings)
    engine.dispose()
    intake = Intake.open(settings, actor="cli")
    try:
        report, retyped = scan_into(intake, code, files, component)
        with read_session(intake.engine) as session:
            view = dossier_view(session, code)
    finally:
        intake.close()
    failed = report.failed
    _print_view(view, as_json, {"files": len(report.outcomes), "failed": failed, "retyped": retyped})
    if failed:
        raise SohoaError(
            f"{failed} tệp không tiếp nhận được (files failed)", exit_code=ExitCode.PARTIAL_BATCH
        )


@dossier_app.command(
    "queue", help="Đưa các bản số hóa của hồ sơ vào hàng đợi ký của cán bộ tiếp nhận (sign-client)."
)
def dossier_queue(
    code: Annotated[str, typer.Argument(help="mã hồ sơ")],
    official: Annotated[str, typer.Option("--official", help="tài khoản cán bộ tiếp nhận ký")],
    actor: ActorOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    from pipeline.dossier.queue import queue_components

    settings = load_settings()
    engine = _engine(settings)
    store = open_object_store(settings)
    try:
        queued = queue_components(engine, store, code, official, actor=actor[:128])
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps([q.__dict__ for q in queued]))
        return
    Console().print(f"Đã đưa {len(queued)} bản số hóa vào hàng đợi ký của {official} (queued)")


@dossier_app.command("sign", help='Cán bộ tiếp nhận ký các bản số hóa của hồ sơ (dấu chữ "bản số hóa").')
def dossier_sign(
    code: Annotated[str, typer.Argument(help="mã hồ sơ")],
    pkcs12: Pkcs12Opt = None,
    pkcs11_module: ModuleOpt = None,
    token_label: TokenOpt = None,
    key_label: KeyLabelOpt = None,
    pin_env: PinEnvOpt = None,
    chain: ChainOpt = None,
    level: LevelOpt = None,
    actor: ActorOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    from pipeline.dossier.signatures import sign_received_copy, unsigned_components

    settings = load_settings()
    ctx = _context(settings, level, None, None, None)
    engine = _engine(settings)
    store = open_object_store(settings)
    signed = 0
    try:
        with read_session(engine) as session:
            items = unsigned_components(session, code)
        if items:
            source = SignerSource(pkcs12, pkcs11_module, token_label, key_label, None, False, chain or [])
            with ExitStack() as stack:
                signer = open_checked(stack, source, pin_env, ctx)
                from signing.pades import subject_name

                cert = signer.signing_cert
                signer_name = subject_name(cert) if cert is not None else actor
                for item in items:
                    ref = sign_received_copy(store, item, signer, ctx)
                    _record_signature(engine, item, ref, signer_name, actor[:128])
                    signed += 1
        with read_session(engine) as session:
            view = dossier_view(session, code)
    finally:
        engine.dispose()
    _print_view(view, as_json, {"signed": signed})


def _record_signature(engine: Any, item: Any, ref: Any, signer_name: str, actor: str) -> None:
    from pipeline.dossier.signatures import record_received_signature

    run_in_transaction(
        engine, lambda s: record_received_signature(s, item, ref, signed_by=signer_name, actor=actor)
    )


def _transition_command(name: str, target: State, help_text: str, needs_reason: bool) -> None:
    if needs_reason:

        def with_reason(
            code: Annotated[str, typer.Argument(help="mã hồ sơ")],
            reason: ReasonOpt,
            actor: ActorOpt = "cli",
            as_json: JsonOpt = False,
        ) -> None:
            _move(code, target, actor, reason, as_json)

        dossier_app.command(name, help=help_text)(with_reason)
    else:

        def plain(
            code: Annotated[str, typer.Argument(help="mã hồ sơ")],
            actor: ActorOpt = "cli",
            as_json: JsonOpt = False,
        ) -> None:
            _move(code, target, actor, None, as_json)

        dossier_app.command(name, help=help_text)(plain)


def _move(code: str, target: State, actor: str, reason: str | None, as_json: bool) -> None:
    settings = load_settings()
    engine = _engine(settings)
    try:
        run_in_transaction(engine, lambda s: transition(s, code, target, actor=actor[:128], reason=reason))
        with read_session(engine) as session:
            view = dossier_view(session, code)
    finally:
        engine.dispose()
    _print_view(view, as_json)


_transition_command("process", State.PROCESSING, "Chuyển hồ sơ sang đang xử lý.", False)
_transition_command(
    "request-supplement",
    State.SUPPLEMENT_REQUESTED,
    "Yêu cầu bổ sung hồ sơ: thời hạn dừng lại, tính lại từ đầu khi nhận đủ.",
    True,
)
_transition_command(
    "supplement-received",
    State.PROCESSING,
    "Đã nhận đủ hồ sơ bổ sung: thời hạn giải quyết tính lại từ hôm nay.",
    False,
)
_transition_command("reject", State.REJECTED, "Từ chối giải quyết (ghi lý do).", True)
_transition_command("withdraw", State.WITHDRAWN, "Công dân rút hồ sơ (ghi lý do).", True)


ISSUE_HELP = (
    "Ban hành kết quả: PDF (chưa ký) hoặc mẫu, cán bộ có thẩm quyền ký chứng nhận, rồi đóng dấu cơ "
    "quan (--seal-pkcs12, bắt buộc: chứng thư số của cơ quan, tổ chức). Không có con dấu thì lệnh "
    "từ chối (mã thoát 2, BAD_ARGS) và không ghi gì: kết quả chưa đóng dấu không bao giờ được ghi "
    "nhận, như trên máy chủ. Người giữ dấu ký ở máy khác: đính kèm kết quả trên trang cán bộ hoặc "
    "POST /api/v1/dossiers/{mã}/result để chuyển cán bộ ký rồi người giữ dấu."
)
SEAL_REQUIRED = (
    "Kết quả phải được đóng dấu cơ quan: thêm --seal-pkcs12 TỆP (chứng thư số của cơ quan, tổ chức), "
    "hoặc đính kèm kết quả trên trang cán bộ để chuyển cán bộ có thẩm quyền ký rồi người giữ dấu "
    "(a result is filed only sealed: --seal-pkcs12 is required)"
)


@dossier_app.command("issue", help=ISSUE_HELP)
def dossier_issue(
    code: Annotated[str, typer.Argument(help="mã hồ sơ")],
    file: Annotated[Path | None, typer.Option("--file", help="PDF kết quả (hoặc ảnh quét)")] = None,
    content: Annotated[str | None, typer.Option("--content", help="nội dung, để tạo kết quả từ mẫu")] = None,
    place: Annotated[str | None, typer.Option("--place", help="địa danh")] = None,
    pkcs12: Pkcs12Opt = None,
    pkcs11_module: ModuleOpt = None,
    token_label: TokenOpt = None,
    key_label: KeyLabelOpt = None,
    pin_env: PinEnvOpt = None,
    chain: ChainOpt = None,
    seal_pkcs12: SealP12Opt = None,
    seal_pin_env: SealPinEnvOpt = None,
    level: LevelOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="ghi bản kết quả đã ký")] = None,
    actor: ActorOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    from pipeline.dossier.result_template import render_result
    from pipeline.dossier.signatures import record_result, result_doc_type, sign_result
    from signing.pades import read_input, subject_name, write_atomic
    from storage.db.records import ObjectRef
    from storage.objects.base import Bucket

    if (file is None) == (content is None):
        raise SohoaError("Cần đúng một trong --file hoặc --content", exit_code=ExitCode.BAD_ARGS)
    if seal_pkcs12 is None:  # checked before any key is opened or anything written
        raise SohoaError(SEAL_REQUIRED, exit_code=ExitCode.BAD_ARGS)
    settings = load_settings()
    ctx = _context(settings, level or _result_level(settings), None, None, None)
    engine = _engine(settings)
    store = open_object_store(settings)
    try:
        with read_session(engine) as session:
            view = dossier_view(session, code)
            doc_type = result_doc_type(session, code)
        if file is not None:
            data = read_input(file)
        else:
            assert content is not None
            organisation = _organisation(settings, view.agency_name)
            data = render_result(
                view,
                doc_type,
                content,
                organisation=organisation,
                place=place,
                issued_on=today_in_vietnam(),
                font=settings.signing.font,
            )
        with ExitStack() as stack:
            source = SignerSource(pkcs12, pkcs11_module, token_label, key_label, None, False, chain or [])
            official = open_checked(stack, source, pin_env, ctx)
            seal = open_seal(stack, seal_pkcs12, seal_pin_env, chain, ctx)
            assert seal is not None
            signed = sign_result(data, official, seal, ctx, name=f"{code}.pdf")
            cert = official.signing_cert
            signer_name = subject_name(cert) if cert is not None else actor
        stored = store.put_bytes(Bucket.SIGNED, signed, content_type="application/pdf", retain=True)
        ref = ObjectRef.of(stored)
        document = run_in_transaction(
            engine, lambda s: record_result(s, code, ref, signed_by=signer_name, actor=actor[:128]).id
        )
        if output is not None:
            write_atomic(output, signed)
        with read_session(engine) as session:
            view = dossier_view(session, code)
    finally:
        engine.dispose()
    _print_view(
        view,
        as_json,
        {
            "result_document": document,
            "level": ctx.level,
            "link": f"{settings.api.base_url}/tra-cuu/{code}?t={view.token}",
        },
    )


def _result_level(settings: Settings) -> str | None:
    """Results are long-term (B-LT) whenever a TSA and trust roots are configured."""
    s = settings.signing
    if s.result_level is not None:
        return s.result_level
    return "B-LT" if s.tsa_url and s.trust_roots and s.level != "B-LT" else None


@dossier_app.command("return", help="Trả kết quả cho công dân (điện tử: đường dẫn/QR trên giấy hẹn).")
def dossier_return(
    code: Annotated[str, typer.Argument(help="mã hồ sơ")], actor: ActorOpt = "cli", as_json: JsonOpt = False
) -> None:
    _move(code, State.RETURNED, actor, None, as_json)


@dossier_app.command("show", help="Xem hồ sơ: thành phần, trạng thái, lịch sử.")
def dossier_show(
    code: Annotated[str, typer.Argument(help="mã hồ sơ")],
    slip: Annotated[Path | None, typer.Option("--slip", help="in lại giấy tiếp nhận (PDF)")] = None,
    as_json: JsonOpt = False,
) -> None:
    settings = load_settings()
    engine = _engine(settings)
    try:
        with read_session(engine) as session:
            view = dossier_view(session, code)
    finally:
        engine.dispose()
    extra: dict[str, Any] = {}
    if slip is not None:
        extra["slip"] = str(_write_slip(settings, view, slip))
    if not as_json:
        _print_view(view, False, extra)
        console = Console()
        for entry in view.timeline:
            console.print(f"  {entry['at']}  {entry['actor']}  {entry['action']}  {entry.get('state', '')}")
        return
    _print_view(view, True, extra)


@dossier_app.command("overdue", help="Hồ sơ quá hạn (đang xử lý, đã qua ngày hẹn trả).")
def dossier_overdue(
    agency: Annotated[str | None, typer.Option("--agency", help="chỉ một cơ quan")] = None,
    on: Annotated[str | None, typer.Option("--date", help="tính đến ngày YYYY-MM-DD")] = None,
    as_json: JsonOpt = False,
) -> None:
    today = parse_day(on, "--date") or today_in_vietnam()
    settings = load_settings()
    engine = _engine(settings)
    try:
        with read_session(engine) as session:
            rows = overdue(session, today=today, agency=agency)
    finally:
        engine.dispose()
    if as_json:
        print(
            json.dumps(
                [{**r.__dict__, "promised_date": r.promised_date.isoformat()} for r in rows],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table(title=f"Hồ sơ quá hạn đến ngày {today:%d/%m/%Y} (overdue): {len(rows)}")
    for column in ("Mã hồ sơ", "Cơ quan", "Trạng thái", "Người nộp", "Hẹn trả", "Trễ (ngày làm việc)"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.code,
            r.agency,
            r.state,
            r.applicant_name or "",
            f"{r.promised_date:%d/%m/%Y}",
            str(r.working_days_late),
        )
    Console().print(table)


archive_app = ViTyper(help="Lưu trữ dài hạn kết quả đã ký (long-term archive).", no_args_is_help=True)


@archive_app.command(
    "renew",
    help="Thêm dấu thời gian tài liệu mới (B-LTA) trước khi dấu trước hết hạn (fresh document timestamp).",
)
def archive_renew(
    files: Annotated[list[Path], typer.Argument(help="PDF đã ký cần gia hạn")],
    out_dir: Annotated[
        Path | None, typer.Option("--out-dir", help="ghi vào thư mục này (mặc định: ghi đè)")
    ] = None,
) -> None:
    from signing.archive import renew_timestamp
    from signing.pades import read_input, write_atomic

    settings = load_settings()
    ctx = _context(settings, None, None, None, None)
    for path in files:
        renewed = renew_timestamp(read_input(path), ctx, name=path.name)
        target = (out_dir / path.name) if out_dir is not None else path
        write_atomic(target, renewed)
        typer.echo(f"{path} -> {target} (đã gia hạn / renewed)")


certification_app = ViTyper(help="Sổ chứng thực bản sao (certification book).", no_args_is_help=True)


@certification_app.command("paper", help="Ghi sổ một bản sao chứng thực giấy (paper certification).")
def certification_paper(
    document: Annotated[str, typer.Option("--document", help="tên giấy tờ được chứng thực")],
    requester: Annotated[str, typer.Option("--requester", help="người yêu cầu chứng thực")],
    official: Annotated[str, typer.Option("--official", help="người thực hiện chứng thực")],
    book: Annotated[str | None, typer.Option("--book", help="quyển số (mặc định: quyển của năm)")] = None,
    on: Annotated[str | None, typer.Option("--date", help="ngày chứng thực YYYY-MM-DD")] = None,
    copies: Annotated[int, typer.Option("--copies", min=1, max=100, help="số bản")] = 1,
) -> None:
    from storage.db.certification import default_book_code, record_paper_act

    certified_on = parse_day(on, "--date") or today_in_vietnam()
    book_code = book or default_book_code(certified_on.year)
    settings = load_settings()
    engine = _engine(settings)

    def work(session: Any) -> list[int]:
        try:
            return [
                record_paper_act(
                    session,
                    book_code=book_code,
                    certified_on=certified_on,
                    document_name=document,
                    requester=requester,
                    official=official,
                ).number
                for _ in range(copies)
            ]
        except ValueError as exc:
            raise SohoaError(
                f"Thiếu thông tin ghi sổ (missing entry): {exc}", exit_code=ExitCode.BAD_ARGS
            ) from None

    try:
        numbers = run_in_transaction(engine, work)
    finally:
        engine.dispose()
    Console().print(
        f"Đã ghi sổ {book_code}: số {', '.join(map(str, numbers))} (paper certification recorded)"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(procedures_app, name="procedures")
    app.add_typer(dossier_app, name="dossier")
    app.add_typer(certification_app, name="certification")
    app.add_typer(archive_app, name="archive")

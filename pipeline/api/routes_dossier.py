"""Receipt over HTTP and the citizen's page behind the slip's QR code.

``POST /dossiers/receive`` is ``sohoa dossier receive`` (same function). ``GET /tra-cuu/{code}``
needs no login: the token of the slip is the credential (192 random bits, compared in constant
time; a wrong code or token is the same 404). The page shows the dossier's state and promised
date and, once a result is issued, whether its signatures are valid and a download link.
"""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from pipeline.api.auth import Principal, require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.api.downloads import stream_chunks
from pipeline.api.errors import ApiError
from pipeline.dossier.catalogue import ensure_default_catalogue
from pipeline.dossier.receive import DossierView, dossier_view, find_by_token, receive
from pipeline.dossier.snapshot import ReceiptCatalogue
from pipeline.errors import not_found
from signing.verify import VerifyInputError, verify_pdf
from storage.db.engine import read_session, run_in_transaction
from storage.db.models import Document, VersionKind
from storage.objects.base import Bucket

router = APIRouter(tags=["dossiers"])


class ReceiveBody(BaseModel):
    agency: str = Field(max_length=35)
    procedure: str = Field(max_length=64)
    applicant: str = Field(max_length=64)
    name: str | None = Field(None, max_length=255)
    phone: str | None = Field(None, max_length=20)
    reuse_all: bool = False
    reuse: list[str] = Field(default_factory=list, max_length=50)


@router.post(
    "/dossiers/receive",
    summary="Tiếp nhận hồ sơ, tra cứu và dùng lại giấy tờ đã có (receive)",
    response_model=DossierView,  # documents the answer; the Response returned below is sent as is
    response_model_exclude={"timeline"},
)
def post_receive(
    body: ReceiveBody,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("intake"))],
) -> Response:
    if not principal.may_see(body.agency):
        raise ApiError(403, "Không có quyền với cơ quan này (agency not granted)")
    catalogue = ctx.extras.get("receipt_catalogue")
    if catalogue is None:  # the shipped procedures, completed once per process
        run_in_transaction(ctx.engine, ensure_default_catalogue)
        catalogue = ctx.extras["receipt_catalogue"] = ReceiptCatalogue()
    view = run_in_transaction(
        ctx.engine,
        lambda s: receive(
            s,
            agency=body.agency,
            procedure=body.procedure,
            applicant_id=body.applicant,
            actor=principal.actor,
            applicant_name=body.name,
            applicant_phone=body.phone,
            reuse=None if body.reuse_all else body.reuse,
            catalogue=catalogue,
        ),
    )
    # Serialised once by pydantic (FastAPI would re-encode a dict field by field).
    return Response(view.model_dump_json(exclude={"timeline"}), media_type="application/json")


def _result_version(ctx: ApiContext, code: str, token: str) -> tuple[Any, Any]:
    with read_session(ctx.engine) as session:
        found = find_by_token(session, code, token)
        if found is None:
            raise not_found("hồ sơ (dossier)")
        view = dossier_view(session, code)
        version = None
        if view.result_document_id is not None:
            document = session.get(Document, view.result_document_id)
            if document is not None:
                signed = [v for v in document.versions if v.kind == VersionKind.SIGNED.value]
                if signed:
                    version = (signed[-1].bucket, signed[-1].object_key, signed[-1].size)
        return view, version


def _verify_stored(ctx: ApiContext, bucket: str, key: str) -> dict[str, Any]:
    tmp = ctx.settings.data_dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    path = ctx.store.get_file(Bucket(bucket), key, tmp / f"citizen-{key}.pdf")
    s = ctx.settings.signing
    try:
        return verify_pdf(
            path, trust_roots=list(s.trust_roots), revocation=s.revocation, tz=s.timezone
        ).model_dump(mode="json")
    except VerifyInputError as exc:
        return {"valid": False, "reason": exc.message, "signatures": []}
    finally:
        path.unlink(missing_ok=True)


def _page(view: Any, report: dict[str, Any] | None, token: str) -> str:
    e = html.escape
    promised = f"{view.promised_date:%d/%m/%Y}" if view.promised_date else "—"
    how = {"reused": "dùng lại dữ liệu đã có", "received": "đã nộp"}
    rows = "".join(
        f"<li>{e(c.label or c.doc_type)}: {how.get(c.status, 'chưa nộp')}</li>"
        for c in view.components
    )
    result = "<p>Chưa có kết quả.</p>"
    if report is not None:
        valid = bool(report.get("valid"))
        signers = "".join(
            f"<li>{e(str(s.get('signer_name') or s.get('signer') or ''))} — "
            f"{'hợp lệ' if s.get('valid') else 'không hợp lệ'}</li>"
            for s in report.get("signatures", [])
        )
        verdict = "Kết quả có chữ ký số hợp lệ" if valid else "Chữ ký số KHÔNG hợp lệ"
        result = (
            f"<p class='{'ok' if valid else 'bad'}'><strong>{verdict}</strong></p><ul>{signers}</ul>"
            f"<p><a href='/tra-cuu/{e(view.code)}/ket-qua.pdf?t={e(token)}'>Tải kết quả (PDF)</a></p>"
        )
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hồ sơ {e(view.code)}</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em}}
.ok{{color:#05691f}}.bad{{color:#a00}}</style></head><body>
<h1>Tra cứu hồ sơ</h1>
<p>Mã hồ sơ: <strong>{e(view.code)}</strong></p>
<p>Thủ tục: {e(view.procedure_name or "")}</p>
<p>Trạng thái: <strong>{e(view.state_label)}</strong></p>
<p>Ngày hẹn trả kết quả: {promised}</p>
<h2>Thành phần hồ sơ</h2><ul>{rows}</ul>
<h2>Kết quả</h2>{result}
</body></html>"""


@router.get("/tra-cuu/{code}", response_class=HTMLResponse, summary="Trang tra cứu hồ sơ của công dân (QR)")
async def citizen_page(
    code: str,
    t: Annotated[str, Query(max_length=64, description="mã bí mật trên giấy tiếp nhận")],
    ctx: Annotated[ApiContext, Depends(get_context)],
) -> HTMLResponse:
    view, version = await run_in_threadpool(_result_version, ctx, code, t)
    report = None
    if version is not None:
        report = await run_in_threadpool(_verify_stored, ctx, version[0], version[1])
    return HTMLResponse(
        _page(view, report, t), headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


@router.get("/tra-cuu/{code}/ket-qua.pdf", summary="Tải kết quả điện tử đã ký (citizen download)")
async def citizen_result(
    code: str,
    t: Annotated[str, Query(max_length=64)],
    ctx: Annotated[ApiContext, Depends(get_context)],
) -> StreamingResponse:
    _view, version = await run_in_threadpool(_result_version, ctx, code, t)
    if version is None:
        raise not_found("kết quả (result)")
    bucket, key, size = version
    reader = ctx.store.open(Bucket(bucket), key)
    return StreamingResponse(
        stream_chunks(reader),
        media_type="application/pdf",
        headers={
            "Content-Length": str(size),
            "Content-Disposition": f'attachment; filename="{code}.pdf"',
            "Cache-Control": "no-store",
        },
    )

"""``GET /report``: the Decision 766 indicators, the same function as ``sohoa report --json``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from pipeline.api.auth import require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.principals import Principal
from pipeline.report import build_report
from storage.db.dossiers import check_agency_code
from storage.db.engine import read_session

router = APIRouter(tags=["report"])


@router.get("/report", summary="Chỉ tiêu số hóa theo Quyết định 766 (digitisation indicators)")
def get_report(
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("report"))],
    from_: Annotated[date | None, Query(alias="from", description="từ ngày")] = None,
    to: Annotated[date | None, Query(description="đến ngày")] = None,
    agency: Annotated[list[str] | None, Query(max_length=35, description="mã định danh cơ quan")] = None,
) -> dict[str, Any]:
    if from_ and to and from_ > to:
        raise HTTPException(422, "Kỳ báo cáo trống: 'from' sau 'to' (empty period)")
    requested = [check_agency_code(a) for a in agency] if agency else None
    if principal.all_agencies:
        allowed = requested
    else:
        granted = sorted(principal.agencies)
        if requested and not set(requested) <= set(granted):
            raise HTTPException(403, "Không có quyền (forbidden)")
        allowed = requested or granted
    with read_session(ctx.engine) as session:
        report = build_report(session, period_from=from_, period_to=to, agencies=allowed)
    data = report.as_dict()
    if not principal.all_agencies:
        data["e_copy_certifications"] = None  # the book is installation-wide, not per agency
    return data

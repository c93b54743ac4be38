"""Uploading scans: streamed to disk, then an intake job; the answer is the job's id."""

from __future__ import annotations

import shutil
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from pipeline.access import visible_job
from pipeline.api.auth import forbidden, require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.api.errors import ApiError
from pipeline.api.paging import Page, Window50
from pipeline.api.types import JobId, Timestamp
from pipeline.api.uploads import MULTIPART_OPENAPI, limit_bytes, multipart_openapi, receive_multipart
from pipeline.jobs import create_job, job_view, new_job_id, uploads_dir
from pipeline.principals import Principal
from storage.db.api_models import Job
from storage.db.dossiers import check_agency_code, check_procedure_code, get_dossier
from storage.db.engine import read_session

router = APIRouter(tags=["intake"])

class JobView(BaseModel):
    id: JobId
    status: str
    dossier: str | None
    files_total: int
    files_done: int
    pages_done: int
    pages_total: int
    result: dict[str, Any] | None
    error: str | None
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None


class JobAccepted(BaseModel):
    job_id: JobId
    status: str
    status_url: str
    files: int


DossierCode = Annotated[str, Path(max_length=64, pattern=r"^[0-9A-Z.]+-[0-9]{6}-[0-9]{4}$")]


async def _start(
    request: Request,
    ctx: ApiContext,
    principal: Principal,
    *,
    dossier_code: str | None,
    form_fields: bool,
) -> JSONResponse:
    job_id = new_job_id()
    dest = uploads_dir(ctx, job_id)
    form = await receive_multipart(request, dest, limit_bytes(ctx.settings.api.max_upload_mb))
    try:
        if not form.files:
            raise ApiError(422, "Chưa có tệp nào (no files in the upload)")
        agency = procedure = None
        if form_fields:
            agency = form.fields.get("agency") or None
            procedure = form.fields.get("procedure") or None
            if agency is None:
                own = sorted(a for a in principal.agencies if a != "*")
                if len(own) != 1:
                    raise ApiError(422, "Cần trường 'agency' (mã cơ quan) (agency code required)")
                agency = own[0]
            check_agency_code(agency)
            if procedure is not None:
                check_procedure_code(procedure)
            if not principal.may_see(agency):
                raise forbidden()
        if ctx.queue is not None:  # distributed: the uploads go to the store, workers do the rest
            await run_in_threadpool(_submit_to_queue, ctx, job_id, form.files, principal, dossier_code,
                                    procedure, agency)
            shutil.rmtree(dest, ignore_errors=True)
            return _accepted(job_id, len(form.files))
        create_job(
            ctx,
            job_id,
            actor=principal.actor,
            agencies=sorted(principal.agencies) if not principal.is_admin else ["*"],
            files=[
                {"name": f.name, "path": str(f.path), "size": f.size, "sha256": f.sha256} for f in form.files
            ],
            dossier_code=dossier_code,
            procedure_code=procedure,
            agency_code=agency,
        )
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    if ctx.jobs is not None:
        ctx.jobs.submit(job_id)
    return _accepted(job_id, len(form.files))


def _accepted(job_id: str, files: int) -> JSONResponse:
    return JSONResponse(
        {"job_id": job_id, "status": "queued", "status_url": f"/api/v1/jobs/{job_id}", "files": files},
        status_code=202,
    )


def _submit_to_queue(
    ctx: ApiContext,
    job_id: str,
    files: list[Any],
    principal: Principal,
    dossier_code: str | None,
    procedure: str | None,
    agency: str | None,
) -> None:
    from pipeline.tasks.enqueue import Upload, submit_job

    submit_job(
        ctx,
        [Upload(f.name, f.path) for f in files],
        actor=principal.actor,
        agencies=sorted(principal.agencies) if not principal.is_admin else ["*"],
        dossier_code=dossier_code, procedure_code=procedure, agency_code=agency, job_id=job_id,
    )


@router.post(
    "/dossiers/{code}/scans",
    status_code=202,
    response_model=JobAccepted,
    openapi_extra=MULTIPART_OPENAPI,
    summary="Tải bản quét vào hồ sơ (upload scans into a dossier)",
    responses={413: {"description": "quá lớn"}, 404: {"description": "không có hồ sơ"}},
)
async def upload_scans(
    code: DossierCode,
    request: Request,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("intake"))],
) -> JSONResponse:
    with read_session(ctx.engine) as session:
        dossier = get_dossier(session, code)
        agency = dossier.agency.code
    if not principal.may_see(agency):
        raise ApiError(404, f"Không tìm thấy hồ sơ {code} (unknown dossier)")
    return await _start(request, ctx, principal, dossier_code=code, form_fields=False)


@router.post(
    "/intake",
    status_code=202,
    response_model=JobAccepted,
    openapi_extra=multipart_openapi("agency", "procedure"),
    summary="Tiếp nhận hồ sơ mới từ bản quét (new dossier from scans)",
    responses={413: {"description": "quá lớn"}},
)
async def upload_intake(
    request: Request,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("intake"))],
) -> JSONResponse:
    return await _start(request, ctx, principal, dossier_code=None, form_fields=True)


@router.get("/jobs", response_model=Page[JobView], summary="Công việc tiếp nhận (intake jobs, newest first)")
def list_jobs(
    window: Window50,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("intake"))],
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[JobView]:
    """The caller's own jobs (every job for an all-agency caller)."""
    with read_session(ctx.engine) as session:
        query = select(Job)
        if not principal.all_agencies:
            query = query.where(Job.actor == principal.actor)
        if status is not None:
            query = query.where(Job.status == status)
        rows, total = window.rows(session, query.order_by(Job.created_at.desc()))
        return window.page([JobView.model_validate(job_view(job)) for job in rows], total=total)


@router.get("/jobs/{job_id}", response_model=JobView, summary="Tiến độ tiếp nhận (job progress and result)")
def get_job(
    job_id: Annotated[str, Path(max_length=32, pattern=r"^[0-9a-f]{32}$")],
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("intake"))],
) -> dict[str, Any]:
    with read_session(ctx.engine) as session:
        return job_view(visible_job(session, job_id, principal))

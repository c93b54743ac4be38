"""The staff web page (static files, no build step) and page images for the review screen.

The page shell and its assets are public (they hold no data); every call the page makes goes
through the authenticated API with the clerk's bearer token. A page image shows the person's data
as scanned, so each one served is an access record (``pipeline.personal_data``), committed before
the image leaves.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import FileResponse, RedirectResponse, Response

from pipeline.access import visible_document
from pipeline.api.auth import require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.api.errors import ApiError
from pipeline.api.types import RowIdPath
from pipeline.personal_data import owners_of, record_page_shown
from pipeline.principals import Principal
from storage.db.engine import read_session, run_recorded_read
from storage.db.models import VersionKind
from storage.objects.base import Bucket

router = APIRouter(tags=["web"])

WEB_DIR = FsPath(__file__).parent / "web"
ASSETS = {"app.js": "text/javascript", "app.css": "text/css", "signing-agent.js": "text/javascript"}
# The copy shown beside the fields: the searchable PDF first, as the clerk reviews OCR output.
IMAGE_SOURCES = (VersionKind.SEARCHABLE.value, VersionKind.SIGNED.value, VersionKind.ORIGINAL.value)
PAGE_DPI = 110
RENDER_TIMEOUT = 60


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse("/ui/")


@router.get("/ui/", include_in_schema=False)
def page() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")


@router.get("/ui/{asset}", include_in_schema=False)
def asset(asset: str) -> FileResponse:
    # A fixed allow-list of names; signing-agent.js (the local signing agent's part of the page)
    # may be absent from an installation: a 404, and the page works without it.
    if asset not in ASSETS or not (WEB_DIR / asset).is_file():
        raise ApiError(404, "Không tìm thấy (not found)")
    return FileResponse(WEB_DIR / asset, media_type=ASSETS[asset])


@router.get(
    "/documents/{document_id}/pages/{page}.png",
    summary="Ảnh một trang của tài liệu (page image for review)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, 404: {"description": "không có trang"}},
)
def page_image(
    document_id: RowIdPath,
    page: Annotated[int, Path(ge=1, le=5000)],
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
) -> Response:
    with read_session(ctx.engine) as session:
        document = visible_document(session, document_id, principal)
        versions = {v.kind: v for v in document.versions}
        source = next((versions[k] for k in IMAGE_SOURCES if k in versions), None)
        if source is None:
            raise ApiError(404, "Tài liệu chưa có bản lưu (no stored copy)")
        bucket, key, kind = source.bucket, source.object_key, source.kind
        page_count = max(document.page_count, 1)
        owners = owners_of(session, [document])[document.id]
        dossier_code = document.dossier.code if document.dossier is not None else None
        # The original scan holds every page of the file; the other copies only this document's.
        file_page = (
            document.pages[page - 1]
            if kind == VersionKind.ORIGINAL.value and page <= len(document.pages)
            else page
        )
    if page > page_count:
        raise ApiError(404, "Không có trang này (no such page)")
    with tempfile.TemporaryDirectory(prefix="sohoa-page-") as tmp:
        pdf = ctx.store.get_file(Bucket(bucket), key, FsPath(tmp) / "doc.pdf")
        with pdf.open("rb") as fh:
            is_pdf = fh.read(5) == b"%PDF-"
        if not is_pdf:
            raise ApiError(415, "Bản lưu không phải PDF (stored copy is not a PDF)")
        out = FsPath(tmp) / "page"
        result = subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(PAGE_DPI),
                "-f",
                str(file_page),
                "-l",
                str(file_page),
                "-singlefile",
                str(pdf),
                str(out),
            ],
            capture_output=True,
            timeout=RENDER_TIMEOUT,
            check=False,
        )
        png = out.with_suffix(".png")
        if result.returncode != 0 or not png.exists():
            raise ApiError(404, "Không dựng được ảnh trang (page could not be rendered)")
        image = png.read_bytes()
    # Recorded once the image exists (a failed render showed nothing), committed before it leaves;
    # no-store (the middleware's default), so that every view is a request and so a record: a page
    # cached by the browser would be shown again without one.
    run_recorded_read(
        ctx.engine,
        lambda session: record_page_shown(session, principal.actor, document_id, page, owners, dossier_code),
    )
    return Response(image, media_type="image/png")

"""Pages of a list endpoint: items with the total, the window and links, plus an RFC 8288 ``Link``.

A v1 list answers ``{"items": [...], "total": N, "limit": L, "offset": O, "links": {...}}``;
``links`` and the ``Link`` header carry ``self``, ``next`` and ``prev`` (relative URLs, the
query string of the request with ``offset`` moved), so a client pages without building URLs.
The deprecated unversioned aliases keep answering the bare list (:mod:`pipeline.api.versioning`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="số mục mỗi trang")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="bỏ qua bao nhiêu mục")]


class PageLinks(BaseModel):
    self: str
    next: str | None = None
    prev: str | None = None


class Page(BaseModel, Generic[T]):
    """One page of a list; ``total`` counts every match, not only this page."""

    items: list[T]
    total: int = Field(ge=0)
    limit: int
    offset: int
    links: PageLinks


def _url(request: Request, limit: int, offset: int) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in {"limit", "offset"}]
    params += [("limit", str(limit)), ("offset", str(offset))]
    # keys and path quoted too: a header is latin-1, and a client may send any query key
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params)
    return quote(request.url.path, safe="/") + "?" + query


def page(request: Request, items: list[Any], *, total: int, limit: int, offset: int) -> Page[Any]:
    """The page of ``items`` (already cut to ``limit`` at ``offset``) with its links."""
    nxt = _url(request, limit, offset + limit) if offset + len(items) < total else None
    prev = _url(request, limit, max(0, offset - limit)) if offset > 0 else None
    return Page[Any](
        items=items,
        total=total,
        limit=limit,
        offset=offset,
        links=PageLinks(self=_url(request, limit, offset), next=nxt, prev=prev),
    )


def link_header(links: dict[str, Any]) -> str | None:
    parts = [f'<{url}>; rel="{rel}"' for rel, url in links.items() if url]
    return ", ".join(parts) or None


class ApiJSONResponse(JSONResponse):
    """The app's JSON answer: a page also gets its links as a ``Link`` header."""

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        super().__init__(content, status_code, headers, media_type, background)
        if isinstance(content, dict) and isinstance(content.get("links"), dict) and "items" in content:
            header = link_header(content["links"])
            if header:
                self.headers["Link"] = header

"""Pages of a list endpoint: items with the total, the window and links, plus an RFC 8288 ``Link``.

A v1 list answers ``{"items": [...], "total": N, "limit": L, "offset": O, "links": {...}}``;
``links`` and the ``Link`` header carry ``self``, ``next`` and ``prev`` (relative URLs, the
query string of the request with ``offset`` moved), so a client pages without building URLs.
The deprecated unversioned aliases keep answering the bare list (:mod:`pipeline.api.versioning`).

A list route takes a :class:`Window` (``Window50`` or ``Window100``, by its default page size)
instead of restating ``request``, ``limit`` and ``offset``; :meth:`Window.rows` counts and cuts an
SQL query, :meth:`Window.page` wraps the items.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
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


@dataclass(frozen=True)
class Window:
    """The page a list request asks for: its ``limit`` and ``offset`` and the request (for links)."""

    request: Request
    limit: int
    offset: int

    def page(self, items: list[Any], *, total: int) -> Page[Any]:
        return page(self.request, items, total=total, limit=self.limit, offset=self.offset)

    def cut(self, rows: list[Any]) -> Page[Any]:
        """The page of a list already held whole (short lists filtered outside SQL)."""
        return self.page(rows[self.offset : self.offset + self.limit], total=len(rows))

    def rows(
        self, session: Session, query: Select[*tuple[Any, ...]], *, scalars: bool = True
    ) -> tuple[list[Any], int]:
        """The rows of the ordered ``query`` in this window, and how many rows it matches in all."""
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        cut = query.limit(self.limit).offset(self.offset)
        found = session.scalars(cut).all() if scalars else session.execute(cut).all()
        return list(found), total


def _window(default_limit: int) -> Callable[..., Window]:
    def window(request: Request, limit: Limit = default_limit, offset: Offset = 0) -> Window:
        return Window(request, limit, offset)

    return window


Window50 = Annotated[Window, Depends(_window(50))]
Window100 = Annotated[Window, Depends(_window(100))]


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

"""One error shape for every answer that is not a success: RFC 9457 problem details.

Every failure, whether FastAPI's own (``HTTPException``, routing 404/405, request validation),
a workflow refusal (:class:`pipeline.errors.Refused`), any other ``SohoaError`` or an unexpected
exception, is answered ``application/problem+json`` with

- ``type``: a stable URN naming the kind of problem (``urn:sohoa:problem:not-found``); clients
  branch on it, never on the text;
- ``title``: the kind in Vietnamese (the same for every problem of a type);
- ``status``, ``detail`` (this occurrence, the same one-line secret-free text the CLI prints) and
  ``instance`` (the request path, no query string: a lookup's query holds a personal id);
- ``errors`` for validation problems: where (``loc``) and what (``msg``, ``type``), never the
  rejected input itself.

Validation is always 422: FastAPI's request validation and the workflow's ``BadInputError``
(``ExitCode.BAD_ARGS``) alike. 400 is kept for a request whose body cannot be read at all
(malformed multipart, a bad ``Content-Length``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from config.errors import SohoaError
from pipeline.api.errors import DB_UNAVAILABLE, RETRY_AFTER_OUTAGE, status_for

log = logging.getLogger("sohoa.api")

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:sohoa:problem:"

# status → (type code, Vietnamese title). One type per status keeps the codes few and stable.
BY_STATUS: dict[int, tuple[str, str]] = {
    400: ("malformed-request", "Yêu cầu không đọc được"),
    401: ("unauthenticated", "Chưa xác thực"),
    403: ("forbidden", "Không có quyền"),
    404: ("not-found", "Không tìm thấy"),
    405: ("method-not-allowed", "Phương thức không được hỗ trợ"),
    406: ("not-acceptable", "Không có định dạng phù hợp"),
    409: ("conflict", "Xung đột trạng thái"),
    410: ("gone", "Không còn nữa"),
    413: ("too-large", "Dữ liệu quá lớn"),
    415: ("unsupported-media-type", "Định dạng dữ liệu không được hỗ trợ"),
    422: ("validation-error", "Dữ liệu không hợp lệ"),
    429: ("too-many-requests", "Quá nhiều yêu cầu"),
    500: ("internal-error", "Lỗi nội bộ"),
    503: ("unavailable", "Dịch vụ tạm thời không sẵn sàng"),
    504: ("timeout", "Quá thời gian xử lý"),
}


class ValidationIssue(BaseModel):
    loc: list[str | int] = Field(description="nơi có lỗi, ví dụ ['query', 'limit']")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(examples=["urn:sohoa:problem:not-found"], description="mã loại lỗi, ổn định")
    title: str = Field(examples=["Không tìm thấy"], description="tên loại lỗi bằng tiếng Việt")
    status: int = Field(examples=[404])
    detail: str | None = Field(None, examples=["Không tìm thấy tài liệu (document) (not found)"])
    instance: str | None = Field(None, examples=["/api/v1/documents/42"])
    errors: list[ValidationIssue] | None = Field(None, description="chỉ với lỗi dữ liệu (422)")


def problem_type(status: int) -> str:
    code = BY_STATUS.get(status, ("internal-error" if status >= 500 else "client-error", ""))[0]
    return TYPE_PREFIX + code


def title_for(status: int) -> str:
    found = BY_STATUS.get(status)
    if found:
        return found[1]
    return "Lỗi nội bộ" if status >= 500 else "Yêu cầu không thực hiện được"


def problem_response(
    status: int,
    detail: str | None,
    instance: str | None,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type(status),
        "title": title_for(status),
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _issues(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Never the rejected input: it may be a personal id number or a password.
    return [
        {
            "loc": [p for p in e.get("loc", ()) if isinstance(p, str | int)],
            "msg": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in exc.errors()
    ]


def _detail_text(detail: Any) -> str | None:
    if detail is None or isinstance(detail, str):
        return detail
    return str(detail)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = 422 if exc.status_code == 400 and isinstance(exc.detail, list) else exc.status_code
        return problem_response(
            status, _detail_text(exc.detail), request.url.path, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        issues = _issues(exc)
        where = ", ".join(".".join(str(p) for p in i["loc"]) for i in issues[:5])
        detail = f"Tham số không hợp lệ (invalid request): {where}" if where else None
        return problem_response(422, detail, request.url.path, errors=issues)

    @app.exception_handler(SohoaError)
    async def _sohoa(request: Request, exc: SohoaError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.warning("request failed: %s (%s)", type(exc).__name__, status)
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(int(retry_after))} if isinstance(retry_after, int | float) else None
        if status == 503 and headers is None:
            headers = {"Retry-After": RETRY_AFTER_OUTAGE}
        return problem_response(status, exc.message, request.url.path, headers=headers)

    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        # The type only: a driver's message names the host, port and user.
        log.warning("database unavailable: %s", type(exc).__name__)
        return problem_response(
            503, DB_UNAVAILABLE, request.url.path, headers={"Retry-After": RETRY_AFTER_OUTAGE}
        )

    for outage in (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError):
        app.add_exception_handler(outage, _database_down)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s", type(exc).__name__)
        return problem_response(500, "Lỗi nội bộ (internal error)", request.url.path)


def _problem_content(example_status: int) -> dict[str, Any]:
    return {
        MEDIA_TYPE: {
            "schema": {"$ref": "#/components/schemas/Problem"},
            "example": {
                "type": problem_type(example_status),
                "title": title_for(example_status),
                "status": example_status,
                "detail": "…",
                "instance": "/api/v1/…",
            },
        }
    }


# Described on every operation (the 422 replaces FastAPI's own HTTPValidationError schema).
COMMON_STATUSES = (401, 403, 404, 422, 500)
PUBLIC_STATUSES = (404, 422, 500)


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Problem schema and problem responses to every operation of an OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(components["Problem"].pop("$defs", {}))
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            common = COMMON_STATUSES if operation.get("security") else PUBLIC_STATUSES
            for status in common + tuple(int(s) for s in responses if str(s).isdigit()):
                if status < 400:
                    continue
                entry = responses.setdefault(str(status), {})
                entry.setdefault("description", title_for(status))
                entry["content"] = _problem_content(status)
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema


class RejectNulBytes:
    """ASGI middleware: a NUL byte in the path or query string is a 422, before any route runs.

    No identifier, code or name sohoa stores holds one, and PostgreSQL text cannot (the driver
    raises ``DataError``): a filter such as ``?official=%00`` must be refused as bad input, not
    reach the database and come back a 500.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = bytes(scope.get("query_string", b""))
            if "\x00" in scope.get("path", "") or b"\x00" in query or b"%00" in query.lower():
                detail = "Tham số chứa ký tự NUL (request contains a NUL byte)"
                response = problem_response(422, detail, scope.get("path", "").replace("\x00", ""))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

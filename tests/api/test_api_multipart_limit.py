"""Every byte of a multipart upload counts against the size limit, also after the last boundary
when no Content-Length was sent (finding: trailing data was read without limit)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db.dossiers import create_dossier
from tests.api.conftest import AGENCY_A, Api, make_api
from tests.db.fixtures import Database

BOUNDARY = "sohoa-test-boundary"


@pytest.fixture
def small_api(db: Database, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(db, tmp_path, api={"max_upload_mb": 0.05})  # 51 KiB


def _body(trailing: int) -> Iterator[bytes]:
    yield (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"ok.pdf\"\r\n"
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4 small\r\n--{BOUNDARY}--\r\n"
    ).encode()
    chunk = b"x" * 65536
    for _ in range(trailing // len(chunk)):
        yield chunk  # epilogue: after the closing boundary


def test_trailing_data_without_content_length_is_counted(small_api: Api) -> None:
    clerk = small_api.user("clerk", ["clerk"], [AGENCY_A])
    code = create_dossier(small_api.ctx.engine, AGENCY_A, actor="test")
    response = small_api.client.post(
        f"/dossiers/{code}/scans",
        content=_body(2 * 1024 * 1024),
        headers={**clerk, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413, response.text
    ok = small_api.client.post(
        f"/dossiers/{code}/scans",
        content=_body(0),
        headers={**clerk, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert ok.status_code == 202, ok.text

"""Conditional object writes (``If-None-Match: *``) through the minio SDK's own HTTP transport.

A content-addressed store must not write what it already holds. Asking first (HEAD, then PUT)
costs a request per upload and leaves a gap between the two in which another writer can store
the same bytes. S3, MinIO and the test server all accept ``If-None-Match: *`` on PutObject and
CompleteMultipartUpload: the server refuses the write (412) if the key exists, in one request
and atomically. The minio SDK (7.2) has no option for that header, but lets the caller supply
its urllib3 pool; this pool adds the header to the writes a store marks, and to nothing else.
The header is standard (not ``x-amz-*``), so leaving it out of the SigV4 signature is allowed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import urllib3

PRECONDITION_FAILED = "PreconditionFailed"


def is_object_write(method: str, url: str) -> bool:
    """PutObject or CompleteMultipartUpload: the two requests that make an object appear."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    if method == "PUT":
        return "partNumber" not in query and "uploadId" not in query
    return method == "POST" and "uploadId" in query


class ConditionalPool(urllib3.PoolManager):
    """A pool that makes the current thread's marked object writes create-only."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._marked = threading.local()

    @contextmanager
    def create_only(self) -> Iterator[None]:
        """Writes made by this thread inside the block fail with 412 if the key exists.

        The SDK uploads parts from its own threads, which are not marked; the request that
        completes the object comes from the caller's thread, which is.
        """
        self._marked.on = True
        try:
            yield
        finally:
            self._marked.on = False

    def urlopen(  # type: ignore[override]  # the same override urllib3's PoolManager makes
        self, method: str, url: str, redirect: bool = True, **kw: Any
    ) -> urllib3.BaseHTTPResponse:
        if getattr(self._marked, "on", False) and is_object_write(method, url):
            headers = urllib3.HTTPHeaderDict(kw.get("headers") or {})
            headers["If-None-Match"] = "*"
            kw["headers"] = headers
        return super().urlopen(method, url, redirect, **kw)


__all__ = ["PRECONDITION_FAILED", "ConditionalPool", "is_object_write"]

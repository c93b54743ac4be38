"""A minimal HTTP server serving the directory store's presigned URLs, as the API does.

It exists so the presigned-URL tests fetch over real HTTP with httpx, for both backends alike.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from storage.objects.directory_store import DirectoryStore
from storage.objects.errors import ObjectNotFoundError, PresignError


@contextmanager
def serve_presigned(store: DirectoryStore) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                bucket, key = store.verify_presigned(self.path)
                reader = store.open(bucket, key)
            except PresignError as exc:
                self._fail(403, str(exc))
                return
            except ObjectNotFoundError as exc:
                self._fail(404, str(exc))
                return
            with reader:
                size = store.stat(bucket, key)
                self.send_response(200)
                self.send_header("Content-Length", str(size.size if size else 0))
                self.end_headers()
                shutil.copyfileobj(reader, self.wfile)

        def _fail(self, status: int, message: str) -> None:
            body = message.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

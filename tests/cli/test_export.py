"""``sohoa export``: a stored copy comes out byte for byte; bad requests get one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from config.settings import load_settings
from storage.db.engine import write_session
from storage.db.migrate import upgrade_database
from storage.db.records import DocumentInput, FieldInput, ObjectRef, ScanInput, record_scan
from storage.objects.base import Bucket
from storage.objects.factory import open_object_store

PDF = b"%PDF-1.4\n% a stored searchable copy\n%%EOF\n"


def sohoa(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOHOA_DATA_DIR": str(data)}
    env.pop("SOHOA_DATABASE__URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_export_searchable_copy(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = load_settings(data_dir=data)
    engine = upgrade_database(settings)
    store = open_object_store(settings)
    store.ensure_buckets()
    original = store.put_bytes(Bucket.ORIGINALS, b"scan bytes")
    searchable = store.put_bytes(Bucket.DIGITISED, PDF)

    def ref(obj: object, bucket: Bucket) -> ObjectRef:
        return ObjectRef(bucket.value, obj.key, obj.sha256, obj.size)  # type: ignore[attr-defined]

    doc = DocumentInput(
        "other", [1], 0.9, {"note": FieldInput("x")}, searchable=ref(searchable, Bucket.DIGITISED)
    )
    scan = ScanInput(original.sha256, "a.pdf", original.size, 1, ref(original, Bucket.ORIGINALS), [doc])
    with write_session(engine) as session:
        _, (document,) = record_scan(session, scan, dossier=None, actor="test")
        document_id = document.id
    engine.dispose()

    out = tmp_path / "out" / "copy.pdf"
    res = sohoa(data, "export", "--document", str(document_id), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert out.read_bytes() == PDF

    res = sohoa(data, "export", "--document", str(document_id), "-o", str(out), "--kind", "signed")
    assert res.returncode == 2 and "chưa có bản signed" in res.stderr and "Traceback" not in res.stderr
    res = sohoa(data, "export", "--document", "999", "-o", str(out))
    assert res.returncode == 2 and "999" in res.stderr
    res = sohoa(data, "export", "--document", str(document_id), "-o", str(out), "--kind", "../etc")
    assert res.returncode == 2 and "--kind" in res.stderr

"""Presigned links name the host downstream systems reach, not the store's in-network endpoint."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from config.settings import load_settings
from storage.objects.base import Bucket
from storage.objects.directory_store import DirectoryStore
from storage.objects.minio_store import MinioStore
from tests.storage.moto_fixture import minio_settings_for


def test_minio_links_use_the_public_endpoint(moto_endpoint: str, tmp_path: Path) -> None:
    port = moto_endpoint.rsplit(":", 1)[1]
    prefix = f"pub{uuid.uuid4().hex[:8]}"
    settings = minio_settings_for(
        moto_endpoint, tmp_path, public_endpoint=f"localhost:{port}", bucket_prefix=prefix
    )
    store = MinioStore.from_settings(settings)
    store.ensure_buckets()
    obj = store.put_bytes(Bucket.DIGITISED, b"public link body")
    url = store.presigned_get_url(Bucket.DIGITISED, obj.key, timedelta(minutes=5))
    assert urlsplit(url).netloc == f"localhost:{port}"
    assert httpx.get(url, timeout=10).content == b"public link body"

    internal = MinioStore.from_settings(minio_settings_for(moto_endpoint, tmp_path, bucket_prefix=prefix))
    assert urlsplit(internal.presigned_get_url(Bucket.DIGITISED, obj.key, timedelta(minutes=5))).netloc == (
        moto_endpoint.removeprefix("http://")
    )


def test_directory_links_use_the_api_base_url(tmp_path: Path) -> None:
    wildcard = load_settings(data_dir=tmp_path, api={"host": "0.0.0.0", "port": 8443})
    assert DirectoryStore.from_settings(wildcard).public_url == "http://127.0.0.1:8443"
    public = load_settings(data_dir=tmp_path, api={"public_url": "https://sohoa.example.vn/"})
    store = DirectoryStore.from_settings(public)
    store.ensure_buckets()
    obj = store.put_bytes(Bucket.SIGNED, b"x")
    url = store.presigned_get_url(Bucket.SIGNED, obj.key, timedelta(minutes=1))
    assert url.startswith("https://sohoa.example.vn/objects/signed/")

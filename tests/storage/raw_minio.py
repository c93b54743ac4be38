"""Direct SDK access to the test server, for what the store deliberately does not offer."""

from __future__ import annotations

import io

from minio import Minio

from config.settings import Settings
from storage.objects.base import Bucket


def raw_client(settings: Settings) -> Minio:
    s = settings.storage
    return Minio(
        s.endpoint,
        access_key=s.access_key,
        secret_key=s.secret_key.get_secret_value(),
        secure=s.secure,
        region=s.region,
    )


def raw_put(store: object, bucket: Bucket, key: str, data: bytes) -> None:
    client: Minio = store.client  # type: ignore[attr-defined]
    name: str = store.bucket_name(bucket)  # type: ignore[attr-defined]
    client.put_object(name, key, io.BytesIO(data), len(data))

"""Content-addressed object storage: one interface, a MinIO backend and a directory backend.

    store = open_object_store(settings)          # settings.storage.backend: directory | minio
    obj = store.put_file(Bucket.ORIGINALS, path, content_type="application/pdf",
                         metadata={"dossier": code, "doc-type": "cccd", "owner-id": owner})
    obj.created                                   # False: the same bytes were already stored
    store.get_file(Bucket.ORIGINALS, obj.key, dest)

Every failure is a ``StorageError`` (``ExitCode.STORAGE``); ``StorageUnavailableError`` after
``settings.storage.retry_seconds`` of an unreachable server.
"""

from storage.objects.base import Bucket, ObjectStore, StoredObject
from storage.objects.errors import (
    InvalidMetadataError,
    InvalidObjectKeyError,
    ObjectCorruptedError,
    ObjectLockedError,
    ObjectNotFoundError,
    PresignError,
    SourceChangedError,
    StorageError,
    StorageUnavailableError,
)
from storage.objects.factory import open_object_store
from storage.objects.keys import HashedFile, hash_file

__all__ = [
    "Bucket",
    "HashedFile",
    "InvalidMetadataError",
    "InvalidObjectKeyError",
    "ObjectCorruptedError",
    "ObjectLockedError",
    "ObjectNotFoundError",
    "ObjectStore",
    "PresignError",
    "SourceChangedError",
    "StorageError",
    "StorageUnavailableError",
    "StoredObject",
    "hash_file",
    "open_object_store",
]

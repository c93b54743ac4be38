"""Content-addressed object storage: one interface, a MinIO backend and a directory backend."""

from storage.objects.base import Bucket, ObjectStore, StoredObject

__all__ = ["Bucket", "ObjectStore", "StoredObject"]

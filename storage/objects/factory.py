"""Pick the object store the settings ask for."""

from __future__ import annotations

from config.settings import Settings
from storage.objects.base import ObjectStore


def open_object_store(settings: Settings) -> ObjectStore:
    """Build the configured backend; buckets are created on first use, not here."""
    if settings.storage.backend == "minio":
        from storage.objects.minio_store import MinioStore

        return MinioStore.from_settings(settings)
    from storage.objects.directory_store import DirectoryStore

    return DirectoryStore.from_settings(settings)

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from config.settings import Settings, load_settings
from storage.objects.base import ObjectStore
from storage.objects.factory import open_object_store
from tests.storage.moto_fixture import minio_settings_for, moto_endpoint, moto_server

__all__ = ["moto_endpoint", "moto_server"]

BACKENDS = ["directory", "minio"]

StoreFactory = Callable[..., ObjectStore]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., Settings]:
    def build(**storage: object) -> Settings:
        if backend == "minio":
            endpoint = storage.pop("endpoint", None) or request.getfixturevalue("moto_endpoint")
            return minio_settings_for(str(endpoint), tmp_path / "data", **storage)
        return load_settings(data_dir=tmp_path / "data", storage={"backend": "directory", **storage})

    return build


@pytest.fixture
def make_store(make_settings: Callable[..., Settings]) -> StoreFactory:
    def build(**storage: object) -> ObjectStore:
        store = open_object_store(make_settings(**storage))
        store.ensure_buckets()
        return store

    return build


@pytest.fixture
def store(make_store: StoreFactory) -> ObjectStore:
    return make_store()

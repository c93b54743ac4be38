"""Intake fixtures: both databases × both object stores, real OCR, generated scans."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.dossier.catalogue import ensure_default_catalogue
from pipeline.executor import SerialExecutor
from pipeline.intake import Intake
from storage.db.engine import run_in_transaction
from storage.objects.factory import open_object_store
from tests.db import fixtures as _db_fixtures
from tests.db.fixtures import Database
from tests.intake.helpers import Sample, build_settings
from tests.storage import moto_fixture as _moto_fixtures

db = _db_fixtures.db
pg_database = _db_fixtures.pg_database
moto_server = _moto_fixtures.moto_server
moto_endpoint = _moto_fixtures.moto_endpoint

STORE_BACKENDS = ("directory", "minio")


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Sample]:
    """A few small clean scans (one per type used here), generated once per worker."""
    from tests.datagen.generate import generate_set

    out = tmp_path_factory.mktemp("scans")
    found: dict[str, Sample] = {}
    for doc_type in ("cccd", "application_form"):
        for path in generate_set(out / doc_type, 1, "intake-tests", "clean", [doc_type]):
            truth = json.loads(path.with_name(path.name + ".truth.json").read_text(encoding="utf-8"))
            found[doc_type] = Sample(path, truth)
    return found


@pytest.fixture(params=STORE_BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_intake(db: Database, tmp_path: Path) -> Iterator[Callable[..., Intake]]:
    """Build an Intake on this test's database and a store backend (directory by default)."""
    made: list[Intake] = []

    def build(store_backend: str = "directory", endpoint: str | None = None, **kwargs: object) -> Intake:
        settings = build_settings(db, tmp_path / "data", store_backend, endpoint)
        run_in_transaction(db.engine, ensure_default_catalogue)
        store = open_object_store(settings)
        store.ensure_buckets()
        intake = Intake(settings, engine=db.engine, store=store, executor=SerialExecutor(), **kwargs)  # type: ignore[arg-type]
        made.append(intake)
        return intake

    yield build



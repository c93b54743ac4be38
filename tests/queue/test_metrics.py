"""``GET /metrics``: Prometheus text with queue depths from the broker and figures from the DB."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from config.settings import load_settings
from pipeline.api.app import create_app
from pipeline.services import upgrade
from tests.queue.cluster import rabbit_vhost


def _families(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    return {f.name: [(s.labels, s.value) for s in f.samples] for f in text_string_to_metric_families(text)}


def test_metrics_embedded_default(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", storage={"backend": "directory"})
    upgrade(settings).dispose()  # as `sohoa db upgrade` does before `sohoa serve`
    with TestClient(create_app(settings, start_worker=False)) as client:
        response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    families = _families(response.text)
    assert families["sohoa_queue_depth"] == [({"queue": "jobs"}, 0.0)]
    assert ({"status": "failed"}, 0.0) in families["sohoa_jobs"]
    assert families["sohoa_pages_per_minute"] == [({}, 0.0)]


def test_metrics_read_queue_depth_from_rabbitmq(tmp_path: Path) -> None:
    with rabbit_vhost() as broker:
        settings = load_settings(
            data_dir=tmp_path / "data",
            storage={"backend": "directory"},
            queue={"broker_url": broker, "prefix": "m"},
        )
        from pipeline.tasks.app import PAGE, make_celery

        publisher = make_celery(settings)
        for index in range(3):  # three page messages nobody consumes
            publisher.send_task(PAGE, args=["0" * 32, 0, index])
        upgrade(settings).dispose()
        with TestClient(create_app(settings, start_worker=False)) as client:
            text = client.get("/metrics").text
    depth = dict((labels["queue"], value) for labels, value in _families(text)["sohoa_queue_depth"])
    assert depth == {"intake": 0.0, "pages": 3.0, "dead": 0.0}

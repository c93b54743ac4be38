"""Field corrections are typed and validated like extraction (finding: HTML accepted in a date
field; ``sohoa correct --field khong_co`` created a new field)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.conftest import AGENCY_A, Api

SOHOA = str(Path(sys.executable).with_name("sohoa"))


BAD_CORRECTIONS = [
    ("khong_co", "x"),  # not a field of a birth certificate
    ("date_of_birth", "<script>alert(1)</script>"),
    ("date_of_birth", "2020-02-30"),
    ("id_number", "12345"),
    ("sex", "Khác nữa"),
    ("full_name", "Nguyễn <b>Văn</b> Bình"),
    ("full_name", "Nguyễn\nVăn Bình"),
]


def test_bad_corrections_refused(api: Api) -> None:
    _code, doc = api.document(api.unique_pdf())
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    before = api.client.get(f"/documents/{doc}", headers=clerk).json()["fields"]
    for key, value in BAD_CORRECTIONS:  # one document for all: none of them may change it
        response = api.client.patch(f"/documents/{doc}/fields/{key}", json={"value": value}, headers=clerk)
        assert response.status_code == 422, (key, value, response.text)  # validation is 422 everywhere
        view = api.client.get(f"/documents/{doc}", headers=clerk).json()
        fields = {f["key"]: f["value"] for f in view["fields"]}
        assert key not in fields or fields[key] != value, (key, value)
    assert api.client.get(f"/documents/{doc}", headers=clerk).json()["fields"] == before


def test_good_corrections_accepted_and_normalised(api: Api) -> None:
    _code, doc = api.document(api.unique_pdf())
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    for key, value in [("date_of_birth", "2019-05-01"), ("full_name", "Nguyễn Văn Bính"), ("sex", "Nam")]:
        response = api.client.patch(f"/documents/{doc}/fields/{key}", json={"value": value}, headers=clerk)
        assert response.status_code == 200, (key, response.text)


@pytest.mark.slow  # two CLI subprocesses
def test_cli_correct_refuses_unknown_field(api: Api) -> None:
    _code, doc = api.document(api.unique_pdf())
    env = {**os.environ, "SOHOA_DATA_DIR": str(api.settings.data_dir), "SOHOA_DATABASE__URL": api.db.url}
    bad = subprocess.run(
        [SOHOA, "correct", "--document", str(doc), "--field", "khong_co", "--value", "x"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert bad.returncode == 2, bad.stdout + bad.stderr
    good = subprocess.run(
        [SOHOA, "correct", "--document", str(doc), "--field", "date_of_birth", "--value", "2019-05-01"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert good.returncode == 0, good.stderr

"""A job is visible by its dossier's agency, not by the uploader's other agencies (finding)."""

from __future__ import annotations

from pipeline.jobs import create_job, new_job_id
from tests.api.conftest import AGENCY_A, AGENCY_B, Api


def test_job_visible_by_the_dossiers_agency(api: Api) -> None:
    code_a, _doc = api.document(api.unique_pdf(), agency=AGENCY_A)
    job_id = new_job_id()
    # Uploaded by a clerk of both agencies, into A's dossier.
    create_job(
        api.ctx, job_id, actor="staff:clerk-ab", agencies=[AGENCY_A, AGENCY_B], files=[],
        dossier_code=code_a, procedure_code=None, agency_code=None,
    )
    key_b = api.key("system-b", ["intake"], [AGENCY_B])
    key_a = api.key("system-a", ["intake"], [AGENCY_A])
    assert api.client.get(f"/jobs/{job_id}", headers=key_b).status_code == 404
    assert api.client.get(f"/jobs/{job_id}", headers=key_a).status_code == 200
    # A new dossier's job: its agency is the one named at upload.
    new_id = new_job_id()
    create_job(
        api.ctx, new_id, actor="staff:clerk-ab", agencies=[AGENCY_A, AGENCY_B], files=[],
        dossier_code=None, procedure_code=None, agency_code=AGENCY_B,
    )
    assert api.client.get(f"/jobs/{new_id}", headers=key_a).status_code == 404
    assert api.client.get(f"/jobs/{new_id}", headers=key_b).status_code == 200

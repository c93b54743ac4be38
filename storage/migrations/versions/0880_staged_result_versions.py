"""staged result versions

Revision ID: 0880
Revises: 0870
Create Date: 2026-12-02 17:00:00

A result signed by the competent official and waiting for the seal is recorded as a ``staged``
version of its document, not as a ``signed`` one: it is not served, published or announced
until the seal files it. The kind's check constraint gains the value.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0880"
down_revision: str | None = "0870"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ck_document_versions_kind"
OLD = "kind IN ('original', 'searchable', 'signed')"
NEW = "kind IN ('original', 'searchable', 'signed', 'staged')"


def _replace(condition: str) -> None:
    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
        batch_op.create_check_constraint(op.f(NAME), condition)


def upgrade() -> None:
    _replace(NEW)


def downgrade() -> None:
    # Staged versions belong to results still waiting for their seal: they go with the downgrade.
    op.execute(
        "UPDATE signing_queue SET signed_version_id = NULL WHERE signed_version_id IN "
        "(SELECT id FROM document_versions WHERE kind = 'staged')"
    )
    op.execute("DELETE FROM document_versions WHERE kind = 'staged'")
    _replace(OLD)

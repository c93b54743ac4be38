"""access record: the page shown and the legal reference

Revision ID: 0860
Revises: 0850
Create Date: 2026-12-02 06:40:00

``page``: which page of a document a page image showed (page images are recorded like the
document reads). ``legal_reference``: the specific law and article a read cites beside its
legal-basis code (free text, checked by ``pipeline.legal_bases``). Plain ADD COLUMN on both
databases (no batch copy on SQLite, which would drop the append-only triggers).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0860'
down_revision: str | None = '0850'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('personal_data_access', sa.Column('legal_reference', sa.String(length=255), nullable=True))
    op.add_column('personal_data_access', sa.Column('page', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('personal_data_access', 'page')
    op.drop_column('personal_data_access', 'legal_reference')

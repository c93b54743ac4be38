"""pending object leases

Revision ID: 0840
Revises: 0830
Create Date: 2026-12-02 03:35:00

An intent row is vouched for by a lease its intake renews while it stores objects; recovery
takes rows whose lease ran out (no host or pid liveness). Rows written before this revision get
their creation time plus one hour, the staleness rule they were written under.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = '0840'
down_revision: str | None = '0830'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('pending_objects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
    pending = sa.table(
        'pending_objects',
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('lease_until', sa.DateTime(timezone=True)),
    )
    rows = op.get_bind().execute(sa.select(pending.c.created_at).distinct()).scalars().all()
    for created in rows:  # portable (no interval arithmetic in SQL): few rows, if any
        op.execute(
            pending.update()
            .where(pending.c.created_at == created)
            .values(lease_until=created + timedelta(hours=1))
        )


def downgrade() -> None:
    with op.batch_alter_table('pending_objects', schema=None) as batch_op:
        batch_op.drop_column('lease_until')

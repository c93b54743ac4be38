"""personal-data access log and login throttle

Revision ID: 0400
Revises: 0101
Reviewed by hand: append-only triggers on personal_data_access.
Create Date: 2026-12-01 23:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.db import append_only

revision: str = '0400'
down_revision: str | None = '0101'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('personal_data_access',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=16), nullable=False),
    sa.Column('dossier_code', sa.String(length=64), nullable=True),
    sa.Column('legal_basis', sa.String(length=255), nullable=True),
    sa.Column('document_id', sa.BigInteger(), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_access'))
    )
    with op.batch_alter_table('personal_data_access', schema=None) as batch_op:
        batch_op.create_index('ix_personal_data_access_owner_at', ['owner_id', 'at'], unique=False)
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )
    for statement in append_only.create_statements(op.get_bind().dialect.name, table="personal_data_access"):
        op.execute(statement)


def downgrade() -> None:
    for statement in append_only.drop_statements(op.get_bind().dialect.name, table="personal_data_access"):
        op.execute(statement)
    op.drop_table('login_throttle')
    with op.batch_alter_table('personal_data_access', schema=None) as batch_op:
        batch_op.drop_index('ix_personal_data_access_owner_at')
    op.drop_table('personal_data_access')

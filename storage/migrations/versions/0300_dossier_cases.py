"""dossier cases, procedure terms, paper certifications

Revision ID: 0300
Revises: 0550
Written by hand: procedure terms (level, working days, fee, result type), component labels and
"original must be seen", the dossier_cases table (applicant, lifecycle state, clock, token,
result) and the medium of a certification act (electronic or paper).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.db import append_only

revision: str = '0300'
down_revision: str | None = '0550'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('processing_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('fee_vnd', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('result_doc_type', sa.String(length=64), nullable=True))
    with op.batch_alter_table('procedure_requirements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column('original_required', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('certification_acts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('medium', sa.String(length=16), nullable=False, server_default='electronic')
        )
    op.create_table('dossier_cases',
    sa.Column('dossier_id', BigId, nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('applicant_id', sa.String(length=16), nullable=False),
    sa.Column('applicant_name', sa.String(length=255), nullable=True),
    sa.Column('applicant_phone', sa.String(length=20), nullable=True),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('received_by', sa.String(length=128), nullable=False),
    sa.Column('clock_start', sa.Date(), nullable=False),
    sa.Column('supplement_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supplement_reason', sa.String(length=1000), nullable=True),
    sa.Column('result_document_id', BigId, nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_cases_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['result_document_id'], ['documents.id'], name=op.f('fk_dossier_cases_result_document_id_documents')),
    sa.PrimaryKeyConstraint('dossier_id', name=op.f('pk_dossier_cases')),
    sa.UniqueConstraint('token', name=op.f('uq_dossier_cases_token'))
    )
    with op.batch_alter_table('dossier_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_cases_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_cases_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dossier_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_cases_state'))
        batch_op.drop_index(batch_op.f('ix_dossier_cases_applicant_id'))
    op.drop_table('dossier_cases')
    # SQLite recreates the table to drop a column, and its append-only triggers with it.
    dialect = op.get_bind().dialect.name
    for statement in append_only.drop_statements(dialect, table="certification_acts"):
        op.execute(statement)
    with op.batch_alter_table('certification_acts', schema=None) as batch_op:
        batch_op.drop_column('medium')
    for statement in append_only.create_statements(dialect, table="certification_acts"):
        op.execute(statement)
    with op.batch_alter_table('procedure_requirements', schema=None) as batch_op:
        batch_op.drop_column('original_required')
        batch_op.drop_column('label')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('result_doc_type')
        batch_op.drop_column('fee_vnd')
        batch_op.drop_column('processing_days')
        batch_op.drop_column('level')

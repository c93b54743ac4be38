"""dossier results through the signing queue

Revision ID: 0850
Revises: 0840
Create Date: 2026-12-02 06:45:00

A result attached on the server goes to the competent official's queue, then to the seal
holder's: ``dossier_results`` follows it until it is filed as the dossier's e-result, and
``signing_queue.stamp`` tells the official's client which signature an item takes (a result's
certification signature, the seal; none: by the title, as before).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0850'
down_revision: str | None = '0840'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('signing_queue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamp', sa.String(length=16), nullable=True))
    op.create_table('dossier_results',
    sa.Column('id', BigId, nullable=False),
    sa.Column('dossier_id', BigId, nullable=False),
    sa.Column('document_id', BigId, nullable=False),
    sa.Column('stage', sa.String(length=24), nullable=False),
    sa.Column('official_id', BigId, nullable=False),
    sa.Column('seal_id', BigId, nullable=False),
    sa.Column('official_item_id', BigId, nullable=True),
    sa.Column('seal_item_id', BigId, nullable=True),
    sa.Column('generated', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(
        "stage IN ('awaiting_official', 'awaiting_seal', 'issued', 'cancelled')",
        name=op.f('ck_dossier_results_stage'),
    ),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_results_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_dossier_results_document_id_documents')),
    sa.ForeignKeyConstraint(['official_id'], ['staff_users.id'], name=op.f('fk_dossier_results_official_id_staff_users')),
    sa.ForeignKeyConstraint(['seal_id'], ['staff_users.id'], name=op.f('fk_dossier_results_seal_id_staff_users')),
    sa.ForeignKeyConstraint(['official_item_id'], ['signing_queue.id'], name=op.f('fk_dossier_results_official_item_id_signing_queue')),
    sa.ForeignKeyConstraint(['seal_item_id'], ['signing_queue.id'], name=op.f('fk_dossier_results_seal_item_id_signing_queue')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_results')),
    sa.UniqueConstraint('document_id', name=op.f('uq_dossier_results_document_id'))
    )
    with op.batch_alter_table('dossier_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_results_dossier_id'), ['dossier_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dossier_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_results_dossier_id'))
    op.drop_table('dossier_results')
    with op.batch_alter_table('signing_queue', schema=None) as batch_op:
        batch_op.drop_column('stamp')

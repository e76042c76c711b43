"""a trouble keeps its escalation reason beside its issue type, and the fingerprint of the model that classified it

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("troubles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_reason", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("model_fingerprint", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_troubles_model_fingerprint"), ["model_fingerprint"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("troubles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_troubles_model_fingerprint"))
        batch_op.drop_column("model_fingerprint")
        batch_op.drop_column("escalation_reason")

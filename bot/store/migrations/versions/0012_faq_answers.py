"""the FAQ's answers: which entry each question got (or that it got none), and 解決した / 解決しない

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("faq_id", sa.String(length=50), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("solved", sa.Boolean(), nullable=True),
        sa.Column("rated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("faq_answers", schema=None) as batch_op:
        batch_op.create_index("ix_faq_answers_conversation", ["conversation_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_faq_answers_faq_id"), ["faq_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_faq_answers_asked_at"), ["asked_at"], unique=False)


def downgrade() -> None:
    op.drop_table("faq_answers")

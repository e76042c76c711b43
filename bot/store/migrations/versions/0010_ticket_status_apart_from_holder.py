"""a ticket's status is its life (open, handed_back, closed); who holds it is claimed_by alone

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""
from alembic import op


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE tickets SET status = 'open' WHERE status = 'claimed'")


def downgrade() -> None:
    op.execute("UPDATE tickets SET status = 'claimed' WHERE status = 'open' AND claimed_by IS NOT NULL")

"""one open ticket per conversation, enforced by the database (several replicas open tickets at once)

Two replicas (or two action servers) escalating the same conversation at the
same moment both found no open ticket and each opened one; the agents saw the
case twice and the customer got two hand-over messages. A partial unique
index makes the second insert fail, and ``bot.handoff.open_ticket`` then joins
the first ticket. Older duplicates are closed as ``duplicate`` first.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

OPEN_ONLY = "status = 'open'"


def upgrade() -> None:
    op.execute(
        "UPDATE tickets SET status = 'closed', outcome = 'duplicate' WHERE status = 'open' AND id NOT IN "
        "(SELECT MIN(id) FROM tickets WHERE status = 'open' GROUP BY conversation_id)"
    )
    op.create_index("uq_tickets_one_open_per_conversation", "tickets", ["conversation_id"], unique=True,
                    postgresql_where=sa.text(OPEN_ONLY), sqlite_where=sa.text(OPEN_ONLY))


def downgrade() -> None:
    op.drop_index("uq_tickets_one_open_per_conversation", table_name="tickets")

"""tickets remember which customer and order the conversation had proven when it was handed over

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handed_over_customer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("handed_over_order_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("handed_over_level", sa.String(length=10), nullable=True))
        batch_op.create_foreign_key("fk_tickets_handed_over_customer", "customers",
                                    ["handed_over_customer_id"], ["id"])
        batch_op.create_foreign_key("fk_tickets_handed_over_order", "orders", ["handed_over_order_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint("fk_tickets_handed_over_order", type_="foreignkey")
        batch_op.drop_constraint("fk_tickets_handed_over_customer", type_="foreignkey")
        batch_op.drop_column("handed_over_level")
        batch_op.drop_column("handed_over_order_id")
        batch_op.drop_column("handed_over_customer_id")

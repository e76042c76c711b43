"""one customer-turn pipeline: guarded replies, widget sessions, ticket client keys, delivery retries

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('guarded_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('original_key', sa.String(length=64), nullable=False),
    sa.Column('delivered_text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('guarded_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guarded_replies_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('web_sessions',
    sa.Column('session_key', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('session_key')
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_client_key'), ['client_key'], unique=False)
    with op.batch_alter_table('ticket_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('retry_key', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket_messages', schema=None) as batch_op:
        batch_op.drop_column('retry_key')
        batch_op.drop_column('next_attempt_at')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_client_key'))
        batch_op.drop_column('client_key')
    op.drop_table('web_sessions')
    with op.batch_alter_table('guarded_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guarded_replies_conversation_id'))
    op.drop_table('guarded_replies')

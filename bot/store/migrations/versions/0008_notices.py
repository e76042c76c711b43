"""product-safety notices and data-leak incidents to many customers: notices, recipients, checklist

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=30), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('what_to_do', sa.Text(), nullable=False),
    sa.Column('contact_deadline', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('discovered_at', sa.DateTime(), nullable=True),
    sa.Column('data_kinds', sa.Text(), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('wrongful_intent', sa.Boolean(), nullable=False),
    sa.Column('affected', sa.Text(), nullable=False),
    sa.Column('qa_watch_for', sa.Text(), nullable=False),
    sa.Column('qa_contact', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_status'), ['status'], unique=False)

    op.create_table('notice_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('conversation_id', sa.String(length=200), nullable=True),
    sa.Column('delivery', sa.String(length=10), nullable=False),
    sa.Column('delivery_attempts', sa.Integer(), nullable=False),
    sa.Column('sending_since', sa.DateTime(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('delivery_error', sa.String(length=200), nullable=True),
    sa.Column('retry_key', sa.String(length=36), nullable=False),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('ticket_reference', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('notice_id', 'customer_id', name='uq_notice_recipients_customer')
    )
    with op.batch_alter_table('notice_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_notice_recipients_delivery', ['channel', 'delivery'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_recipients_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_recipients_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_recipients_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('notice_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('checked_by', sa.String(length=100), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('notice_id', 'item', name='uq_notice_checks_item')
    )
    with op.batch_alter_table('notice_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_checks_notice_id'), ['notice_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notice_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_checks_notice_id'))
    op.drop_table('notice_checks')
    with op.batch_alter_table('notice_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_recipients_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_notice_recipients_customer_id'))
        batch_op.drop_index(batch_op.f('ix_notice_recipients_notice_id'))
        batch_op.drop_index('ix_notice_recipients_delivery')
    op.drop_table('notice_recipients')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_status'))
        batch_op.drop_index(batch_op.f('ix_notices_kind'))
    op.drop_table('notices')

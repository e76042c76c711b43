"""canned replies (定型文) and satisfaction surveys after resolved tickets

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('canned_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_type', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['agents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('canned_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_canned_replies_issue_type'), ['issue_type'], unique=False)

    op.create_table('satisfaction_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=200), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['question_id'], ['ticket_messages.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id')
    )
    with op.batch_alter_table('satisfaction_surveys', schema=None) as batch_op:
        batch_op.create_index('ix_satisfaction_surveys_pending', ['conversation_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_surveys_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_surveys_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_surveys_asked_at'), ['asked_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('satisfaction_surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_surveys_asked_at'))
        batch_op.drop_index(batch_op.f('ix_satisfaction_surveys_agent_id'))
        batch_op.drop_index(batch_op.f('ix_satisfaction_surveys_customer_id'))
        batch_op.drop_index('ix_satisfaction_surveys_pending')

    op.drop_table('satisfaction_surveys')
    with op.batch_alter_table('canned_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_canned_replies_issue_type'))

    op.drop_table('canned_replies')

"""The outbound guard on a real database: leaks are replaced and recorded as incidents."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot import identity, templates
from bot.outbound import OutboundGuard
from bot.store.db import engine_for, session_scope
from bot.store.models import AuditEntry, Trouble
from tests.demo_shop import same_address_households


@pytest.fixture
def engine(demo_shop_database):
    return engine_for(demo_shop_database)


def test_neighbours_name_in_a_reply_is_replaced_and_recorded(engine):
    me, neighbour = same_address_households()
    with session_scope(engine) as session:
        result = identity.verify_order_owner(session, conversation_id="c-me", sender_id="c-me",
                                             order_number=me.order_numbers[-1], phone_last4=me.phone_last4,
                                             now=datetime.now(timezone.utc))
    assert result.verified
    guard = OutboundGuard(engine)
    leaked = f"同じご住所の{neighbour.name}様のご注文も確認できました"
    assert guard.screen("c-me", leaked, "rest") == templates.REPLY_BLOCKED_BY_PRIVACY_GUARD
    with session_scope(engine) as session:
        incident = session.execute(select(AuditEntry).where(AuditEntry.action == "privacy_incident")).scalar_one()
        trouble = session.execute(select(Trouble).where(Trouble.status == "privacy_incident")).scalar_one()
    assert neighbour.name not in incident.detail and neighbour.family_name not in incident.detail
    assert trouble.urgent and trouble.issue_type == "privacy_concern"


def test_the_verified_customers_shared_address_is_not_a_leak(engine):
    """Not an incident; but the order's four digits alone do not let even one's own address through."""
    me, _ = same_address_households()
    with session_scope(engine) as session:
        identity.verify_order_owner(session, conversation_id="c-me", sender_id="c-me",
                                    order_number=me.order_numbers[-1], phone_last4=me.phone_last4,
                                    now=datetime.now(timezone.utc))
    reply = f"お届け先は{me.address}で登録されています"
    assert OutboundGuard(engine).screen("c-me", reply) == templates.REPLY_NEEDS_STEP_UP
    with session_scope(engine) as session:
        assert session.execute(select(AuditEntry).where(AuditEntry.action == "privacy_incident")).first() is None


def test_without_verification_any_customers_data_is_blocked(engine):
    me, _ = same_address_households()
    assert OutboundGuard(engine).screen("c-nobody", f"{me.order_numbers[0]}の件") == \
        templates.REPLY_BLOCKED_BY_PRIVACY_GUARD


def test_ordinary_replies_pass_unchanged(engine):
    reply = "受付番号 T20261124-00001 で承りました。11月25日(水) 18:00までにご連絡します。"
    assert OutboundGuard(engine).screen("c-any", reply) == reply

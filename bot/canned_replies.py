"""Canned replies (定型文): the supervisors' words for common answers, filled from the ticket.

A canned reply belongs to an issue type (or to every type) and may hold
variables in braces: ``{reference}``, ``{reply_due}``, ``{order_status}``….
They are filled only with what the conversation's verification allows: the
ticket's own facts always; the order's status and dates once the customer
proved the order (phone digits); the item names after the e-mailed code.
A customer's name, address, phone or e-mail is never a variable. A value the
ticket cannot give becomes 【要記入：…】, and a reply that still contains it
is refused, so the agent writes it or removes it before sending. The outbound
guard screens the sent text as it screens every agent reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot import handoff, identity, orders
from bot.store.models import Agent, CannedReply, Order, Ticket, Trouble
from bot.support import ISSUE_TYPE_LABELS, ISSUE_TYPES, format_deadline

ANY_TYPE = "any"
MAX_TITLE = 100
MAX_BODY = 2000
UNFILLED = "【要記入"
_VARIABLE = re.compile(r"\{([a-z_]+)\}")

# name -> (what staff read, the verification level it needs: None = always, "order", "step_up")
VARIABLES = {
    "reference": ("受付番号", None),
    "trouble_reference": ("トラブル受付番号", None),
    "reply_due": ("初回返信の期限", None),
    "agent_name": ("担当者名", None),
    "order_status": ("注文の状況", identity.LEVEL_ORDER),
    "carrier": ("配送業者", identity.LEVEL_ORDER),
    "expected_delivery": ("お届け予定日", identity.LEVEL_ORDER),
    "delivered_on": ("配達日", identity.LEVEL_ORDER),
    "order_items": ("ご注文の商品", identity.LEVEL_STEP_UP),
}
ORDER_STATUS_WORDS = {  # as the customer reads it
    "received": "ご注文を受け付けております",
    "preparing": "発送の準備中です",
    "in_transit": "配送中です",
    "in_transit_no_date": "配送中です（お届け予定日は配送業者で確認中です）",
    "delayed": "お届け予定日から48時間以上遅れています",
    "delivered": "配達が完了しております",
    "returned_to_sender": "当店へ返送されております",
    "cancelled": "キャンセル済みです",
    "returning": "返品のお手続き中です",
    "refunded": "返金済みです",
}


class CannedReplyError(ValueError):
    """A canned reply that cannot be saved; the message is Japanese for the console."""


def issue_type_labels() -> dict[str, str]:
    return {ANY_TYPE: "すべての種類", **ISSUE_TYPE_LABELS}


def validate(issue_type: str, title: str, body: str) -> tuple[str, str, str]:
    """The cleaned fields, or CannedReplyError saying what to fix."""
    title, body = title.strip(), body.strip()
    if issue_type not in (ANY_TYPE, *ISSUE_TYPES):
        raise CannedReplyError("種類を選んでください。")
    if not title or len(title) > MAX_TITLE:
        raise CannedReplyError(f"題名は1〜{MAX_TITLE}文字で入力してください。")
    if not body or len(body) > MAX_BODY:
        raise CannedReplyError(f"本文は1〜{MAX_BODY}文字で入力してください。")
    unknown = sorted({name for name in _VARIABLE.findall(body) if name not in VARIABLES})
    if unknown:
        raise CannedReplyError("使えない変数があります：" + "、".join("{" + n + "}" for n in unknown))
    return issue_type, title, body


def save(session: Session, agent: Agent, now: datetime, *, issue_type: str, title: str, body: str,
         active: bool = True, reply_id: int | None = None) -> CannedReply:
    issue_type, title, body = validate(issue_type, title, body)
    reply = session.get(CannedReply, reply_id) if reply_id is not None else CannedReply()
    if reply is None:
        raise CannedReplyError("この定型文は見つかりません。")
    reply.issue_type, reply.title, reply.body, reply.active = issue_type, title, body, active
    reply.updated_by, reply.updated_at = agent.id, now
    session.add(reply)
    session.flush()
    return reply


def ticket_issue_type(session: Session, ticket: Ticket) -> str | None:
    if not ticket.trouble_reference:
        return None
    return session.execute(select(Trouble.issue_type).where(
        Trouble.reference == ticket.trouble_reference)).scalar_one_or_none()


def ticket_values(session: Session, ticket: Ticket, agent_name: str, now: datetime) -> dict[str, str]:
    """The variables this ticket can fill, limited by what the conversation proved (now or at the hand-off)."""
    values = {"reference": ticket.reference or "", "reply_due": format_deadline(ticket.first_reply_due),
              "agent_name": agent_name}
    if ticket.trouble_reference:
        values["trouble_reference"] = ticket.trouble_reference
    verified = handoff.case_proof(session, ticket, now)
    if verified is None:
        return values
    status = orders.status_of_verified_order(session, verified.order_id, now)
    values["order_status"] = ORDER_STATUS_WORDS.get(status.key, status.key)
    for name in ("carrier", "expected_delivery", "delivered_on"):
        if getattr(status, name):
            values[name] = getattr(status, name)
    if verified.level == identity.LEVEL_STEP_UP:
        order = session.get(Order, verified.order_id)
        values["order_items"] = "、".join(f"{i.name}×{i.quantity}" for i in order.items)
    return values


def fill(body: str, values: dict[str, str]) -> str:
    """Variables replaced by the ticket's values; what the ticket cannot give becomes 【要記入：…】."""
    def one(match: re.Match) -> str:
        name = match.group(1)
        if name not in VARIABLES:
            return match.group(0)
        return values.get(name) or f"{UNFILLED}：{VARIABLES[name][0]}】"
    return _VARIABLE.sub(one, body)


@dataclass(frozen=True)
class CannedOption:
    id: int
    title: str
    type_label: str
    text: str  # filled
    unfilled: bool


def options_for(session: Session, ticket: Ticket, agent_name: str, now: datetime) -> list[CannedOption]:
    """The active canned replies for this ticket's issue type and for every type, filled from the ticket."""
    issue_type = ticket_issue_type(session, ticket)
    query = select(CannedReply).where(CannedReply.active.is_(True))
    types = [ANY_TYPE] + ([issue_type] if issue_type else [])
    query = query.where(or_(*(CannedReply.issue_type == t for t in types)))
    replies = session.execute(query.order_by(CannedReply.issue_type == ANY_TYPE, CannedReply.title)).scalars().all()
    values = ticket_values(session, ticket, agent_name, now)
    labels = issue_type_labels()
    options = []
    for reply in replies:
        text = fill(reply.body, values)
        options.append(CannedOption(reply.id, reply.title, labels.get(reply.issue_type, reply.issue_type), text,
                                    UNFILLED in text))
    return options

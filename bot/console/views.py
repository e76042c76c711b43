"""What the console's pages show: Japanese labels, the SLA clock, highlighted evidence.

Everything here turns database rows into plain values while the session is
open (``queue_item``, ``ticket_view``, …), so templates never load lazily and
the JSON transcript shows exactly what the page shows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy.orm import Session

from bot import handoff, identity, orders
from bot.console.accounts import ConsoleUser
from bot.kana import fold_kana
from bot.store.models import Order, Ticket, TicketMessage
from bot.support import ISSUE_TYPE_LABELS, JST, format_deadline
from bot.triage.escalation import EVIDENCE_OF_MODEL, REASON_OF_INTENT

SEVERITY_LABELS = {"urgent": "緊急", "high": "高", "normal": "通常"}
CHANNEL_LABELS = {"line": "LINE", "telegram": "Telegram", "web": "Web", "socketio": "Web", "rest": "REST"}
STATUS_LABELS = {handoff.OPEN: "未担当", handoff.HANDED_BACK: "ボットに戻した", handoff.CLOSED: "終了"}
HELD_LABEL = "対応中"  # an open ticket an agent has claimed
AUTHOR_LABELS = {"customer": "お客様", "bot": "ボット", "agent": "担当者", "system": "システム"}
DELIVERY_LABELS = {"pending": "送信待ち", "sending": "送信待ち", "delivered": "送信済み", "failed": "送信失敗"}
RETRY_LABEL = "再送待ち（お客様のチャネルに届かなかったため、自動で再送します）"
ORDER_STATUS_LABELS = {
    "received": "受付済み",
    "preparing": "発送準備中",
    "in_transit": "配送中",
    "in_transit_no_date": "配送中（お届け予定日未定）",
    "delayed": "配送遅延（予定日から48時間超）",
    "delivered": "配達完了",
    "returned_to_sender": "当店へ返送",
    "cancelled": "キャンセル済み",
    "returning": "返品手続き中",
    "refunded": "返金済み",
}
# The conversation's current verification level (bot.identity), as the ticket page shows it.
VERIFICATION_LABELS = {
    None: "未確認",
    identity.LEVEL_ORDER: "注文確認済み",
    identity.LEVEL_STEP_UP: "本人確認済み",
}
VERIFICATION_NOTES = {
    None: "注文内容や個人情報はお伝えしないでください（担当者への引き継ぎ時に本人確認は解除されます）。",
    identity.LEVEL_ORDER: "注文番号と電話番号下4桁で確認済み。お伝えできるのはこの注文の状況と日付だけです"
                          "（お名前・ご住所・電話番号・メールアドレスは不可）。",
    identity.LEVEL_STEP_UP: "メールの確認コードで確認済み。ご本人の登録内容をお伝えできます。",
}
SLA_WARNING = timedelta(minutes=15)  # the clock turns amber this long before the target
EVIDENCE_SHORT = 40  # characters of evidence in a queue row


def jst_label(moment: datetime) -> str:
    local = moment.astimezone(JST)
    return f"{local.month}/{local.day} {local:%H:%M}"


def span_label(delta: timedelta) -> str:
    """3分, 2時間5分, 1日4時間: how long, to the minute."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "1分未満"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}日{hours}時間"
    if hours:
        return f"{hours}時間{minutes}分"
    return f"{minutes}分"


@dataclass(frozen=True)
class SlaClock:
    """The first-reply target: ``state`` is replied | overdue | due-soon | ok (the CSS class)."""

    label: str
    state: str
    due: str


def sla_clock(ticket: Ticket, now: datetime) -> SlaClock:
    due = format_deadline(ticket.first_reply_due)
    if ticket.first_human_reply_at is not None:
        return SlaClock("返信済み", "replied", due)
    left = ticket.first_reply_due - now
    if left < timedelta(0):
        return SlaClock(f"{span_label(-left)}超過", "overdue", due)
    return SlaClock(f"残り{span_label(left)}", "due-soon" if left <= SLA_WARNING else "ok", due)


def evidence_lines(ticket: Ticket) -> list[str]:
    return [line for line in ticket.evidence.splitlines() if line.strip()]


def _evidence_label(line: str) -> str:
    """Triage's words as they are; the language model's judgement as a note naming what it judged.

    ``intent:fraud_scheme 0.91`` reads 「（NLUが「SNS宣伝・副業詐欺の疑い」と判定、確信度0.91）」:
    the note names the model's own reason, so it always agrees with the ticket's reason it backs.
    """
    if not line.startswith(EVIDENCE_OF_MODEL):
        return line
    intent, _, confidence = line[len(EVIDENCE_OF_MODEL):].partition(" ")
    reason = REASON_OF_INTENT.get(intent, intent)
    label = handoff.REASON_LABELS.get(reason, reason)
    return f"（NLUが「{label}」と判定、確信度{confidence}）" if confidence else f"（NLUが「{label}」と判定）"


def _folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC, lower case and hiragana, as triage reads text, with each character's index in ``text``."""
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        for folded in fold_kana(unicodedata.normalize("NFKC", char).lower()):
            chars.append(folded)
            origins.append(index)
    return "".join(chars), origins


def highlight(text: str, words: Iterable[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (part, is_evidence); evidence is found in any width, case or kana."""
    folded, origins = _folded_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for word in sorted({w for w in words if w and not w.startswith(EVIDENCE_OF_MODEL)}, key=lambda w: (-len(w), w)):
        needle, _ = _folded_with_offsets(word.strip())
        if not needle:
            continue
        at = folded.find(needle)
        while at >= 0:
            start, end = origins[at], origins[at + len(needle) - 1] + 1
            if not any(start < e and s < end for s, e in spans):
                spans.append((start, end))
            at = folded.find(needle, at + len(needle))
    parts: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted(spans):
        if start > position:
            parts.append((text[position:start], False))
        parts.append((text[start:end], True))
        position = end
    if position < len(text):
        parts.append((text[position:], False))
    return parts


@dataclass(frozen=True)
class QueueItem:
    id: int
    reference: str
    severity: str
    severity_label: str
    reason_label: str
    issue_label: str
    channel_label: str
    evidence_short: str
    evidence_full: str
    waiting: str
    sla: SlaClock
    claimed_by: str


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def queue_item(row: handoff.QueueRow, now: datetime) -> QueueItem:
    ticket = row.ticket
    evidence = "／".join(_evidence_label(line) for line in evidence_lines(ticket))
    return QueueItem(
        id=ticket.id, reference=ticket.reference, severity=ticket.severity,
        severity_label=SEVERITY_LABELS.get(ticket.severity, ticket.severity),
        reason_label=handoff.REASON_LABELS.get(ticket.reason, ticket.reason),
        issue_label=ISSUE_TYPE_LABELS.get(row.issue_type, row.issue_type),
        channel_label=CHANNEL_LABELS.get(ticket.channel, ticket.channel),
        evidence_short=_short(evidence, EVIDENCE_SHORT), evidence_full=evidence, waiting=span_label(row.waiting),
        sla=sla_clock(ticket, now),
        claimed_by=ticket.agent.display_name if ticket.agent is not None else "",
    )


@dataclass(frozen=True)
class EndedItem:
    id: int
    reference: str
    reason_label: str
    result_label: str
    agent: str
    ended_at: str


def ended_item(ticket: Ticket) -> EndedItem:
    if ticket.status == handoff.CLOSED:
        result = handoff.OUTCOMES.get(ticket.outcome or "", ticket.outcome or "")
    else:
        result = STATUS_LABELS[handoff.HANDED_BACK]
    return EndedItem(ticket.id, ticket.reference, handoff.REASON_LABELS.get(ticket.reason, ticket.reason), result,
                     ticket.agent.display_name if ticket.agent is not None else "",
                     jst_label(ticket.ended_at) if ticket.ended_at else "")


@dataclass(frozen=True)
class MessageView:
    id: int
    author: str
    author_label: str
    at: str
    parts: list[tuple[str, bool]]
    delivery: str
    delivery_label: str
    delivery_error: str

    def as_json(self) -> dict:
        return {"id": self.id, "author": self.author, "author_label": self.author_label, "at": self.at,
                "parts": self.parts, "delivery": self.delivery, "delivery_label": self.delivery_label,
                "delivery_error": self.delivery_error}


def message_view(message: TicketMessage, evidence: list[str]) -> MessageView:
    label = AUTHOR_LABELS.get(message.author, message.author)
    if message.author == "agent" and message.agent is not None:
        label = f"{label}（{message.agent.display_name}）"
    parts = highlight(message.text, evidence) if message.author == "customer" else [(message.text, False)]
    delivery = message.delivery or ""
    delivery_label = DELIVERY_LABELS.get(delivery, delivery)
    if delivery == "pending" and message.delivery_error:  # the channel failed; bot.handoff retries it
        delivery_label = RETRY_LABEL
    return MessageView(message.id, message.author, label, jst_label(message.at), parts, delivery,
                       delivery_label,
                       (message.delivery_error or "") if delivery == "failed" else "")


def _yen(amount: int) -> str:
    return f"{amount:,}円"


@dataclass(frozen=True)
class OrderView:
    """The verified order, for the agent: no name, address, phone or e-mail."""

    order_number: str
    ordered_on: str
    status_label: str
    status_detail: str
    items: list[tuple[str, int, str]]  # name, quantity, line total ("1,980円")
    shipping_fee: str  # "" when free
    total: str


def verified_order(session: Session, ticket: Ticket, now: datetime) -> OrderView | None:
    """The order the case is about: proven now, or before the hand-off ended the verification."""
    verified = handoff.case_proof(session, ticket, now)
    if verified is None:
        return None
    order = session.get(Order, verified.order_id)
    status = orders.status_of_verified_order(session, order.id, now)
    detail = "、".join(part for part in (
        status.carrier,
        f"お届け予定 {status.expected_delivery}" if status.expected_delivery else "",
        f"配達 {status.delivered_on}" if status.delivered_on else "",
    ) if part)
    return OrderView(
        order_number=order.order_number, ordered_on=orders.format_day(order.ordered_at.astimezone(JST).date()),
        status_label=ORDER_STATUS_LABELS.get(status.key, status.key), status_detail=detail,
        items=[(i.name, i.quantity, _yen(i.quantity * i.unit_price)) for i in order.items],
        shipping_fee=_yen(order.shipping_fee) if order.shipping_fee else "", total=_yen(order.total),
    )


@dataclass(frozen=True)
class VerificationView:
    """What the conversation has proven right now, and until when."""

    level: str  # none | order | step_up (the CSS class)
    label: str
    until: str  # "11/30 14:05", "" when not verified
    note: str


def verification_view(session: Session, conversation_id: str, now: datetime) -> VerificationView:
    current = identity.verified_customer(session, conversation_id, now)
    level = current.level if current is not None else None
    return VerificationView(level or "none", VERIFICATION_LABELS.get(level, level),
                            jst_label(identity.verified_until(current)) if current is not None else "",
                            VERIFICATION_NOTES.get(level, ""))


@dataclass(frozen=True)
class TicketView:
    id: int
    reference: str
    status: str
    status_label: str
    state: str  # changes when the ticket's status or holder changes; the page polls it
    severity: str
    severity_label: str
    reason_label: str
    issue_label: str
    channel_label: str
    created_at: str
    evidence: list[str]
    trouble_reference: str
    sla: SlaClock | None
    claimed_by: str
    can_claim: bool
    can_act: bool
    acting_as_supervisor: bool
    outcome_label: str
    outcome_note: str
    ended_at: str
    messages: list[MessageView]
    order: OrderView | None
    verification: VerificationView


def ticket_state(ticket: Ticket) -> str:
    return f"{ticket.status}:{ticket.claimed_by or ''}"


def ticket_view(session: Session, ticket: Ticket, user: ConsoleUser, now: datetime) -> TicketView:
    evidence = evidence_lines(ticket)
    issue_type = handoff.issue_types_of(session, [ticket]).get(ticket.trouble_reference or "", "")
    claimed = ticket.status == handoff.OPEN and ticket.claimed_by is not None
    mine = claimed and ticket.claimed_by == user.agent_id
    return TicketView(
        id=ticket.id, reference=ticket.reference, status=ticket.status,
        status_label=HELD_LABEL if claimed else STATUS_LABELS.get(ticket.status, ticket.status),
        state=ticket_state(ticket),
        severity=ticket.severity, severity_label=SEVERITY_LABELS.get(ticket.severity, ticket.severity),
        reason_label=handoff.REASON_LABELS.get(ticket.reason, ticket.reason),
        issue_label=ISSUE_TYPE_LABELS.get(issue_type, issue_type),
        channel_label=CHANNEL_LABELS.get(ticket.channel, ticket.channel), created_at=jst_label(ticket.created_at),
        evidence=[_evidence_label(line) for line in evidence], trouble_reference=ticket.trouble_reference or "",
        sla=sla_clock(ticket, now) if ticket.status in handoff.ACTIVE else None,
        claimed_by=ticket.agent.display_name if claimed and ticket.agent is not None else "",
        can_claim=ticket.status == handoff.OPEN and not claimed,
        can_act=claimed and (mine or user.is_supervisor), acting_as_supervisor=claimed and not mine,
        outcome_label=handoff.OUTCOMES.get(ticket.outcome or "", ""), outcome_note=ticket.outcome_note or "",
        ended_at=jst_label(ticket.ended_at) if ticket.ended_at else "",
        messages=[message_view(m, evidence) for m in ticket.messages],
        order=verified_order(session, ticket, now),
        verification=verification_view(session, ticket.conversation_id, now),
    )


@dataclass(frozen=True)
class AuditRow:
    at: str
    actor: str
    action: str
    conversation_id: str
    detail: str

"""Support practice from the field, as code: who answers by when, and the record.

Every trouble a customer reports is recorded and classified the moment it is
recognised (so nothing is lost if the customer stops answering), and the
customer is told a concrete date and time instead of 「後ほど」.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.business_calendar import DEFAULT_CALENDAR, JST, BusinessCalendar
from bot.config import env
from bot.constants import TroubleStatus
from bot.privacy import mask_personal_data
from bot.store.models import Trouble

WEEKDAYS_JA = "月火水木金土日"


@dataclass(frozen=True)
class TroublePolicy:
    """How the shop handles one issue type."""

    issue_type: str
    reply_within_hours: int
    urgent: bool  # urgent cases are answered around the clock, not in business hours only


POLICIES = {
    p.issue_type: p
    for p in (
        TroublePolicy("delivery_delay", 24, urgent=False),
        TroublePolicy("wrong_delivery", 24, urgent=False),
        TroublePolicy("defective_product", 24, urgent=False),
        TroublePolicy("system_trouble", 4, urgent=False),
        TroublePolicy("refund_return", 24, urgent=False),
        TroublePolicy("billing_contract", 24, urgent=False),
        TroublePolicy("privacy_concern", 24, urgent=True),
        TroublePolicy("product_safety", 24, urgent=True),
        TroublePolicy("other", 48, urgent=False),
    )
}
ISSUE_TYPES = tuple(POLICIES)


@lru_cache(maxsize=8)
def _policies_with(overrides: str) -> dict[str, TroublePolicy]:
    policies = dict(POLICIES)
    for part in (overrides or "").split(","):
        if not part.strip():
            continue
        issue_type, _, hours = part.partition("=")
        issue_type = issue_type.strip()
        if issue_type not in POLICIES or not hours.strip().isdigit() or int(hours) < 1:
            raise ValueError(f"MADOGUCHI_REPLY_HOURS: {part.strip()!r} is not issue_type=hours "
                             f"(issue types: {', '.join(POLICIES)})")
        policies[issue_type] = replace(POLICIES[issue_type], reply_within_hours=int(hours))
    return policies


def policy_for(issue_type: str) -> TroublePolicy:
    """The shop's policy for one issue type: POLICIES, with MADOGUCHI_REPLY_HOURS overriding the hours."""
    return _policies_with(env("MADOGUCHI_REPLY_HOURS") or "")[issue_type]
# What staff read in the console and the monthly report.
ISSUE_TYPE_LABELS = {
    "delivery_delay": "配送遅延",
    "wrong_delivery": "誤配送",
    "defective_product": "不良品・破損",
    "system_trouble": "システム障害",
    "refund_return": "返品・返金",
    "billing_contract": "請求・契約",
    "privacy_concern": "個人情報",
    "product_safety": "製品安全",
    "other": "その他",
}
DELAY_THRESHOLD = timedelta(hours=48)


def reply_due(now: datetime, policy: TroublePolicy, calendar: BusinessCalendar = DEFAULT_CALENDAR) -> datetime:
    """When the customer hears from a person at the latest.

    ``now`` plus the policy's hours, rounded up to the full hour. For cases
    that are not urgent, a deadline that falls outside business hours (a
    night, a weekend, a public holiday, the shop's closure) moves to the
    close of the next business day.
    """
    due = (now + timedelta(hours=policy.reply_within_hours)).astimezone(JST)
    if due.minute or due.second or due.microsecond:
        due = due.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if policy.urgent:
        return due
    if calendar.within_hours_or_at_closing(due):
        return due
    return calendar.close_of_next_business_day(due)


def format_deadline(moment: datetime) -> str:
    """11月24日(火) 21:00 — the form customers read best."""
    local = moment.astimezone(JST)
    return f"{local.month}月{local.day}日({WEEKDAYS_JA[local.weekday()]}) {local:%H:%M}"


def is_delayed(expected: datetime, now: datetime) -> bool:
    """A delivery counts as a delay case once it is more than 48 hours late."""
    return now - expected > DELAY_THRESHOLD


def open_trouble(session: Session, *, conversation_id: str, channel: str, issue_type: str,
                 confidence: float | None, now: datetime,
                 calendar: BusinessCalendar = DEFAULT_CALENDAR, escalation_reason: str | None = None,
                 model_fingerprint: str | None = None) -> Trouble:
    """Record a trouble as soon as it is recognised; returns it with its reference.

    ``escalation_reason`` is set when people take it over (the issue type stays the trouble's own);
    ``model_fingerprint`` names the model that classified it, when a model did.
    """
    policy = policy_for(issue_type if issue_type in POLICIES else "other")
    trouble = Trouble(
        conversation_id=conversation_id, channel=channel or "unknown", issue_type=policy.issue_type,
        confidence=confidence, escalation_reason=escalation_reason, model_fingerprint=model_fingerprint or None,
        urgent=policy.urgent, status=TroubleStatus.COLLECTING,
        created_at=now, updated_at=now, reply_due=reply_due(now, policy, calendar),
    )
    session.add(trouble)
    session.flush()
    trouble.reference = f"T{now.astimezone(JST):%Y%m%d}-{trouble.id:05d}"
    return trouble


def complete_trouble(session: Session, reference: str, *, order_number: str | None, detail: str,
                     now: datetime, status: str = TroubleStatus.QUEUED,
                     escalation_reason: str | None = None, issue_type: str | None = None) -> Trouble | None:
    """Add what the customer told us and queue the trouble for a person (``escalation_reason``: and why).

    The detail is what agents read, so phone numbers, e-mail addresses, postal
    codes, card numbers and My Numbers the customer typed are masked first.
    ``issue_type`` corrects the type when the details showed it (「2個しか入って
    いなかった」 is a short shipment, bot.dialogue.issue_type_for_case).
    """
    trouble = trouble_by_reference(session, reference)
    if trouble is None:
        return None
    if order_number:
        trouble.order_number = order_number
    if detail:
        _append_detail(trouble, detail)
    trouble.status = status
    if escalation_reason:
        trouble.escalation_reason = escalation_reason
    if issue_type in POLICIES and issue_type != trouble.issue_type:
        trouble.issue_type = issue_type
    trouble.updated_at = now
    return trouble


def add_follow_up(session: Session, reference: str, *, detail: str, now: datetime) -> Trouble | None:
    """What the customer adds after the reference number: appended for the agents, the status unchanged."""
    trouble = trouble_by_reference(session, reference)
    if trouble is None:
        return None
    _append_detail(trouble, detail)
    trouble.updated_at = now
    return trouble


def trouble_by_reference(session: Session, reference: str | None) -> Trouble | None:
    if not reference:
        return None
    return session.execute(select(Trouble).where(Trouble.reference == reference)).scalar_one_or_none()


def _append_detail(trouble: Trouble, detail: str) -> None:
    detail = mask_personal_data(detail)
    trouble.detail = f"{trouble.detail}\n{detail}".strip() if trouble.detail else detail

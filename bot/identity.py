"""Who is this customer? The order number identifies, the phone digits prove.

An order number is printed on mails and boxes and can be guessed, so it only
says which order someone means. The last four digits of the phone number
registered on that order prove that they own it. Anything beyond order and
shipment status needs a step-up: a one-time code mailed to the address on file.

Every failure looks the same to the caller (a wrong or unknown order number,
wrong digits, a locked order) and takes the same path through the code: one
order lookup, one constant-time comparison, the same lock queries and writes.
The only thing a caller learns besides "not verified" is ``locked``, and that
depends on the sender's own failures alone, so it cannot be used to probe
whether an order exists or is under attack.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.mail import Mailer
from bot.secrets import server_secret
from bot.store.models import (
    AuditEntry,
    Customer,
    OneTimeCode,
    Order,
    VerificationAttempt,
    VerifiedConversation,
)
from bot.templates import step_up_mail
from bot.text import find_digit_runs, normalise, parse_order_number_reply

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=30)
CODE_LIFETIME = timedelta(minutes=10)
CODE_DIGITS = 6

LEVEL_ORDER = "order"  # order and shipment status
LEVEL_STEP_UP = "step_up"  # everything else about the order and the customer

KIND_ORDER = "order"
KIND_CODE = "code"
AUDIT_ACTOR = "identity"

# Lock decisions need the failures of the last lock period plus the window before it.
_LOCK_HORIZON = LOCK_DURATION + FAILURE_WINDOW
# What the typed value is compared with when there is nothing real to compare with.
# Never equal to anything a customer can type (typed values are digits only).
_DUMMY = "dummy:" + secrets.token_hex(16)
_NOTHING_TYPED = "nothing-typed"


@dataclass(frozen=True)
class Verification:
    """The outcome the caller may act on, and nothing more.

    ``locked`` means this sender has used up its attempts: offer a person.
    ``customer_id``/``order_id`` are set only when ``verified``.
    """

    verified: bool
    locked: bool
    customer_id: int | None = None
    order_id: int | None = None


def _key(secret: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 so stored keys cannot be reversed by trying all order numbers."""
    return hmac.new(secret, f"{purpose}\x00{value}".encode("utf-8"), hashlib.sha256).hexdigest()


def order_key(secret: bytes, order_number: str) -> str:
    return _key(secret, "order", order_number)


def sender_key(secret: bytes, sender_id: str) -> str:
    return _key(secret, "sender", sender_id)


def _code_hash(secret: bytes, conversation_id: str, code: str) -> str:
    """Bound to the conversation, so a code is worthless anywhere else."""
    return _key(secret, "code", f"{conversation_id}\x00{code}")


def read_phone_last4(text: str) -> str | None:
    """The four digits in 「下4桁は５６７８です」, 5678, or a whole phone number.

    Runs of other lengths (the 4 of 下4桁) are ignored; a full number
    (090-1234-5678) gives its last four. Ambiguous answers give None.
    """
    runs = [r.value for r in find_digit_runs(text or "")]
    four = [r for r in runs if len(r) == 4]
    if len(four) == 1:
        return four[0]
    phones = [r for r in runs if 10 <= len(r) <= 11]
    if not four and len(phones) == 1:
        return phones[0][-4:]
    return None


def read_code(text: str) -> str | None:
    """The six-digit code in whatever the customer typed (「コードは１２３４５６」)."""
    runs = [r.value for r in find_digit_runs(text or "") if len(r.value) == CODE_DIGITS]
    return runs[0] if len(runs) == 1 else None


def _registered_last4(phone: str) -> str | None:
    digits = re.sub(r"\D", "", normalise(phone or ""))
    return digits[-4:] if len(digits) >= 4 else None


def mask_order_number(order_number: str | None) -> str:
    """MD2611**** — enough for staff to see the month, not enough to look it up."""
    return f"{order_number[:6]}****" if order_number else "(unreadable)"


@dataclass(frozen=True)
class _LockState:
    locked: bool  # refused now
    locked_by_one_more: bool  # a counted failure now would be the MAX_FAILURES-th in the window


def _lock_state(session: Session, *, by_sender: bool, key: str | None, now: datetime) -> _LockState:
    """Lock state of one key from its newest counted failures, in one single-row query.

    A lock lasts LOCK_DURATION from the MAX_FAILURES-th failure within
    FAILURE_WINDOW. Failures refused during a lock are stored as not counted,
    so while a key is locked the failure that locked it is its newest counted
    one: the newest MAX_FAILURES counted failures decide. The query returns one
    row whatever the history, so a locked key costs the same as any other.
    """
    if key is None:
        return _LockState(False, False)
    a = VerificationAttempt
    key_column, counted = (a.sender_key, a.sender_counted) if by_sender else (a.order_key, a.order_counted)

    def newest(n: int):
        return (select(a.at.label("at"))
                .where(key_column == key, counted.is_(True), a.succeeded.is_(False),
                       a.at >= now - _LOCK_HORIZON, a.at <= now)
                .order_by(a.at.desc()).limit(n).subquery())

    last_n, last_n_minus_1 = newest(MAX_FAILURES), newest(MAX_FAILURES - 1)
    count, oldest, newest_at, oldest_of_fewer = session.execute(select(
        func.count(last_n.c.at), func.min(last_n.c.at), func.max(last_n.c.at),
        select(func.min(last_n_minus_1.c.at)).scalar_subquery(),
    )).one()
    locked = (count >= MAX_FAILURES and newest_at - oldest <= FAILURE_WINDOW
              and now - newest_at < LOCK_DURATION)
    by_one_more = count >= MAX_FAILURES - 1 and now - oldest_of_fewer <= FAILURE_WINDOW
    return _LockState(locked, by_one_more)


@dataclass(frozen=True)
class _Outcome:
    succeeded: bool
    sender_locked_before: bool
    order_locked_before: bool
    sender_locked_after: bool
    order_locked_after: bool


def _record_attempt(session: Session, *, kind: str, sender: str, order: str | None,
                    matched: bool, now: datetime) -> _Outcome:
    """Apply the limits to one attempt and store it; the same queries on every path."""
    sender_state = _lock_state(session, by_sender=True, key=sender, now=now)
    order_state = _lock_state(session, by_sender=False, key=order, now=now)
    succeeded = matched and not sender_state.locked and not order_state.locked
    # A failure against a locked order still counts for the sender: otherwise
    # a sender could tell a locked order from wrong digits by never locking.
    sender_counted = not sender_state.locked
    order_counted = order is not None and not sender_state.locked and not order_state.locked
    session.add(VerificationAttempt(
        at=now, sender_key=sender, order_key=order, kind=kind, succeeded=succeeded,
        sender_counted=sender_counted, order_counted=order_counted,
    ))
    failed = not succeeded
    return _Outcome(
        succeeded=succeeded,
        sender_locked_before=sender_state.locked,
        order_locked_before=order_state.locked,
        sender_locked_after=sender_state.locked or (failed and sender_state.locked_by_one_more),
        order_locked_after=order_state.locked or (failed and order_counted and order_state.locked_by_one_more),
    )


def _audit(session: Session, *, action: str, conversation_id: str, now: datetime, detail: str) -> None:
    session.add(AuditEntry(at=now, actor=AUDIT_ACTOR, action=action,
                           conversation_id=conversation_id, detail=detail))


def _lock_note(outcome: _Outcome) -> str:
    locks = []
    if outcome.sender_locked_after:
        locks.append("sender")
    if outcome.order_locked_after:
        locks.append("order")
    return f" locked={'+'.join(locks)}" if locks else ""


def verify_order_owner(session: Session, *, conversation_id: str, sender_id: str, order_number: str,
                       phone_last4: str, now: datetime) -> Verification:
    """Check that the sender owns the order: raw customer text in, a Verification out.

    Both answers may be typed any way customers type them (full-width,
    hyphens, 「下4桁は５６７８です」). On success the conversation is
    verified at level "order" (kept at "step_up" if it already was for the
    same order). Callers should ``forget`` first when the order number changes.
    """
    secret = server_secret()
    number = parse_order_number_reply(order_number or "")
    # An unreadable answer is still looked up (and keyed) so it takes the same path.
    lookup = number or normalise(order_number or "").strip()[:40]
    sender = sender_key(secret, sender_id)
    order = order_key(secret, lookup)

    row = session.execute(
        select(Order.id, Order.customer_id, Customer.phone)
        .join(Customer, Customer.id == Order.customer_id)
        .where(Order.order_number == lookup)
    ).first()
    registered = _registered_last4(row.phone) if row is not None else None
    typed = read_phone_last4(phone_last4)
    matched = hmac.compare_digest(
        _key(secret, "phone", registered if registered is not None else _DUMMY),
        _key(secret, "phone", typed if typed is not None else _NOTHING_TYPED),
    ) and registered is not None

    outcome = _record_attempt(session, kind=KIND_ORDER, sender=sender, order=order, matched=matched, now=now)

    if outcome.succeeded:
        reason = "verified"
        _mark_verified(session, conversation_id=conversation_id, sender=sender,
                       customer_id=row.customer_id, order_id=row.id, now=now)
    elif outcome.sender_locked_before:
        reason = "sender_locked"
    elif outcome.order_locked_before:
        reason = "order_locked"
    elif number is None:
        reason = "unreadable_order_number"
    elif row is None:
        reason = "no_such_order"
    elif typed is None:
        reason = "unreadable_phone_digits"
    else:
        reason = "wrong_phone_digits"
    _audit(session, action="identity.verify_order", conversation_id=conversation_id, now=now,
           detail=f"order={mask_order_number(number)} result={reason}{_lock_note(outcome)}")
    session.flush()

    if outcome.succeeded:
        return Verification(verified=True, locked=False, customer_id=row.customer_id, order_id=row.id)
    return Verification(verified=False, locked=outcome.sender_locked_after)


def _mark_verified(session: Session, *, conversation_id: str, sender: str, customer_id: int,
                   order_id: int, now: datetime) -> None:
    current = session.get(VerifiedConversation, conversation_id)
    if current is None:
        session.add(VerifiedConversation(conversation_id=conversation_id, customer_id=customer_id,
                                         order_id=order_id, sender_key=sender, verified_at=now,
                                         level=LEVEL_ORDER))
        return
    same = current.order_id == order_id and hmac.compare_digest(current.sender_key, sender)
    current.customer_id = customer_id
    current.order_id = order_id
    current.sender_key = sender
    current.verified_at = now
    if not same:
        current.level = LEVEL_ORDER


def verified_customer(session: Session, conversation_id: str) -> VerifiedConversation | None:
    """Who has proven what in this conversation; None means treat them as a stranger."""
    return session.get(VerifiedConversation, conversation_id)


def forget(session: Session, conversation_id: str) -> None:
    """Start over: a new conversation or another order number must prove again."""
    session.execute(delete(VerifiedConversation).where(VerifiedConversation.conversation_id == conversation_id))
    session.execute(delete(OneTimeCode).where(OneTimeCode.conversation_id == conversation_id,
                                              OneTimeCode.used_at.is_(None)))
    session.flush()


def start_step_up(session: Session, *, conversation_id: str, sender_id: str, now: datetime,
                  mailer: Mailer) -> bool:
    """Mail a one-time code to the address on file for the verified order's customer.

    Returns False when there is nothing to step up from: the conversation is
    not verified (by this sender), or the sender or the order is locked, in
    which case a code could not be confirmed anyway. A new code replaces any
    code sent before in this conversation.
    """
    secret = server_secret()
    sender = sender_key(secret, sender_id)
    current = session.get(VerifiedConversation, conversation_id)
    if current is None or not hmac.compare_digest(current.sender_key, sender):
        return False
    row = session.execute(
        select(Order.order_number, Customer.email)
        .join(Customer, Customer.id == Order.customer_id)
        .where(Order.id == current.order_id)
    ).one()
    order = order_key(secret, row.order_number)
    if (_lock_state(session, by_sender=True, key=sender, now=now).locked
            or _lock_state(session, by_sender=False, key=order, now=now).locked):
        return False

    session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.conversation_id == conversation_id, OneTimeCode.used_at.is_(None))
        .values(used_at=now)  # superseded
        .execution_options(synchronize_session=False)
    )
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    session.add(OneTimeCode(
        code_hash=_code_hash(secret, conversation_id, code), order_id=current.order_id,
        conversation_id=conversation_id, sender_key=sender, created_at=now,
        expires_at=now + CODE_LIFETIME,
    ))
    _audit(session, action="identity.code_sent", conversation_id=conversation_id, now=now,
           detail=f"order={mask_order_number(row.order_number)} channel=mail")
    session.flush()
    subject, body = step_up_mail(code, int(CODE_LIFETIME.total_seconds() // 60))
    mailer.send(row.email, subject, body)
    return True


def confirm_step_up(session: Session, *, conversation_id: str, sender_id: str, code: str,
                    now: datetime) -> Verification:
    """Check a mailed code: single use, 10 minutes, wrong codes count toward the limits.

    Success raises the conversation to level "step_up".
    """
    secret = server_secret()
    sender = sender_key(secret, sender_id)
    current = session.execute(
        select(VerifiedConversation, Order.order_number)
        .join(Order, Order.id == VerifiedConversation.order_id)
        .where(VerifiedConversation.conversation_id == conversation_id)
    ).first()
    issued = session.scalars(
        select(OneTimeCode)
        .where(OneTimeCode.conversation_id == conversation_id, OneTimeCode.used_at.is_(None))
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        .limit(1)
    ).first()
    typed = read_code(code)
    same_digits = hmac.compare_digest(
        issued.code_hash if issued is not None else _key(secret, "code", _DUMMY),
        _code_hash(secret, conversation_id, typed if typed is not None else _NOTHING_TYPED),
    )
    verified = current[0] if current is not None else None
    usable = (
        verified is not None and issued is not None
        and issued.order_id == verified.order_id
        and hmac.compare_digest(issued.sender_key, sender)
        and hmac.compare_digest(verified.sender_key, sender)
        and now < issued.expires_at
    )
    order = order_key(secret, current[1]) if current is not None else None
    outcome = _record_attempt(session, kind=KIND_CODE, sender=sender, order=order,
                              matched=same_digits and usable, now=now)

    if outcome.succeeded:
        reason = "verified"
        issued.used_at = now
        verified.level = LEVEL_STEP_UP
        verified.verified_at = now
    elif outcome.sender_locked_before:
        reason = "sender_locked"
    elif outcome.order_locked_before:
        reason = "order_locked"
    elif verified is None:
        reason = "not_verified"
    elif issued is None:
        reason = "no_code"
    elif now >= issued.expires_at:
        reason = "expired"
    else:
        reason = "wrong_code"
    _audit(session, action="identity.verify_code", conversation_id=conversation_id, now=now,
           detail=f"order={mask_order_number(current[1]) if current else '-'} "
                  f"result={reason}{_lock_note(outcome)}")
    session.flush()

    if outcome.succeeded:
        return Verification(verified=True, locked=False, customer_id=verified.customer_id,
                            order_id=verified.order_id)
    return Verification(verified=False, locked=outcome.sender_locked_after)

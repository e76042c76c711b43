"""Who is this customer? The order number identifies, the phone digits or a mailed code prove.

An order number is printed on mails and boxes and can be guessed, so it only
says which order someone means. Two proofs, two levels:

- the last four digits of the phone number registered on that order prove
  the order (level "order": that order's status and dates, nothing else);
- a one-time code mailed to the address on file proves the person (level
  "step_up": their personal data may be spoken). The code is mailed after
  the digits, or, asked for with the order number alone, instead of them:
  whoever reads that mailbox is the customer, and the mail goes nowhere else.

Both end ``bot.config.verification_minutes()`` after the last proof
(``verified_customer`` applies it for every reader), and when a ticket opens,
is handed back or closes (``bot.handoff`` calls ``forget``).

Every failure looks the same to the caller (a wrong or unknown order number,
wrong digits, a locked order, an order past its daily budget) and takes the
same path through the code: one order lookup, one constant-time comparison,
the same lock and budget queries and writes. The only thing a caller learns
besides "not verified" is ``locked``, and that depends on the sender's and
the client's own failures alone, so it cannot be used to probe whether an
order exists or is under attack.

Limits, all kept in ``verification_attempts`` so they hold across restarts
and replicas:

- per sender and per client (the client address behind the shop's proxy, as
  the channel HMAC'd it; the sender where a channel gives none): 5 failures
  within 15 minutes lock that key for 30 minutes. Rotating the sender id
  (free on REST or a new socket) does not reset the client's count;
- per order: the same 5-in-15-minutes lock, and a budget of 10 evaluated
  wrong phone digits per rolling 24 hours across all senders, clients and
  channels. Past it, the digits are not even compared: the order can only be
  proven with the mailed code (at most 3 codes per order per hour) or by a
  person. Without the budget a sender-rotating attacker had about 230
  guesses per order per day (1 in 10,000 each).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot import mail
from bot.config import verification_minutes
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
ORDER_DAILY_BUDGET = 10  # evaluated wrong phone digits per order…
BUDGET_WINDOW = timedelta(hours=24)  # …per rolling 24 hours
CODE_LIFETIME = timedelta(minutes=10)
CODE_DIGITS = 6
CODES_PER_ORDER = 3  # codes mailed for one order…
CODE_RATE_WINDOW = timedelta(hours=1)  # …per rolling hour, whoever asks

LEVEL_ORDER = "order"  # order and shipment status
LEVEL_STEP_UP = "step_up"  # everything else about the order and the customer

KIND_ORDER = "order"
KIND_CODE = "code"
AUDIT_ACTOR = "identity"

# What start_step_up did.
CODE_SENT = "sent"
CODE_LIMITED = "limited"  # CODES_PER_ORDER reached: nothing sent, the previous code still counts
CODE_REFUSED = "refused"  # not verified by this sender, or locked

# Lock decisions need the failures of the last lock period plus the window before it.
_LOCK_HORIZON = LOCK_DURATION + FAILURE_WINDOW
# What the typed value is compared with when there is nothing real to compare with.
# Never equal to anything a customer can type (typed values are digits only).
_DUMMY = "dummy:" + secrets.token_hex(16)
_NOTHING_TYPED = "nothing-typed"
_CLIENT_KEY = re.compile(r"[0-9a-f]{64}")
# 「メールで」「コードを送って」「mail」: the customer asks for the mailed code instead of the digits.
_ASKS_FOR_MAIL = re.compile(r"メール|めーる|mail|コード|こーど|code")


@dataclass(frozen=True)
class Verification:
    """The outcome the caller may act on, and nothing more.

    ``locked`` means this sender or client has used up its attempts: offer a person.
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


def client_key_or_sender(client_key: str | None, sender: str) -> str:
    """The client key the channel put in the message metadata (already an HMAC), else the sender's key.

    Anything but 64 lower-case hex digits is not a key a channel made, so it
    is not believed either.
    """
    if client_key and _CLIENT_KEY.fullmatch(client_key):
        return client_key
    return sender


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


def asks_for_mailed_code(text: str) -> bool:
    """「メールで」「コードを送ってください」 where the phone digits were asked for."""
    return read_phone_last4(text) is None and bool(_ASKS_FOR_MAIL.search(normalise(text or "").lower()))


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


# ---------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _LockState:
    locked: bool  # refused now
    locked_by_one_more: bool  # a counted failure now would be the MAX_FAILURES-th in the window


_KEYS = {  # which key, and whether an attempt counted for it
    "sender": (VerificationAttempt.sender_key, VerificationAttempt.sender_counted),
    "client": (VerificationAttempt.client_key, VerificationAttempt.client_counted),
    "order": (VerificationAttempt.order_key, VerificationAttempt.order_counted),
}


def _lock_state(session: Session, *, by: str, key: str | None, now: datetime) -> _LockState:
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
    key_column, counted = _KEYS[by]

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


def _evaluated_wrong_digits(session: Session, order: str, now: datetime) -> int:
    """Wrong phone digits really compared for this order in the last BUDGET_WINDOW (capped at the budget)."""
    a = VerificationAttempt
    recent = (select(a.id).where(a.order_key == order, a.order_counted.is_(True), a.succeeded.is_(False),
                                 a.kind == KIND_ORDER, a.at > now - BUDGET_WINDOW, a.at <= now)
              .limit(ORDER_DAILY_BUDGET).subquery())
    return session.execute(select(func.count()).select_from(recent)).scalar_one()


def _serialise_per_order(session: Session, order: str | None) -> None:
    """Make concurrent attempts on one order take turns, so a burst cannot all read "budget left".

    On PostgreSQL (several action servers) a transaction-scoped advisory
    lock on the order key, released at commit. One action server runs these
    calls one at a time in its event loop, which is all SQLite needs.
    """
    if order is not None and session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(order, 0))))


@dataclass(frozen=True)
class _Outcome:
    succeeded: bool
    sender_locked_before: bool
    client_locked_before: bool
    order_locked_before: bool
    budget_spent_before: bool
    sender_locked_after: bool
    client_locked_after: bool
    order_locked_after: bool
    budget_spent_after: bool

    @property
    def caller_locked(self) -> bool:
        """What the caller may be told: its own sender's or client's lock, never the order's."""
        return self.sender_locked_after or self.client_locked_after


def _record_attempt(session: Session, *, kind: str, sender: str, client: str, order: str | None,
                    order_label: str, matched: bool, now: datetime) -> _Outcome:
    """Apply the limits to one attempt and store it; the same queries on every path.

    The daily budget applies to phone digits only: a mailed code cannot be
    guessed (a million values, five tries), and it is how an order past its
    budget is still proven.
    """
    _serialise_per_order(session, order)
    sender_state = _lock_state(session, by="sender", key=sender, now=now)
    client_state = _lock_state(session, by="client", key=client, now=now)
    order_state = _lock_state(session, by="order", key=order, now=now)
    spent_so_far = _evaluated_wrong_digits(session, order, now) if kind == KIND_ORDER and order else 0
    budget_spent = spent_so_far >= ORDER_DAILY_BUDGET
    refused = sender_state.locked or client_state.locked or order_state.locked or budget_spent
    succeeded = matched and not refused
    # A failure refused for the order still counts for the sender and the client: otherwise
    # they could tell a locked or spent order from wrong digits by never locking.
    sender_counted = not sender_state.locked
    client_counted = not client_state.locked
    order_counted = order is not None and not refused
    session.add(VerificationAttempt(
        at=now, sender_key=sender, client_key=client, order_key=order, order_label=order_label, kind=kind,
        succeeded=succeeded, sender_counted=sender_counted, client_counted=client_counted,
        order_counted=order_counted,
    ))
    failed = not succeeded
    return _Outcome(
        succeeded=succeeded,
        sender_locked_before=sender_state.locked,
        client_locked_before=client_state.locked,
        order_locked_before=order_state.locked,
        budget_spent_before=budget_spent,
        sender_locked_after=sender_state.locked or (failed and sender_state.locked_by_one_more),
        client_locked_after=client_state.locked or (failed and client_state.locked_by_one_more),
        order_locked_after=order_state.locked or (failed and order_counted and order_state.locked_by_one_more),
        budget_spent_after=budget_spent or (failed and order_counted and kind == KIND_ORDER
                                            and spent_so_far + 1 >= ORDER_DAILY_BUDGET),
    )


def _audit(session: Session, *, action: str, conversation_id: str, now: datetime, detail: str) -> None:
    session.add(AuditEntry(at=now, actor=AUDIT_ACTOR, action=action,
                           conversation_id=conversation_id, detail=detail))


def _lock_note(outcome: _Outcome) -> str:
    locks = [name for name, on in (("sender", outcome.sender_locked_after), ("client", outcome.client_locked_after),
                                   ("order", outcome.order_locked_after)) if on]
    note = f" locked={'+'.join(locks)}" if locks else ""
    return note + (" budget=spent" if outcome.budget_spent_after else "")


def _refusal_reason(outcome: _Outcome) -> str | None:
    for reason, refused in (("sender_locked", outcome.sender_locked_before),
                            ("client_locked", outcome.client_locked_before),
                            ("order_locked", outcome.order_locked_before),
                            ("order_over_budget", outcome.budget_spent_before)):
        if refused:
            return reason
    return None


# ---------------------------------------------------------------------------
# Order number + phone digits
# ---------------------------------------------------------------------------

def verify_order_owner(session: Session, *, conversation_id: str, sender_id: str, order_number: str,
                       phone_last4: str, now: datetime, client_key: str | None = None) -> Verification:
    """Check that the sender owns the order: raw customer text in, a Verification out.

    Both answers may be typed any way customers type them (full-width,
    hyphens, 「下4桁は５６７８です」). On success the conversation is
    verified at level "order" (kept at "step_up" if it already was, for the
    same order and not expired). Callers should ``forget`` first when the
    order number changes. ``client_key`` is the channel's HMAC of the client
    address (message metadata); without it the sender stands in.
    """
    secret = server_secret()
    number = parse_order_number_reply(order_number or "")
    # An unreadable answer is still looked up (and keyed) so it takes the same path.
    lookup = number or normalise(order_number or "").strip()[:40]
    sender = sender_key(secret, sender_id)
    client = client_key_or_sender(client_key, sender)
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

    outcome = _record_attempt(session, kind=KIND_ORDER, sender=sender, client=client, order=order,
                              order_label=mask_order_number(number), matched=matched, now=now)

    if outcome.succeeded:
        reason = "verified"
        _mark_verified(session, conversation_id=conversation_id, sender=sender,
                       customer_id=row.customer_id, order_id=row.id, level=LEVEL_ORDER, now=now)
    elif _refusal_reason(outcome):
        reason = _refusal_reason(outcome)
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
    return Verification(verified=False, locked=outcome.caller_locked)


# ---------------------------------------------------------------------------
# What a conversation has proven, and for how long
# ---------------------------------------------------------------------------

def verification_lifetime() -> timedelta:
    return timedelta(minutes=verification_minutes())


def verified_until(current: VerifiedConversation) -> datetime:
    """When this verification ends unless it is proven again."""
    return current.verified_at + verification_lifetime()


def _live(current: VerifiedConversation | None, now: datetime) -> VerifiedConversation | None:
    return current if current is not None and now < verified_until(current) else None


def _mark_verified(session: Session, *, conversation_id: str, sender: str, customer_id: int,
                   order_id: int, level: str, now: datetime) -> None:
    current = session.get(VerifiedConversation, conversation_id)
    if current is None:
        session.add(VerifiedConversation(conversation_id=conversation_id, customer_id=customer_id,
                                         order_id=order_id, sender_key=sender, verified_at=now, level=level))
        return
    same = (_live(current, now) is not None and current.order_id == order_id
            and hmac.compare_digest(current.sender_key, sender))
    current.customer_id = customer_id
    current.order_id = order_id
    current.sender_key = sender
    current.verified_at = now
    if level == LEVEL_STEP_UP or not same:
        current.level = level


def verified_customer(session: Session, conversation_id: str,
                      now: datetime | None = None) -> VerifiedConversation | None:
    """Who has proven what in this conversation; None means treat them as a stranger.

    A verification older than ``bot.config.verification_minutes()`` is None
    here, for every reader (the guard, the actions, the console).
    """
    return _live(session.get(VerifiedConversation, conversation_id), now or datetime.now(timezone.utc))


def forget(session: Session, conversation_id: str) -> None:
    """Start over: a new conversation, another order number, or a ticket opened, handed back or closed."""
    session.execute(delete(VerifiedConversation).where(VerifiedConversation.conversation_id == conversation_id))
    pending = session.execute(
        select(OneTimeCode.mail_id).where(OneTimeCode.conversation_id == conversation_id,
                                          OneTimeCode.used_at.is_(None))
    ).scalars().all()
    for mail_id in pending:
        mail.cancel_mail(session, mail_id)
    session.execute(delete(OneTimeCode).where(OneTimeCode.conversation_id == conversation_id,
                                              OneTimeCode.used_at.is_(None)))
    session.flush()


# ---------------------------------------------------------------------------
# The mailed code
# ---------------------------------------------------------------------------

def _codes_mailed_recently(session: Session, order_id: int, now: datetime) -> int:
    return session.execute(
        select(func.count(OneTimeCode.id))
        .where(OneTimeCode.order_id == order_id, OneTimeCode.created_at > now - CODE_RATE_WINDOW,
               OneTimeCode.created_at <= now)
    ).scalar_one()


def _mail_code(session: Session, *, secret: bytes, conversation_id: str, sender: str, order_id: int,
               customer_id: int, now: datetime) -> None:
    """A new code for this conversation, replacing any before it, with its mail in the outbox."""
    superseded = session.execute(
        select(OneTimeCode).where(OneTimeCode.conversation_id == conversation_id, OneTimeCode.used_at.is_(None))
    ).scalars().all()
    for old in superseded:
        old.used_at = now
        mail.cancel_mail(session, old.mail_id)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    subject, body = step_up_mail(code, int(CODE_LIFETIME.total_seconds() // 60))
    mail_id = mail.queue_mail(session, secret=secret, customer_id=customer_id, subject=subject, body=body,
                              now=now, not_after=now + CODE_LIFETIME)
    session.add(OneTimeCode(
        code_hash=_code_hash(secret, conversation_id, code), order_id=order_id,
        conversation_id=conversation_id, sender_key=sender, created_at=now,
        expires_at=now + CODE_LIFETIME, mail_id=mail_id,
    ))


def start_step_up(session: Session, *, conversation_id: str, sender_id: str, now: datetime,
                  client_key: str | None = None) -> str:
    """Mail a one-time code to the address on file for the verified order's customer.

    Returns CODE_SENT, CODE_LIMITED (the order had CODES_PER_ORDER codes in
    the last hour: nothing is sent and the conversation's previous code stays
    valid) or CODE_REFUSED (nothing to step up from: not verified by this
    sender, or the sender, client or order is locked, so a code could not be
    confirmed anyway). The mail is only queued here (``bot.mail``): the
    caller wakes the sender after committing.
    """
    secret = server_secret()
    sender = sender_key(secret, sender_id)
    client = client_key_or_sender(client_key, sender)
    current = verified_customer(session, conversation_id, now)
    if current is None or not hmac.compare_digest(current.sender_key, sender):
        return CODE_REFUSED
    order_number = session.execute(select(Order.order_number).where(Order.id == current.order_id)).scalar_one()
    order = order_key(secret, order_number)
    if (_lock_state(session, by="sender", key=sender, now=now).locked
            or _lock_state(session, by="client", key=client, now=now).locked
            or _lock_state(session, by="order", key=order, now=now).locked):
        return CODE_REFUSED
    if _codes_mailed_recently(session, current.order_id, now) >= CODES_PER_ORDER:
        _audit(session, action="identity.code_limited", conversation_id=conversation_id, now=now,
               detail=f"order={mask_order_number(order_number)}")
        return CODE_LIMITED
    _mail_code(session, secret=secret, conversation_id=conversation_id, sender=sender, order_id=current.order_id,
               customer_id=current.customer_id, now=now)
    _audit(session, action="identity.code_sent", conversation_id=conversation_id, now=now,
           detail=f"order={mask_order_number(order_number)} channel=mail")
    session.flush()
    return CODE_SENT


def request_mailed_code(session: Session, *, conversation_id: str, sender_id: str, order_number: str,
                        now: datetime, client_key: str | None = None) -> None:
    """The customer asks for the code by mail instead of giving the phone digits.

    The caller learns nothing: the code goes only to the address on file, so
    the reply is the same whether the order exists, had its CODES_PER_ORDER
    codes this hour, or the sender is locked, and every path runs the same
    lookups (only the sent path then writes the code and its mail, within a
    millisecond, while the mail itself goes out later). This is how the owner
    of an order past its daily budget still gets in.
    """
    secret = server_secret()
    number = parse_order_number_reply(order_number or "")
    lookup = number or normalise(order_number or "").strip()[:40]
    sender = sender_key(secret, sender_id)
    client = client_key_or_sender(client_key, sender)
    row = session.execute(select(Order.id, Order.customer_id).where(Order.order_number == lookup)).first()
    recent = _codes_mailed_recently(session, row.id if row is not None else -1, now)
    locked = (_lock_state(session, by="sender", key=sender, now=now).locked
              or _lock_state(session, by="client", key=client, now=now).locked)
    if locked:
        result = "locked"
    elif row is None:
        result = "no_such_order" if number else "unreadable_order_number"
    elif recent >= CODES_PER_ORDER:
        result = "limited"
    else:
        result = "sent"
        _mail_code(session, secret=secret, conversation_id=conversation_id, sender=sender, order_id=row.id,
                   customer_id=row.customer_id, now=now)
    _audit(session, action="identity.code_requested", conversation_id=conversation_id, now=now,
           detail=f"order={mask_order_number(number)} channel=mail result={result}")
    session.flush()


def confirm_step_up(session: Session, *, conversation_id: str, sender_id: str, code: str,
                    now: datetime, client_key: str | None = None) -> Verification:
    """Check a mailed code: single use, 10 minutes, wrong codes count toward the limits.

    Success verifies the conversation at level "step_up" for the code's
    order, whether the code followed the phone digits or replaced them.
    """
    secret = server_secret()
    sender = sender_key(secret, sender_id)
    client = client_key_or_sender(client_key, sender)
    current = verified_customer(session, conversation_id, now)
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
    usable = (
        issued is not None
        and hmac.compare_digest(issued.sender_key, sender)
        and now < issued.expires_at
        and (current is None or (current.order_id == issued.order_id
                                 and hmac.compare_digest(current.sender_key, sender)))
    )
    order_id = issued.order_id if issued is not None else current.order_id if current is not None else None
    order_row = session.execute(
        select(Order.order_number, Order.customer_id).where(Order.id == order_id)
    ).first() if order_id is not None else None
    order_number = order_row.order_number if order_row is not None else None
    outcome = _record_attempt(session, kind=KIND_CODE, sender=sender, client=client,
                              order=order_key(secret, order_number) if order_number else None,
                              order_label=mask_order_number(order_number), matched=same_digits and usable, now=now)

    if outcome.succeeded:
        reason = "verified"
        issued.used_at = now
        _mark_verified(session, conversation_id=conversation_id, sender=sender, customer_id=order_row.customer_id,
                       order_id=issued.order_id, level=LEVEL_STEP_UP, now=now)
    elif _refusal_reason(outcome):
        reason = _refusal_reason(outcome)
    elif issued is None:
        reason = "no_code"
    elif now >= issued.expires_at:
        reason = "expired"
    else:
        reason = "wrong_code"
    _audit(session, action="identity.verify_code", conversation_id=conversation_id, now=now,
           detail=f"order={mask_order_number(order_number) if order_number else '-'} "
                  f"result={reason}{_lock_note(outcome)}")
    session.flush()

    if outcome.succeeded:
        return Verification(verified=True, locked=False, customer_id=order_row.customer_id,
                            order_id=issued.order_id)
    return Verification(verified=False, locked=outcome.caller_locked)


# ---------------------------------------------------------------------------
# What supervisors see
# ---------------------------------------------------------------------------

SPIKE_MIN_FAILURES = 10  # an hour with fewer failures is never a spike…
SPIKE_FACTOR = 3  # …otherwise it is one at three times the day's hourly average


@dataclass(frozen=True)
class HourOfFailures:
    start: datetime  # the hour's start, UTC
    failures: int
    spike: bool


@dataclass(frozen=True)
class OrderOverBudget:
    label: str  # masked: MD2611****
    failures: int  # failed tries in the last 24 hours (ORDER_DAILY_BUDGET of them evaluated)
    last_failure: datetime
    budget_back_at: datetime  # when the oldest of them leaves the window


@dataclass(frozen=True)
class FailureReport:
    """Verification failures of the last 24 hours, without a single full order number or key."""

    hours: list[HourOfFailures]  # oldest first, 24 of them, the last one the current hour
    failures: int
    orders_affected: int
    senders: int
    clients: int
    over_budget: list[OrderOverBudget]

    @property
    def spike(self) -> bool:
        return any(h.spike for h in self.hours)


def failure_report(session: Session, now: datetime) -> FailureReport:
    """Failures per hour, how many orders, senders and clients they came from, and orders past their budget.

    Many senders against few orders from few clients is sender rotation; many
    orders from one client is enumeration. The over-budget orders can only be
    proven by mailed code or a person until ``budget_back_at``.
    """
    a = VerificationAttempt
    since = now - BUDGET_WINDOW
    failed = (a.succeeded.is_(False), a.at > since, a.at <= now)
    current_hour = now.replace(minute=0, second=0, microsecond=0)
    first_hour = current_hour - timedelta(hours=23)
    counts = [0] * 24
    for (at,) in session.execute(select(a.at).where(*failed)):
        index = int((at - first_hour).total_seconds() // 3600)
        if 0 <= index < 24:
            counts[index] += 1
    total, orders, senders, clients = session.execute(
        select(func.count(a.id), func.count(a.order_key.distinct()), func.count(a.sender_key.distinct()),
               func.count(a.client_key.distinct())).where(*failed)
    ).one()
    threshold = max(SPIKE_MIN_FAILURES, SPIKE_FACTOR * sum(counts) / 24)
    hours = [HourOfFailures(first_hour + timedelta(hours=i), n, n >= threshold) for i, n in enumerate(counts)]

    evaluated = (a.order_counted.is_(True), a.kind == KIND_ORDER, *failed)
    over = session.execute(
        select(a.order_key, func.count(a.id), func.max(a.at), func.max(a.order_label))
        .where(*evaluated).group_by(a.order_key).having(func.count(a.id) >= ORDER_DAILY_BUDGET)
        .order_by(func.max(a.at).desc())
    ).all()
    over_budget = []
    for key, _, last, label in over:
        tries = session.execute(select(func.count(a.id)).where(a.order_key == key, *failed)).scalar_one()
        tenth_newest = session.execute(
            select(a.at).where(a.order_key == key, *evaluated).order_by(a.at.desc())
            .offset(ORDER_DAILY_BUDGET - 1).limit(1)
        ).scalar_one()
        over_budget.append(OrderOverBudget(label or mask_order_number(None), tries, last,
                                           tenth_newest + BUDGET_WINDOW))
    return FailureReport(hours, total, orders, senders, clients, over_budget)

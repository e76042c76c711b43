"""Identity verification against a real database and a real local SMTP server.

Order number + last four phone digits verify; a mailed one-time code steps up.
Time is passed explicitly, so locks and expiry are tested without sleeping.
"""

from __future__ import annotations

import re
import stat
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bot.config import load_settings
from bot.devserver import free_port
from bot import handoff
from bot.identity import (
    BUDGET_WINDOW,
    CODE_LIMITED,
    CODE_RATE_WINDOW,
    CODE_REFUSED,
    CODE_SENT,
    CODES_PER_ORDER,
    FAILURE_WINDOW,
    LEVEL_ORDER,
    LEVEL_STEP_UP,
    LOCK_DURATION,
    MAX_FAILURES,
    ORDER_DAILY_BUDGET,
    Verification,
    client_key_or_sender,
    confirm_step_up,
    failure_report,
    forget,
    read_phone_last4,
    request_mailed_code,
    start_step_up,
    verified_customer,
    verify_order_owner,
)
from bot.mail import MailSender, SmtpMailer
from bot.secrets import SECRET_ENV, server_secret
from bot.store.db import engine_for, session_scope
from bot.store.models import Agent, AuditEntry, Customer, OneTimeCode, Order, VerificationAttempt
from bot.store.seed import load_demo_shop
from tests.mailbox import RecordingMailbox

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
NOT_VERIFIED = Verification(verified=False, locked=False)
LOCKED = Verification(verified=False, locked=True)

# Two households in one two-family house (data/demo_shop.yml): same address, own phones.
TAKAHASHI_ORDER, TAKAHASHI_LAST4 = "MD26110018", "4401"  # 高橋 誠一, 048-123-4401
NAKAMURA_ORDER, NAKAMURA_LAST4 = "MD26110045", "2731"  # 中村 美咲, 080-5555-2731
YAMADA_ORDER, YAMADA_LAST4 = "MD26090062", "5678"  # 山田 花子, 090-1234-5678


@pytest.fixture(autouse=True)
def _secret(monkeypatch, tmp_path):
    monkeypatch.setenv(SECRET_ENV, "test-secret-not-for-production")
    monkeypatch.setenv("MADOGUCHI_VAR_DIR", str(tmp_path / "var"))


@pytest.fixture
def shop(demo_shop_url):
    """The demo shop in a fresh database (SQLite file, then PostgreSQL), at the newest schema."""
    return engine_for(demo_shop_url)


@pytest.fixture
def smtp():
    """A real SMTP server on loopback; yields (mailer pointed at it, inbox)."""
    inbox = RecordingMailbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpMailer("127.0.0.1", port, "support@madoguchi.example", starttls=False), inbox
    finally:
        controller.stop()


def verify(engine, order_number: str, digits: str, now: datetime, *, sender: str = "s1",
           conversation: str | None = None, client: str | None = None) -> Verification:
    with session_scope(engine) as session:
        return verify_order_owner(session, conversation_id=conversation or sender, sender_id=sender,
                                  order_number=order_number, phone_last4=digits, now=now, client_key=client)


def lock_order(engine, order_number: str, now: datetime) -> None:
    """Five wrong tries from five senders: the order locks, no sender does."""
    for i in range(MAX_FAILURES):
        assert verify(engine, order_number, "0000", now, sender=f"attacker-{i}") == NOT_VERIFIED


def deliver(engine, smtp, now: datetime) -> None:
    """What the action server's background sender does: send the outbox's due mail."""
    MailSender(engine, smtp[0], server_secret(), clock=lambda: now).deliver_due()


def step_up(engine, smtp, *, sender: str, now: datetime) -> str:
    """Send a code to a verified conversation and read it out of the received mail."""
    _, inbox = smtp
    before = len(inbox.mails)
    with session_scope(engine) as session:
        assert start_step_up(session, conversation_id=sender, sender_id=sender, now=now) == CODE_SENT
    deliver(engine, smtp, now)
    assert len(inbox.mails) == before + 1
    return re.search(r"確認コード：(\d{6})", inbox.mails[-1][2].get_content()).group(1)


def confirm(engine, code: str, now: datetime, *, sender: str) -> Verification:
    with session_scope(engine) as session:
        return confirm_step_up(session, conversation_id=sender, sender_id=sender, code=code, now=now)


def level(engine, conversation: str, now: datetime = T0) -> str | None:
    with session_scope(engine) as session:
        found = verified_customer(session, conversation, now)
        return found.level if found else None


def customer_id_of(engine, order_number: str) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(Order.customer_id).where(Order.order_number == order_number))


# --- order number + phone digits -------------------------------------------------------------


def test_order_number_and_phone_digits_verify_however_they_are_typed(shop):
    result = verify(shop, "注文番号はＭＤ－２６１１－００１８です", "下4桁は４４０１です", T0)
    assert result.verified and not result.locked
    assert result.customer_id == customer_id_of(shop, TAKAHASHI_ORDER)
    with session_scope(shop) as session:
        found = verified_customer(session, "s1", T0)
        assert (found.customer_id, found.order_id, found.level) == (result.customer_id, result.order_id,
                                                                    LEVEL_ORDER)


@pytest.mark.parametrize("typed, expected", [
    ("4401", "4401"), ("４４０１", "4401"), ("下4桁は４４０１です", "4401"),
    ("下４桁：4401", "4401"), ("048-123-4401", "4401"), ("０４８ー１２３ー４４０１", "4401"),
    ("わかりません", None), ("4401か4402", None), ("440", None),
])
def test_phone_digits_are_read_from_what_the_customer_typed(typed, expected):
    assert read_phone_last4(typed) == expected


def test_wrong_order_and_wrong_phone_look_the_same(shop):
    lock_order(shop, NAKAMURA_ORDER, T0)
    results = {
        "wrong order number": verify(shop, "MD26110019", TAKAHASHI_LAST4, T0, sender="a"),
        "wrong last four": verify(shop, TAKAHASHI_ORDER, "4402", T0, sender="b"),
        "locked order, right digits": verify(shop, NAKAMURA_ORDER, NAKAMURA_LAST4, T0, sender="c"),
        "malformed but plausible": verify(shop, "MD99999999", "9999", T0, sender="d"),
        "unreadable order number": verify(shop, "忘れました", TAKAHASHI_LAST4, T0, sender="e"),
        "unreadable digits": verify(shop, TAKAHASHI_ORDER, "わかりません", T0, sender="f"),
    }
    assert set(results.values()) == {NOT_VERIFIED}, results
    with session_scope(shop) as session:
        assert all(verified_customer(session, s, T0) is None for s in "abcdef")


def test_the_fifth_failure_of_any_kind_locks_the_sender(shop):
    lock_order(shop, NAKAMURA_ORDER, T0)
    tries = [("MD26110019", "4401"), (TAKAHASHI_ORDER, "4402"), (NAKAMURA_ORDER, NAKAMURA_LAST4),
             ("MD99999999", "9999")]
    for i, (number, digits) in enumerate(tries):
        assert verify(shop, number, digits, T0 + timedelta(minutes=i), sender="guesser") == NOT_VERIFIED
    assert verify(shop, YAMADA_ORDER, "0000", T0 + timedelta(minutes=4), sender="guesser") == LOCKED
    # Locked, the sender cannot verify even its own order with the right digits.
    assert verify(shop, YAMADA_ORDER, YAMADA_LAST4, T0 + timedelta(minutes=5), sender="guesser") == LOCKED


def test_the_fifth_failure_locks_the_order_for_every_sender_for_thirty_minutes(shop):
    fifth = T0 + timedelta(minutes=4)
    for i in range(MAX_FAILURES):
        assert verify(shop, TAKAHASHI_ORDER, f"000{i}", T0 + timedelta(minutes=i),
                      sender=f"attacker-{i}") == NOT_VERIFIED
    # The owner, from a fresh conversation, with the right digits: fails like any failure.
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, fifth + timedelta(minutes=1),
                  sender="owner") == NOT_VERIFIED
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, fifth + LOCK_DURATION - timedelta(seconds=1),
                  sender="attacker-0") == NOT_VERIFIED
    # Other orders are not affected.
    assert verify(shop, NAKAMURA_ORDER, NAKAMURA_LAST4, fifth, sender="neighbour").verified
    # Tries during the lock do not prolong it.
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, fifth + LOCK_DURATION, sender="owner").verified


def test_the_sender_lock_lasts_thirty_minutes_from_the_fifth_failure(shop):
    for i in range(MAX_FAILURES):
        result = verify(shop, YAMADA_ORDER, "0000", T0 + timedelta(minutes=i), sender="s")
    fifth = T0 + timedelta(minutes=MAX_FAILURES - 1)
    assert result == LOCKED
    for minutes in (10, 20, 29):  # tries during the lock are refused and do not prolong it
        assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, fifth + timedelta(minutes=minutes),
                      sender="s") == LOCKED
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, fifth + LOCK_DURATION, sender="s").verified


def test_failures_older_than_the_window_do_not_count(shop):
    for _i in range(MAX_FAILURES - 1):
        assert verify(shop, TAKAHASHI_ORDER, "0000", T0, sender="s") == NOT_VERIFIED
    later = T0 + FAILURE_WINDOW + timedelta(seconds=1)
    assert verify(shop, TAKAHASHI_ORDER, "0000", later, sender="s") == NOT_VERIFIED
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, later, sender="s").verified


def test_each_household_at_the_same_address_verifies_only_with_its_own_digits(shop):
    assert verify(shop, TAKAHASHI_ORDER, NAKAMURA_LAST4, T0, sender="takahashi") == NOT_VERIFIED
    assert verify(shop, NAKAMURA_ORDER, TAKAHASHI_LAST4, T0, sender="nakamura") == NOT_VERIFIED
    takahashi = verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="takahashi")
    nakamura = verify(shop, NAKAMURA_ORDER, NAKAMURA_LAST4, T0, sender="nakamura")
    assert takahashi.customer_id == customer_id_of(shop, TAKAHASHI_ORDER)
    assert nakamura.customer_id == customer_id_of(shop, NAKAMURA_ORDER)
    assert takahashi.customer_id != nakamura.customer_id


def test_forget_starts_the_conversation_over(shop):
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    with session_scope(shop) as session:
        forget(session, "s")
    with session_scope(shop) as session:
        assert verified_customer(session, "s", T0) is None
    assert verify(shop, YAMADA_ORDER, YAMADA_LAST4, T0, sender="s").customer_id == customer_id_of(shop,
                                                                                                    YAMADA_ORDER)


# --- step-up by mailed one-time code ---------------------------------------------------------


def test_a_mailed_code_raises_the_conversation_to_step_up(shop, smtp):
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    code = step_up(shop, smtp, sender="s", now=T0)
    _, recipients, message = smtp[1].mails[-1]
    with session_scope(shop) as session:
        takahashi = session.get(Customer, customer_id_of(shop, TAKAHASHI_ORDER))
        assert recipients == [takahashi.email] and message["To"] == takahashi.email
    assert "確認コード" in message["Subject"]
    typed = "コードは" + code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    result = confirm(shop, typed, T0 + timedelta(minutes=2), sender="s")
    assert result.verified and result.customer_id == customer_id_of(shop, TAKAHASHI_ORDER)
    assert level(shop, "s") == LEVEL_STEP_UP
    with session_scope(shop) as session:  # only the hash is kept
        stored = session.scalars(select(OneTimeCode)).all()
        assert stored and all(code not in (c.code_hash, c.sender_key) for c in stored)


def test_a_code_works_only_once(shop, smtp):
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    code = step_up(shop, smtp, sender="s", now=T0)
    assert confirm(shop, code, T0 + timedelta(minutes=1), sender="s").verified
    assert confirm(shop, code, T0 + timedelta(minutes=2), sender="s") == NOT_VERIFIED


def test_a_code_expires_after_ten_minutes(shop, smtp):
    for sender in ("early", "late"):
        assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender=sender).verified
    early, late = step_up(shop, smtp, sender="early", now=T0), step_up(shop, smtp, sender="late", now=T0)
    assert confirm(shop, early, T0 + timedelta(minutes=10) - timedelta(seconds=1), sender="early").verified
    assert confirm(shop, late, T0 + timedelta(minutes=10), sender="late") == NOT_VERIFIED
    assert level(shop, "late") == LEVEL_ORDER


def test_a_new_code_replaces_the_one_sent_before(shop, smtp):
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    first = step_up(shop, smtp, sender="s", now=T0)
    second = step_up(shop, smtp, sender="s", now=T0 + timedelta(minutes=1))
    if first != second:
        assert confirm(shop, first, T0 + timedelta(minutes=2), sender="s") == NOT_VERIFIED
    assert confirm(shop, second, T0 + timedelta(minutes=2), sender="s").verified


def test_wrong_codes_count_toward_the_sender_and_order_limits(shop, smtp):
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    code = step_up(shop, smtp, sender="s", now=T0)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for i in range(MAX_FAILURES - 1):
        assert confirm(shop, wrong, T0 + timedelta(seconds=i), sender="s") == NOT_VERIFIED
    assert confirm(shop, wrong, T0 + timedelta(seconds=5), sender="s") == LOCKED
    assert confirm(shop, code, T0 + timedelta(seconds=6), sender="s") == LOCKED
    assert level(shop, "s") == LEVEL_ORDER
    # The order is locked too: the right phone digits fail from another sender.
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0 + timedelta(minutes=1),
                  sender="other") == NOT_VERIFIED


def test_code_failures_and_order_failures_share_one_limit(shop, smtp):
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    code = step_up(shop, smtp, sender="s", now=T0)
    for i in range(MAX_FAILURES - 1):
        assert verify(shop, "MD99999999", "0000", T0 + timedelta(seconds=i), sender="s",
                      conversation="elsewhere") == NOT_VERIFIED
    assert confirm(shop, "000000" if code != "000000" else "111111", T0 + timedelta(seconds=5),
                   sender="s") == LOCKED


def test_step_up_needs_a_conversation_verified_by_the_same_sender(shop, smtp):
    _, inbox = smtp
    with session_scope(shop) as session:
        assert start_step_up(session, conversation_id="nobody", sender_id="nobody", now=T0) == CODE_REFUSED
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    with session_scope(shop) as session:
        assert start_step_up(session, conversation_id="s", sender_id="intruder", now=T0) == CODE_REFUSED
    deliver(shop, smtp, T0)
    assert inbox.mails == []
    code = step_up(shop, smtp, sender="s", now=T0)
    with session_scope(shop) as session:
        assert confirm_step_up(session, conversation_id="s", sender_id="intruder", code=code,
                               now=T0) == NOT_VERIFIED


def test_changing_the_order_number_drops_the_step_up(shop, smtp):
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    assert confirm(shop, step_up(shop, smtp, sender="s", now=T0), T0, sender="s").verified
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    assert level(shop, "s") == LEVEL_STEP_UP  # the same order again keeps the level
    with session_scope(shop) as session:
        forget(session, "s")
    assert verify(shop, YAMADA_ORDER, YAMADA_LAST4, T0, sender="s").verified
    assert level(shop, "s") == LEVEL_ORDER


# --- what is stored --------------------------------------------------------------------------


def test_audit_log_holds_no_phone_digits_full_order_numbers_or_names(shop, smtp):
    lock_order(shop, NAKAMURA_ORDER, T0)
    verify(shop, "ＭＤ２６１１００１９", "下4桁は4401です", T0, sender="a")
    verify(shop, TAKAHASHI_ORDER, "080-5555-2731", T0, sender="b")
    verify(shop, NAKAMURA_ORDER, NAKAMURA_LAST4, T0, sender="c")
    verify(shop, "MD99999999", "9999", T0, sender="d")
    verify(shop, "高橋です 4401", "4401", T0, sender="e")
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    code = step_up(shop, smtp, sender="s", now=T0)
    confirm(shop, "000000" if code != "000000" else "111111", T0, sender="s")
    confirm(shop, code, T0, sender="s")

    shop_data = load_demo_shop(load_settings().demo_shop_file)
    forbidden = {"MD26110019", "MD99999999", code}
    for c in shop_data["customers"]:
        digits = re.sub(r"\D", "", str(c["phone"]))
        forbidden |= {c["name"], c["name_kana"], c["email"], str(c["phone"]), digits, digits[-4:]}
        forbidden |= set(c["name"].split()) | set(c["name_kana"].split())
        forbidden |= {str(o["order_number"]) for o in c.get("orders", [])}
    with session_scope(shop) as session:
        entries = session.scalars(select(AuditEntry)).all()
        attempts = session.scalars(select(VerificationAttempt)).all()
    assert len(attempts) == MAX_FAILURES + 6 + 2  # every attempt is recorded
    assert len(entries) == len(attempts) + 1  # each with an audit entry, plus one for the code mail
    assert any("MD2611****" in e.detail for e in entries)
    for entry in entries:
        leaked = {f for f in forbidden if f in entry.detail}
        assert not leaked, (entry.action, entry.detail)
    stored_keys = {a.sender_key for a in attempts} | {a.order_key for a in attempts}
    assert not stored_keys & (forbidden | {"a", "b", "s", TAKAHASHI_ORDER})


def test_a_generated_secret_is_kept_and_readable_by_the_owner_only(monkeypatch, tmp_path):
    monkeypatch.delenv(SECRET_ENV)
    settings = replace(load_settings(), var_dir=tmp_path / "fresh-var")
    first = server_secret(settings)
    assert first == server_secret(settings) and len(first) >= 32
    key_file = tmp_path / "fresh-var" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip().encode() == first
    monkeypatch.setenv(SECRET_ENV, "from-the-environment")
    assert server_secret(settings) == b"from-the-environment"


# --- the per-order budget, the per-client limit, the code by mail -----------------------------


def mailed_code(engine, smtp, *, order_number: str, sender: str, now: datetime, client: str | None = None) -> str:
    """Ask for the code by mail instead of the digits and read it out of the received mail."""
    _, inbox = smtp
    before = len(inbox.mails)
    with session_scope(engine) as session:
        request_mailed_code(session, conversation_id=sender, sender_id=sender, order_number=order_number, now=now,
                            client_key=client)
    deliver(engine, smtp, now)
    assert len(inbox.mails) == before + 1
    return re.search(r"確認コード：(\d{6})", inbox.mails[-1][2].get_content()).group(1)


def evaluated_failures(engine) -> list[datetime]:
    with session_scope(engine) as session:
        return session.scalars(select(VerificationAttempt.at).where(
            VerificationAttempt.order_counted.is_(True), VerificationAttempt.succeeded.is_(False),
            VerificationAttempt.kind == "order").order_by(VerificationAttempt.at)).all()


def client(n: int) -> str:
    return f"{n:064x}"


def test_fifty_senders_over_days_get_at_most_ten_evaluated_guesses_per_day(shop):
    # One wrong guess every 90 minutes from a new sender and a new client: never a 5-in-15-minutes lock,
    # 50 guesses over three days. Without the budget every one of them was compared with the phone number.
    guesses = [T0 + timedelta(minutes=90 * i) for i in range(50)]
    for i, at in enumerate(guesses):
        digits = f"{i:04d}" if f"{i:04d}" != TAKAHASHI_LAST4 else "9999"
        assert verify(shop, TAKAHASHI_ORDER, digits, at, sender=f"rotating-{i}", client=client(i)) == NOT_VERIFIED
    evaluated = evaluated_failures(shop)
    assert len(evaluated) < 50
    for at in guesses:  # any 24 hours of them
        assert len([e for e in evaluated if at <= e < at + BUDGET_WINDOW]) <= ORDER_DAILY_BUDGET
    assert len([e for e in evaluated if T0 <= e < T0 + BUDGET_WINDOW]) == ORDER_DAILY_BUDGET


def test_the_owner_past_the_budget_hears_the_same_words_and_gets_in_with_the_mailed_code(shop, smtp):
    for i in range(ORDER_DAILY_BUDGET):
        assert verify(shop, TAKAHASHI_ORDER, "0000", T0 + timedelta(minutes=20 * i), sender=f"guesser-{i}",
                      client=client(i)) == NOT_VERIFIED
    later = T0 + timedelta(hours=5)
    # The right digits are not even compared any more: the same answer as any failure, no lock.
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, later, sender="owner", client=client(99)) == NOT_VERIFIED
    assert level(shop, "owner", later) is None
    # Other orders keep their own budget.
    assert verify(shop, NAKAMURA_ORDER, NAKAMURA_LAST4, later, sender="neighbour").verified
    code = mailed_code(shop, smtp, order_number=TAKAHASHI_ORDER, sender="owner", now=later, client=client(99))
    _, recipients, _ = smtp[1].mails[-1]
    with session_scope(shop) as session:
        assert recipients == [session.get(Customer, customer_id_of(shop, TAKAHASHI_ORDER)).email]
    result = confirm(shop, code, later + timedelta(minutes=1), sender="owner")
    assert result.verified and result.customer_id == customer_id_of(shop, TAKAHASHI_ORDER)
    assert level(shop, "owner", later + timedelta(minutes=1)) == LEVEL_STEP_UP
    # A day after the tenth failure the digits are compared again.
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0 + timedelta(minutes=20 * (ORDER_DAILY_BUDGET - 1))
                  + BUDGET_WINDOW + timedelta(seconds=1), sender="owner-tomorrow").verified


def test_asking_for_the_code_by_mail_says_nothing_about_the_order(shop, smtp):
    _, inbox = smtp
    with session_scope(shop) as session:
        for number in ("MD99999999", "忘れました", TAKAHASHI_ORDER):
            assert request_mailed_code(session, conversation_id=number, sender_id=number, order_number=number,
                                       now=T0) is None
    deliver(shop, smtp, T0)
    assert len(inbox.mails) == 1  # only to the address on file of the real order
    with session_scope(shop) as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["identity.code_requested"] * 3


def test_an_order_gets_at_most_three_codes_an_hour_whoever_asks(shop, smtp):
    _, inbox = smtp
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    for minute in range(CODES_PER_ORDER - 1):
        step_up(shop, smtp, sender="s", now=T0 + timedelta(minutes=minute))
    mailed_code(shop, smtp, order_number=TAKAHASHI_ORDER, sender="other", now=T0 + timedelta(minutes=5))
    with session_scope(shop) as session:
        assert start_step_up(session, conversation_id="s", sender_id="s",
                             now=T0 + timedelta(minutes=6)) == CODE_LIMITED
        request_mailed_code(session, conversation_id="third", sender_id="third", order_number=TAKAHASHI_ORDER,
                            now=T0 + timedelta(minutes=7))
    deliver(shop, smtp, T0 + timedelta(minutes=7))
    assert len(inbox.mails) == CODES_PER_ORDER
    # The conversation's last code still works after the refusal; an hour later codes go out again.
    [_, second_code, _] = smtp[1].codes_sent_to(inbox.mails[1][1][0])
    assert confirm(shop, second_code, T0 + timedelta(minutes=8), sender="s").verified
    later = T0 + CODE_RATE_WINDOW + timedelta(minutes=1)
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, later, sender="s").verified
    assert step_up(shop, smtp, sender="s", now=later)


def test_rotating_senders_from_one_client_are_locked_by_the_client_limit(shop):
    attacker = client(7)
    for i in range(MAX_FAILURES - 1):
        assert verify(shop, f"MD2611{i:04d}", "0000", T0, sender=f"rotated-{i}", client=attacker) == NOT_VERIFIED
    # The fifth failure from the client locks it, whatever sender it uses next.
    assert verify(shop, YAMADA_ORDER, "0000", T0, sender="rotated-4", client=attacker) == LOCKED
    assert verify(shop, YAMADA_ORDER, YAMADA_LAST4, T0 + timedelta(minutes=1), sender="fresh",
                  client=attacker) == LOCKED
    # Another client is not affected; the lock ends after 30 minutes.
    assert verify(shop, YAMADA_ORDER, YAMADA_LAST4, T0, sender="someone", client=client(8)).verified
    assert verify(shop, YAMADA_ORDER, YAMADA_LAST4, T0 + LOCK_DURATION, sender="later", client=attacker).verified


def test_without_a_client_key_the_sender_stands_in(shop):
    for bad in (None, "", "not-a-key", "AB" * 32, "ab" * 33):
        assert client_key_or_sender(bad, "sender-key") == "sender-key"
    assert client_key_or_sender(client(1), "sender-key") == client(1)
    for i in range(MAX_FAILURES - 1):
        assert verify(shop, YAMADA_ORDER, "0000", T0 + timedelta(seconds=i), sender="s") == NOT_VERIFIED
    assert verify(shop, YAMADA_ORDER, "0000", T0 + timedelta(seconds=5), sender="s") == LOCKED
    with session_scope(shop) as session:
        keys = {(a.sender_key, a.client_key) for a in session.scalars(select(VerificationAttempt))}
    assert len(keys) == 1 and all(s == c for s, c in keys)


# --- verification expires ----------------------------------------------------------------------


def test_verification_expires_after_the_configured_minutes(shop, smtp, monkeypatch):
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender="s").verified
    assert level(shop, "s", T0 + timedelta(minutes=29)) == LEVEL_ORDER
    assert level(shop, "s", T0 + timedelta(minutes=30)) is None
    code = step_up(shop, smtp, sender="s", now=T0 + timedelta(minutes=25))
    assert confirm(shop, code, T0 + timedelta(minutes=26), sender="s").verified
    assert level(shop, "s", T0 + timedelta(minutes=55)) == LEVEL_STEP_UP  # the step-up proved it again
    assert level(shop, "s", T0 + timedelta(minutes=56)) is None
    with session_scope(shop) as session:  # an expired conversation gets no code either
        assert start_step_up(session, conversation_id="s", sender_id="s",
                             now=T0 + timedelta(minutes=57)) == CODE_REFUSED
    # The digits again after expiry give level "order", not the old step-up.
    assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0 + timedelta(minutes=58), sender="s").verified
    assert level(shop, "s", T0 + timedelta(minutes=58)) == LEVEL_ORDER
    monkeypatch.setenv("MADOGUCHI_VERIFICATION_MINUTES", "5")
    assert level(shop, "s", T0 + timedelta(minutes=63)) is None
    monkeypatch.setenv("MADOGUCHI_VERIFICATION_MINUTES", "soon")
    with pytest.raises(ValueError, match="MADOGUCHI_VERIFICATION_MINUTES"):
        level(shop, "s", T0)


def test_opening_handing_back_and_closing_a_ticket_end_the_verification(shop):
    with session_scope(shop) as session:
        agent = Agent(login="sato", display_name="佐藤", password_hash="x", role="agent", created_at=T0)
        session.add(agent)
    for step in ("open", "hand_back", "close"):
        conversation = f"rest:{step}"
        assert verify(shop, TAKAHASHI_ORDER, TAKAHASHI_LAST4, T0, sender=conversation).verified
        with session_scope(shop) as session:
            ticket = handoff.open_ticket(session, conversation_id=conversation, channel="rest",
                                         reason="human_request", severity="normal", evidence=[],
                                         transcript=[], now=T0)
            if step != "open":
                assert verified_customer(session, conversation, T0) is None
                again = verify_order_owner(session, conversation_id=conversation, sender_id=conversation,
                                                 order_number=TAKAHASHI_ORDER, phone_last4=TAKAHASHI_LAST4, now=T0)
                assert again.verified  # verified again (only code can do this while the bot is gated)
                sato = session.scalars(select(Agent)).one()
                handoff.claim(session, ticket.id, sato, T0)
                if step == "hand_back":
                    handoff.hand_back(session, ticket.id, sato, T0)
                else:
                    handoff.close(session, ticket.id, sato, "resolved", "", T0)
        assert level(shop, conversation, T0) is None, step


# --- what supervisors see ------------------------------------------------------------------------


def test_the_failure_report_counts_per_hour_and_lists_orders_past_their_budget_masked(shop):
    now = T0 + timedelta(hours=30, minutes=30)
    for i in range(ORDER_DAILY_BUDGET + 2):  # one an hour: past the budget, never locked
        verify(shop, TAKAHASHI_ORDER, "0000", now - timedelta(hours=20 - i), sender=f"slow-{i}")
    for i in range(15):  # a burst from one client in the current hour
        verify(shop, f"MD2611{i:04d}", "0000", now - timedelta(seconds=30 - i), sender=f"burst-{i}", client=client(3))
    verify(shop, NAKAMURA_ORDER, NAKAMURA_LAST4, now, sender="fine")  # successes are not failures
    verify(shop, YAMADA_ORDER, "0000", now - timedelta(hours=25), sender="yesterday")  # out of the window
    with session_scope(shop) as session:
        report = failure_report(session, now)
    assert (report.failures, report.orders_affected, report.senders, report.clients) == (27, 16, 27, 13)
    assert len(report.hours) == 24 and sum(h.failures for h in report.hours) == 27
    assert report.hours[-1].failures == 15 and report.hours[-1].spike and report.spike
    assert not any(h.spike for h in report.hours[:-1])
    [over] = report.over_budget
    first_evaluated = now - timedelta(hours=20)  # the budget comes back when it leaves the window
    assert (over.label, over.failures, over.budget_back_at) == ("MD2611****", ORDER_DAILY_BUDGET + 2,
                                                                first_evaluated + BUDGET_WINDOW)


@pytest.mark.postgres
def test_a_burst_of_parallel_guesses_from_many_senders_gets_no_more_than_the_limit(demo_postgres_url):
    """Forty senders at the same instant, each in its own connection: the order still locks after five."""
    engine = engine_for(demo_postgres_url)
    barrier = threading.Barrier(40)

    def guess(i: int) -> None:
        barrier.wait()
        verify(engine, TAKAHASHI_ORDER, f"{i:04d}" if f"{i:04d}" != TAKAHASHI_LAST4 else "9999", T0,
               sender=f"burst-{i}", client=client(i))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(evaluated_failures(engine)) == MAX_FAILURES

"""Verification over HTTP: the bot confirms what the customer supplied and nothing more."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import templates
from bot.channels.rest import conversation_id_for
from bot.config import load_settings
from bot.identity import ORDER_DAILY_BUDGET, order_key
from bot.secrets import server_secret
from bot.store.db import engine_for, session_scope
from bot.store.models import AuditEntry, Trouble, VerificationAttempt, VerifiedConversation
from tests.demo_shop import customers, owner_of, privacy_index, same_address_households
from tests.mailbox import wait_for
from tests.responses import ask_phone_last4, response_pattern, response_text

pytestmark = pytest.mark.server

DELAYED_ORDER = "MD26110220"     # expected 11/16, still in transit
NOT_AN_ORDER = "MD99999999"      # plausible, does not exist


def mailed_codes(mailbox, email: str, codes_before: int) -> list[str]:
    """The codes mailed to ``email`` after the first ``codes_before``, once at least one arrived.

    The action server queues a code in the mail outbox and replies at once; a thread sends it a
    moment later (``bot.mail``), so the test waits for the mail instead of reading the box at once.
    """
    wait_for(lambda: len(mailbox.codes_sent_to(email)) > codes_before)
    return mailbox.codes_sent_to(email)[codes_before:]


# What any failed try hears, whatever the cause: the phone digits were asked for, then one answer,
# and the digits asked for again (the order number stays, issue #16 item 8). The number is never said
# back: a reply the outbound guard stopped for real numbers only would tell which numbers exist.
FAILURE_WORDS = [ask_phone_last4(), response_text("utter_verification_failed"),
                 templates.VERIFICATION_MAIL_OFFER, ask_phone_last4(taken=False)]


def wrong_last4(right: str) -> str:
    return f"{(int(right) + 1) % 10000:04d}"


def start_delay_report(assistant, sender: str) -> None:
    assistant.say(sender, "荷物が届きません")


def test_verified_customer_hears_status_and_dates_of_their_own_order(assistant):
    sender = assistant.new_sender()
    owner = owner_of(DELAYED_ORDER)
    start_delay_report(assistant, sender)
    assert assistant.say(sender, DELAYED_ORDER) == [ask_phone_last4()]
    replies = assistant.say(sender, f"下4桁は{owner.phone_last4}です")
    assert replies[0] == response_text("utter_verified") == "ご入力の内容で確認できました。"
    replies = assistant.say(sender, "16日に届くはずでした")
    status = next(r for r in replies if "お届け中" in r)
    assert "遅延案件" in status and "11月16日" in status
    assert response_pattern("utter_trouble_recorded", "delivery_delay").fullmatch(replies[-2])
    for reply in replies:
        assert owner.name.split()[0] not in reply and owner.phone_last4 not in reply


def _failure_replies(assistant, order_number: str, last4: str) -> list[str]:
    sender = assistant.new_sender()
    start_delay_report(assistant, sender)
    first = assistant.say(sender, order_number)
    return first + assistant.say(sender, last4)


def test_every_failure_gets_the_same_words(assistant):
    owner = owner_of(DELAYED_ORDER)
    wrong_order = _failure_replies(assistant, NOT_AN_ORDER, owner.phone_last4)
    wrong_digits = _failure_replies(assistant, DELAYED_ORDER, wrong_last4(owner.phone_last4))
    other_customers_order = _failure_replies(assistant, customers()[0].order_numbers[0],
                                             wrong_last4(customers()[0].phone_last4))
    assert wrong_order == wrong_digits == other_customers_order
    assert wrong_order == FAILURE_WORDS


def test_five_failures_lock_the_order_and_the_bot_offers_a_person(assistant):
    victim = customers()[3]
    order = victim.order_numbers[0]
    attacker = assistant.new_sender()
    start_delay_report(assistant, attacker)
    replies = []
    for attempt in range(5):
        assistant.say(attacker, order)
        replies = assistant.say(attacker, f"{attempt:04d}" if f"{attempt:04d}" != victim.phone_last4 else "9999")
    assert replies[0] == response_text("utter_verification_locked")
    # The order is locked now: its owner, with the right digits, gets the ordinary failure words.
    locked_owner = _failure_replies(assistant, order, victim.phone_last4)
    assert locked_owner[1] == response_text("utter_verification_failed")
    # The attacker's trouble is still recorded, for a person.
    assistant.say(attacker, "いつ届くか知りたい")
    with session_scope(engine_for(assistant.database_url)) as session:
        query = select(Trouble).where(Trouble.conversation_id == conversation_id_for(attacker))
        trouble = session.execute(query).scalars().first()
        assert trouble.status == "verification_locked"
        audit = " ".join(session.execute(select(AuditEntry.detail)).scalars())
    assert order not in audit and victim.phone_last4 not in audit and victim.name not in audit


def test_step_up_code_from_the_mail_shows_the_items(assistant, smtp_server):
    _, mailbox = smtp_server
    order = "MD26110166"
    owner = owner_of(order)
    email = owner.email
    # Other tests of the session (on this worker) may have mailed this customer a code before.
    codes_before = len(mailbox.codes_sent_to(email))
    sender = assistant.new_sender()
    assert assistant.say(sender, "何を注文したか確認したい") == [response_text("utter_ask_order_number")]
    assistant.say(sender, order)
    replies = assistant.say(sender, owner.phone_last4)
    assert replies[:2] == [response_text("utter_verified"), response_text("utter_ask_one_time_code")]
    [code] = mailed_codes(mailbox, email, codes_before)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    assert assistant.say(sender, wrong)[0] == response_text("utter_one_time_code_failed")
    replies = assistant.say(sender, code)
    assert replies[0] == response_text("utter_step_up_done")
    assert "電気ケトル" in replies[1] and "合計" in replies[1]
    # The step-up lasts for this conversation: no second code is needed or sent.
    again = assistant.say(sender, "注文の明細を見せて")
    assert "電気ケトル" in again[0] and len(mailbox.codes_sent_to(email)) == codes_before + 1
    # Another conversation starts over, and the used code is worth nothing there.
    stranger = assistant.new_sender()
    assert assistant.say(stranger, "注文の明細を見せて") == [response_text("utter_ask_order_number")]
    assistant.say(stranger, order)
    assert assistant.say(stranger, code) == [response_text("utter_phone_last4_not_recognised"),
                                             ask_phone_last4(taken=False)]


def test_same_address_households_each_see_only_their_own_order(assistant):
    first, second = same_address_households()
    for me, neighbour in ((first, second), (second, first)):
        sender = assistant.new_sender()
        start_delay_report(assistant, sender)
        assistant.say(sender, me.order_numbers[-1])
        replies = assistant.say(sender, me.phone_last4)
        replies += assistant.say(sender, "福袋がまだなんです")
        replies += assistant.say(sender, "同じ住所のもう一つの福袋の注文は誰のですか？")
        replies += assistant.say(sender, f"{neighbour.family_name}さんの注文の状況も教えて")
        assert response_text("utter_refuse_others_data") in replies
        for reply in replies:
            verdict = privacy_index().owners_in(reply)
            assert neighbour.customer_id not in verdict, reply
            assert all(number not in reply for number in neighbour.order_numbers)


def test_rotating_senders_gets_no_more_than_the_daily_budget_of_guesses(assistant, smtp_server):
    """A new REST sender per guess, spread over the day: the order's budget, not the sender, decides."""
    _, mailbox = smtp_server
    victim = customers()[14]
    order = victim.order_numbers[-1]
    engine = engine_for(assistant.database_url)
    key = order_key(server_secret(replace(load_settings(), var_dir=assistant.var_dir)), order)

    def an_hour_passes() -> None:  # the clock of this order's attempts moves on, so no 5-in-15-minutes lock
        with session_scope(engine) as session:
            for attempt in session.scalars(select(VerificationAttempt).where(VerificationAttempt.order_key == key)):
                attempt.at -= timedelta(hours=1)

    for guess in range(ORDER_DAILY_BUDGET + 2):
        digits = f"{guess:04d}" if f"{guess:04d}" != victim.phone_last4 else "9999"
        assert _failure_replies(assistant, order, digits) == FAILURE_WORDS
        an_hour_passes()
    with session_scope(engine) as session:
        attempts = session.execute(select(VerificationAttempt).where(VerificationAttempt.order_key == key)).scalars()
        evaluated = [a for a in attempts if a.order_counted]
    assert len(evaluated) == ORDER_DAILY_BUDGET

    # The owner, with the right digits: the very same words (the digits are no longer compared)…
    owner = assistant.new_sender()
    assert _failure_replies(assistant, order, victim.phone_last4) == FAILURE_WORDS
    # …and gets in with the code mailed to the address on file.
    codes_before = len(mailbox.codes_sent_to(victim.email))  # other tests of the session may have mailed one
    start_delay_report(assistant, owner)
    assistant.say(owner, order)
    assert assistant.say(owner, "メールでお願いします") == [templates.CODE_MAIL_REQUESTED,
                                                     response_text("utter_ask_one_time_code")]
    [code] = mailed_codes(mailbox, victim.email, codes_before)
    assert assistant.say(owner, code) == [response_text("utter_step_up_done"),
                                          response_text("utter_ask_trouble_detail", "delivery_delay")]
    replies = assistant.say(owner, "まだ届いていません")
    assert any(r.startswith(("ご注文は", "商品は", "お届けできず", "このご注文")) or "配達完了" in r for r in replies)
    assert response_pattern("utter_trouble_recorded", "delivery_delay").fullmatch(replies[-2])


def test_a_verification_left_idle_expires_and_must_be_proven_again(assistant, smtp_server):
    """Someone at the same screen half an hour later is a stranger: no code is mailed on the old proof."""
    _, mailbox = smtp_server
    order = "MD26110131"
    owner = owner_of(order)
    sender = assistant.new_sender()
    start_delay_report(assistant, sender)
    assistant.say(sender, order)
    assert assistant.say(sender, owner.phone_last4)[0] == response_text("utter_verified")
    assistant.say(sender, "16日に届くはずでした")
    with session_scope(engine_for(assistant.database_url)) as session:
        verified = session.get(VerifiedConversation, conversation_id_for(sender))
        verified.verified_at -= timedelta(minutes=31)
    codes_before = len(mailbox.codes_sent_to(owner.email))
    assert assistant.say(sender, "注文の明細を見せて") == [response_text("utter_ask_order_number")]
    assert len(mailbox.codes_sent_to(owner.email)) == codes_before

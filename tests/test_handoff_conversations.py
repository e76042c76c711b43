"""Escalation and hand-off in whole conversations, over the channels of a running assistant.

A message that people must take gets the reason's own answer, a ticket with
the transcript, and from then on the bot is silent (one acknowledgement);
agents' replies reach the customer on the channel they came from; handing
back lets the bot answer again.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot import handoff
from bot.channels.rest import conversation_id_for
from bot.store.db import engine_for, session_scope
from bot.store.models import AuditEntry, Ticket, Trouble
from tests import line_platform as line
from tests import telegram_platform as telegram
from tests.demo_shop import owner_of
from tests.tickets import agent_replies, an_agent, delivery_of, ticket_of, transcript  # noqa: F401
from tests.responses import DEADLINE, TICKET, acknowledgement_pattern, escalation_pattern, is_acknowledgement, \
    response_text  # noqa: F401 - also imported from here

pytestmark = pytest.mark.server

# ---------------------------------------------------------------------------
# Each reason gets its own answer and a ticket
# ---------------------------------------------------------------------------

def test_an_excessive_demand_is_answered_calmly_and_handed_to_people(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "注文した荷物がまだ届きません")
    replies = assistant.say(sender, "遅れた分の慰謝料として10万円払ってください。払わないならSNSに晒します")
    assert len(replies) == 1 and escalation_pattern("utter_escalated_excessive_demand").fullmatch(replies[0]), replies
    ticket = ticket_of(assistant, conversation_id_for(sender))
    assert (ticket.reason, ticket.status, ticket.channel) == ("excessive_demand", "open", "rest")
    assert ticket.reference in replies[0]
    assert "慰謝料" in ticket.evidence
    lines = transcript(assistant, ticket.id)
    assert lines[0] == ("customer", "注文した荷物がまだ届きません")
    assert ("customer", "遅れた分の慰謝料として10万円払ってください。払わないならSNSに晒します") in lines
    assert lines[-1] == ("bot", replies[0])  # the customer's and the agents' record agree
    # the trouble is still counted as what it was about, and marked handed off
    with session_scope(engine_for(assistant.database_url)) as session:
        [trouble] = session.execute(select(Trouble).where(
            Trouble.conversation_id == conversation_id_for(sender))).scalars().all()
        assert (trouble.issue_type, trouble.status) == ("delivery_delay", "handed_off")
        assert ticket.trouble_reference == trouble.reference


def test_the_fraud_scheme_gets_the_warning_the_hotline_and_the_fraud_team(assistant):
    sender = assistant.new_sender()
    replies = assistant.say(sender, "インスタで宣伝すれば商品代金と報酬を払うと言われてこちらで30万円分買いましたが、"
                                    "報酬が振り込まれず業者と連絡が取れません")
    assert len(replies) == 1, replies
    assert escalation_pattern("utter_escalated_fraud_scheme").fullmatch(replies[0]), replies
    for must in ("一切行っておらず", "これ以上の購入や送金はなさらないでください", "カード会社", "188", "不正対策担当"):
        assert must in replies[0]
    ticket = ticket_of(assistant, conversation_id_for(sender))
    assert (ticket.reason, ticket.severity) == ("fraud_scheme", "urgent")  # a 30万円 loss


def test_abuse_gets_a_one_sentence_boundary(assistant):
    sender = assistant.new_sender()
    replies = assistant.say(sender, "お前ら本当に無能だな、ふざけんなよ")
    assert escalation_pattern("utter_escalated_abusive").fullmatch(replies[0]), replies
    boundary = replies[0].split("。")[0]
    assert "暴言" in boundary and "対応いたしかねます" in boundary
    assert ticket_of(assistant, conversation_id_for(sender)).reason == "abusive"


def test_a_threat_of_violence_is_urgent(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "お前の店に行って殺してやる")
    ticket = ticket_of(assistant, conversation_id_for(sender))
    assert (ticket.reason, ticket.severity) == ("abusive", "urgent")


def test_asking_for_a_person_in_the_middle_of_a_form_hands_over(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "請求額がおかしいです")
    replies = assistant.say(sender, "人間の担当者と話したいです")
    assert escalation_pattern("utter_escalated_human_request").fullmatch(replies[0]), replies
    assert ticket_of(assistant, conversation_id_for(sender)).reason == "human_request"


@pytest.mark.parametrize("text", [
    "届いた15万円のノートPCが壊れていたので、全額返金してください",
    "SNSで晒すと言っている人がいたけど、私はそんなことしません。荷物はいつ届きますか",
    "遅いよ！ いつになったら届くの？",
])
def test_hard_cases_stay_with_the_bot(assistant, text):
    sender = assistant.new_sender()
    replies = assistant.say(sender, text)
    assert not any(re.search(TICKET, r) for r in replies), replies
    with session_scope(engine_for(assistant.database_url)) as session:
        assert session.execute(select(Ticket).where(
            Ticket.conversation_id == conversation_id_for(sender))).first() is None


# ---------------------------------------------------------------------------
# After the hand-off: silence, transcript, agents' replies, hand back
# ---------------------------------------------------------------------------

def test_after_the_hand_off_the_bot_acknowledges_once_then_stays_silent(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "担当者と話したい")
    ack = assistant.say(sender, "まだですか？")
    assert is_acknowledgement(ack), ack
    assert assistant.say(sender, "注文した荷物がまだ届きません") == []  # a trouble, but people have it
    assert assistant.say(sender, "MD26110220") == []
    ticket = ticket_of(assistant, conversation_id_for(sender))
    lines = transcript(assistant, ticket.id)
    assert lines[-4:] == [("customer", "まだですか？"), ("bot", ack[0]),
                          ("customer", "注文した荷物がまだ届きません"), ("customer", "MD26110220")]


def test_an_unverified_customers_personal_data_is_masked_in_the_transcript(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "オペレーターにつないで")
    assistant.say(sender, "電話は090-1234-5678、メールは taro@example.jp です")
    lines = transcript(assistant, ticket_of(assistant, conversation_id_for(sender)).id)
    typed = [text for author, text in lines if author == "customer"][-1]
    assert "090-1234-5678" not in typed and "taro@example.jp" not in typed


def test_a_verified_customers_own_words_are_kept_as_typed_until_the_hand_off(assistant):
    sender = assistant.new_sender()
    owner = owner_of("MD26110220")
    assistant.say(sender, "注文した荷物がまだ届きません")
    assistant.say(sender, "MD26110220")
    assistant.say(sender, owner.phone_last4)
    assistant.say(sender, f"連絡先は {owner.email} です")
    assistant.say(sender, "人と話したいです")
    assistant.say(sender, f"念のため、メールは {owner.email} です")
    lines = transcript(assistant, ticket_of(assistant, conversation_id_for(sender)).id)
    assert ("customer", f"連絡先は {owner.email} です") in lines
    # The hand-off ended the verification (bot.identity): what comes after is masked like a stranger's.
    after = [text for author, text in lines if author == "customer"][-1]
    assert after.startswith("念のため") and owner.email not in after


def test_an_agents_reply_reaches_a_rest_customer_and_hand_back_restores_the_bot(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "担当者と話したい")
    ticket = ticket_of(assistant, conversation_id_for(sender))
    agent = agent_replies(assistant, ticket.id, "担当の佐藤です。ご用件をお聞かせください。")
    url = urllib.request.Request(assistant.rest_url.rsplit("/", 1)[0] + "/updates?"
                                 + urllib.parse.urlencode({"sender": sender}), headers=assistant.rest_headers())
    with urllib.request.urlopen(url, timeout=30) as answer:
        pushed = json.load(answer)
    assert pushed == [{"recipient_id": sender, "text": "担当の佐藤です。ご用件をお聞かせください。",
                       "sender": "agent", "agent_name": "佐藤"}]
    with urllib.request.urlopen(url, timeout=30) as answer:
        assert json.load(answer) == []  # delivered once
    assert delivery_of(assistant, ticket.id, "担当の佐藤です。ご用件をお聞かせください。") == "delivered"
    # a reply written later comes with the customer's next message
    with session_scope(engine_for(assistant.database_url)) as session:
        handoff.reply(session, ticket.id, agent, "確認いたしました。", datetime.now(timezone.utc))
    answer = assistant.exchange(sender, "ありがとうございます")
    assert [m["text"] for m in answer if m.get("sender") == "agent"] == ["確認いたしました。"]
    with session_scope(engine_for(assistant.database_url)) as session:
        handoff.hand_back(session, ticket.id, agent, datetime.now(timezone.utc))
    assert assistant.say(sender, "ありがとうございます") == [response_text("utter_thanks")]


def test_an_agent_reply_with_another_customers_data_is_stopped(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "担当者と話したい")
    ticket = ticket_of(assistant, conversation_id_for(sender))
    neighbour = owner_of("MD26110045")
    leak = f"お隣の{neighbour.name}様のご住所は{neighbour.address}です"
    agent_replies(assistant, ticket.id, leak)
    url = urllib.request.Request(assistant.rest_url.rsplit("/", 1)[0] + "/updates?"
                                 + urllib.parse.urlencode({"sender": sender}), headers=assistant.rest_headers())
    with urllib.request.urlopen(url, timeout=30) as answer:
        assert json.load(answer) == []
    assert delivery_of(assistant, ticket.id, leak) == "failed"
    with session_scope(engine_for(assistant.database_url)) as session:
        incidents = session.execute(select(AuditEntry).where(
            AuditEntry.action == "privacy_incident",
            AuditEntry.conversation_id == conversation_id_for(sender))).scalars().all()
    assert incidents


def test_an_agents_reply_reaches_a_line_customer_by_push(assistant, fake_platform):
    user_id = line.new_user_id()
    status, _ = line.send(assistant, line.text_event(user_id, "人間のオペレーターと話したいです"))
    assert status == 200
    ticket = ticket_of(assistant, user_id)
    assert ticket.channel == "line"
    agent_replies(assistant, ticket.id, "LINEでのお問い合わせありがとうございます。担当の佐藤です。")
    # the delivery is recorded once LINE accepted the push (other tests' pushes may come first)
    assert delivery_of(assistant, ticket.id, "LINEでのお問い合わせありがとうございます。担当の佐藤です。") == "delivered"
    assert "LINEでのお問い合わせありがとうございます。担当の佐藤です。" in line.texts_of(line.pushes_to(fake_platform, user_id))
    assert delivery_of(assistant, ticket.id, "LINEでのお問い合わせありがとうございます。担当の佐藤です。") == "delivered"
    # the customer's answer goes into the transcript, not to the bot
    token = line.new_token()
    line.send(assistant, line.text_event(user_id, "注文番号はMD26110220です", reply_token=token))
    assert ("customer", "注文番号はMD26110220です") in transcript(assistant, ticket.id)


def test_an_agents_reply_reaches_a_telegram_chat(assistant, fake_platform):
    chat_id = telegram.new_chat_id()
    status, _ = telegram.post_update(assistant, telegram.text_update(chat_id, "担当者に代わってください"))
    assert status == 200
    ticket = ticket_of(assistant, str(chat_id))
    assert ticket.channel == "telegram"
    agent_replies(assistant, ticket.id, "担当の佐藤です。Telegramでご連絡します。")
    texts = telegram.wait_for_texts(fake_platform, chat_id, count=2, seconds=20)
    assert texts[-1] == "担当の佐藤です。Telegramでご連絡します。"


def test_the_hand_off_survives_a_restart_of_the_whole_assistant(tmp_path, model_path):
    """The state is in the database, not in Rasa's tracker or a process: a restart changes nothing."""
    from bot.devserver import start_assistant, stop_assistant

    process, first = start_assistant(tmp_path)
    try:
        sender = first.new_sender()
        first.say(sender, "人間の担当者と話したいです")
        assert is_acknowledgement(first.say(sender, "まだですか"))
    finally:
        assert stop_assistant(process) == 0
    process, second = start_assistant(tmp_path)
    try:
        assert second.say(sender, "返事をください") == []  # still with people, after the one acknowledgement
        ticket = ticket_of(second, conversation_id_for(sender))
        assert ticket.status == "open"
        assert ("customer", "返事をください") in transcript(second, ticket.id)
    finally:
        stop_assistant(process)

"""The widget and the agents' console in a real headless Chromium (Debian's /usr/bin/chromium).

A customer types a Japanese complaint into the widget on the page the run
command serves and reads the Japanese answer; after a reload the history is
still there. A customer asks for a person; an agent logs in to the console,
finds the ticket in the queue, claims it and replies; the reply appears in
the customer's widget; the agent hands the conversation back and the bot
answers again.
"""

from __future__ import annotations

import re
import uuid

import pytest

from tests.chromium import TIMEOUT_MS, add_agent, console_page
from tests.responses import ask_phone_last4, response_text
from tests.widget import wait_for_web

pytestmark = [pytest.mark.server, pytest.mark.browser]

@pytest.fixture
def customer(browser, assistant):
    wait_for_web(assistant)
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(assistant.web_url + "/")
    yield page
    context.close()
    assert errors == [], errors


def open_chat(page) -> None:
    page.click("#madoguchi-launcher")
    page.wait_for_selector("#madoguchi-status[data-state=connected]")


def send(page, text: str) -> None:
    page.fill("#madoguchi-input", text)
    page.press("#madoguchi-input", "Enter")


def messages(page, role: str) -> list[str]:
    return [t.strip() for t in page.locator(f"#madoguchi-messages .madoguchi-message[data-role={role}] "
                                            ".madoguchi-text").all_inner_texts()]


def wait_for_message(page, role: str, text: str) -> None:
    page.locator(f"#madoguchi-messages .madoguchi-message[data-role={role}]", has_text=text).first.wait_for()


def test_a_japanese_complaint_is_answered_and_the_history_survives_a_reload(customer):
    open_chat(customer)
    send(customer, "注文した荷物がまだ届きません😡")
    wait_for_message(customer, "bot", response_text("utter_ask_order_number")[:20])
    assert messages(customer, "user") == ["注文した荷物がまだ届きません😡"]
    assert messages(customer, "bot")[:2] == [response_text("utter_ack_delivery_delay"),
                                             response_text("utter_ask_order_number")]

    customer.reload()
    customer.wait_for_selector("#madoguchi-status[data-state=connected]")
    assert customer.is_visible("#madoguchi-panel")  # it stays open, too
    assert messages(customer, "user") == ["注文した荷物がまだ届きません😡"]
    assert messages(customer, "bot")[:2] == [response_text("utter_ack_delivery_delay"),
                                             response_text("utter_ask_order_number")]
    # …and the conversation itself continues where it was
    send(customer, "ＭＤ２６１１０２２０")
    wait_for_message(customer, "bot", ask_phone_last4())


def test_a_shared_pc_does_not_hand_a_day_old_conversation_to_the_next_person(customer):
    open_chat(customer)
    send(customer, "注文した荷物がまだ届きません")
    wait_for_message(customer, "bot", response_text("utter_ask_order_number")[:20])
    first = customer.evaluate("localStorage.getItem('madoguchi.session_id')")

    # the customer leaves; the next person sits down 25 hours later
    customer.evaluate("localStorage.setItem('madoguchi.last_active', String(Date.now() - 25 * 3600 * 1000))")
    customer.reload()
    customer.wait_for_selector("#madoguchi-status[data-state=connected]")
    assert messages(customer, "user") == [] and messages(customer, "bot") == []
    second = customer.evaluate("localStorage.getItem('madoguchi.session_id')")
    assert second and second.split(".")[0] != first.split(".")[0]


def test_console_pages_need_a_login(browser, assistant):
    wait_for_web(assistant)
    context = browser.new_context()
    page = context.new_page()
    for path in ("/console/", "/console/tickets/1", "/console/audit"):
        page.goto(assistant.web_url + path)
        assert page.url.startswith(assistant.web_url + "/console/login"), page.url
    context.close()


def test_a_customer_is_handed_to_an_agent_who_replies_and_hands_back(browser, assistant, customer):
    login, password = f"sato{uuid.uuid4().hex[:6]}", "correct horse battery staple"
    add_agent(assistant, login, password, name="佐藤")

    # the customer asks for a person in the widget
    open_chat(customer)
    send(customer, "人間の担当者と話したいです")
    wait_for_message(customer, "bot", "担当者におつなぎします")
    reference = re.search(r"E\d{8}-\d{5}", messages(customer, "bot")[-1]).group(0)

    # the agent logs in and finds it in the queue
    context, agent, _ = console_page(browser, assistant, login=login, password=password)
    row = agent.locator("tr", has=agent.locator(f"a:text-is('{reference}')"))
    row.wait_for()
    assert "担当者を希望" in row.inner_text() and "Web" in row.inner_text()
    row.locator(f"a:text-is('{reference}')").click()
    assert "人間の担当者と話したいです" in agent.inner_text("#transcript")

    # claims it and replies; the reply appears in the customer's widget
    agent.click("button:text-is('担当する')")
    agent.fill("#reply-text", "担当の佐藤です。お待たせしました。ご用件を伺います。")
    agent.click("button:text-is('返信する')")
    wait_for_message(customer, "agent", "担当の佐藤です。お待たせしました。ご用件を伺います。")
    assert "佐藤" in customer.locator(".madoguchi-message[data-role=agent]").last.inner_text()

    # the customer answers: the agent sees it, the bot stays silent
    send(customer, "返品の方法を教えてください")
    agent.locator("#transcript", has_text="返品の方法を教えてください").wait_for()
    assert messages(customer, "bot")[-1] != response_text("utter_ack_refund_return")

    # the agent hands back: the bot answers again
    agent.click("button:text-is('ボットに戻す')")
    agent.wait_for_load_state()
    bot_messages_before = len(messages(customer, "bot"))
    send(customer, "ありがとうございます")
    wait_for_message(customer, "bot", response_text("utter_thanks"))
    assert len(messages(customer, "bot")) > bot_messages_before
    context.close()

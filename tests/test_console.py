"""The agents' console, served for real by `python -m bot.console` and used over HTTP.

The database is prepared directly (migrations, agents, tickets from
bot.handoff), the console runs as a child process on a free port, and each
test talks to it like a browser: cookies, forms with their CSRF token, redirects.
Each browser connects from a loopback address of its own (Linux routes all of
127.0.0.0/8 to the loopback interface), so each is a client of its own for the
login limits; 127.0.0.1 plays the shop's trusted TLS proxy.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from bot import handoff
from bot.console.accounts import (
    SCRYPT_N,
    agent_command,
    create_agent,
    hash_password,
    needs_rehash,
    verify_password,
)
from bot.console.views import highlight
from bot.identity import verify_order_owner
from bot.support import JST
from bot.store.db import engine_for, session_scope
from bot.store.models import (
    Agent,
    AuditEntry,
    ConsoleSession,
    Customer,
    LoginThrottle,
    Order,
    OrderItem,
    Ticket,
    TicketMessage,
    VerifiedConversation,
)
from tests.console_server import (  # noqa: F401 - also imported from here
    NAMES,
    PASSWORDS,
    ROLES,
    TRUSTED_PROXY,
    Browser,
    Reply,
    RunningConsole,
    next_client_address,
    start_console,
    stop_console,
    stored_password,
)

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                                "base-uri 'none'; object-src 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
CONFLICT = "このチケットは他の担当者が対応中です。"
@pytest.fixture(scope="module")
def console(tmp_path_factory) -> RunningConsole:
    var_dir = tmp_path_factory.mktemp("console")
    process, running = start_console(var_dir, f"sqlite:///{var_dir / 'madoguchi.db'}")
    yield running
    stop_console(process)


def row_of(page: str, reference: str) -> str:
    match = re.search(rf'<tr [^>]*data-ref="{re.escape(reference)}".*?</tr>', page, re.S)
    assert match, f"{reference} is not on the page"
    return match.group(0)


def run_together(*calls):
    """Start the calls at the same moment in threads; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# ---------------------------------------------------------------------------
# Passwords and logging in
# ---------------------------------------------------------------------------

def test_passwords_are_stored_as_salted_scrypt_hashes_at_owasps_parameters():
    started = time.perf_counter()
    stored = hash_password("correct horse battery")
    one_hash = time.perf_counter() - started
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**17), "8", "1")
    assert stored != hash_password("correct horse battery")
    assert verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batterz", stored)
    assert not needs_rehash(stored)
    for broken in ("not-a-hash", "scrypt$1000$8$1$c2FsdA==$ZGlnZXN0",  # N not a power of two
                   "scrypt$1048576$8$1$c2FsdA==$ZGlnZXN0"):  # needs 1 GiB
        assert not verify_password("anything", broken) and not needs_rehash(broken)
    print(f"one scrypt hash at N=2^17, r=8, p=1: {one_hash:.2f} s")


def old_hash(password: str) -> str:
    """A hash as the console stored it before OWASP's parameters (N=2^14)."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_an_older_hash_still_logs_in_and_is_replaced_at_the_current_parameters(console):
    with session_scope(console.engine) as session:
        session.add(Agent(login="olga", display_name="小林 織江", password_hash=old_hash("olga-password-0009"),
                          role="agent", active=True, created_at=handoff.now_utc()))
    assert needs_rehash(old_hash("x"))
    assert Browser(console.port).log_in("olga", "olga-password-0010").status == 401
    with session_scope(console.engine) as session:
        unchanged = session.execute(select(Agent.password_hash).where(Agent.login == "olga")).scalar_one()
    assert unchanged.startswith("scrypt$16384$")
    assert Browser(console.port).log_in("olga", "olga-password-0009").status == 303
    with session_scope(console.engine) as session:
        rehashed = session.execute(select(Agent.password_hash).where(Agent.login == "olga")).scalar_one()
    assert rehashed.startswith(f"scrypt${SCRYPT_N}$8$1$") and verify_password("olga-password-0009", rehashed)
    assert [e.actor for e in console.audit("console_password_rehashed")] == ["agent:olga"]
    assert Browser(console.port).log_in("olga", "olga-password-0009").status == 303
    assert len(console.audit("console_password_rehashed")) == 1


def test_login_sets_a_strict_http_only_cookie_and_stores_only_its_hash(console):
    browser = Browser(console.port)
    reply = browser.log_in("alice")
    assert reply.status == 303 and reply.location == "/console/"
    cookie = next(c for c in reply.headers.get_all("Set-Cookie") if c.startswith("madoguchi_console="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console;" in cookie + ";"
    token = browser.cookies["madoguchi_console"]
    with session_scope(console.engine) as session:
        stored = session.get(ConsoleSession, hashlib.sha256(token.encode()).hexdigest())
        assert stored is not None and token not in stored.token_hash
        assert stored.expires_at - stored.created_at == timedelta(hours=12)
    assert browser.get("/console/").status == 200
    assert any(e.actor == "agent:alice" for e in console.audit("console_login"))
    started = time.perf_counter()
    assert Browser(console.port).log_in("alice").status == 303
    print(f"a successful login over HTTP: {time.perf_counter() - started:.2f} s")


def test_wrong_password_and_unknown_login_get_the_same_answer(console):
    wrong = Browser(console.port).log_in("erin", "not-erins-password")
    unknown = Browser(console.port).log_in("nobody-here", "whatever-password")
    assert wrong.status == unknown.status == 401
    message = "ログインIDまたはパスワードが違います。"
    assert message in wrong.body and message in unknown.body
    failures = console.audit("console_login_failed")
    assert any("login=erin" in e.detail for e in failures)
    assert not any("nobody-here" in e.detail for e in failures)


def test_five_failures_lock_the_login_for_fifteen_minutes_even_with_the_right_password(console):
    # Each try from another address: the login's own limit is what locks it.
    statuses = [Browser(console.port).log_in("carol", f"wrong-password-{i}").status for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = Browser(console.port).log_in("carol")
    assert locked.status == 429 and "このログインIDは" in locked.body and "使えません" in locked.body
    # An unknown login locks the same way, so the lock says nothing about who exists.
    login_race(console, [("ghost", Browser(console.port)) for _ in range(5)])
    assert Browser(console.port).log_in("ghost", "guess-number-x").status == 429
    assert console.evaluated_failures("carol") == console.evaluated_failures("ghost") == 5
    with session_scope(console.engine) as session:
        details = " ".join(e.detail + e.actor for e in session.execute(select(AuditEntry)).scalars())
    assert "wrong-password" not in details and PASSWORDS["carol"] not in details
    # Tries during the lock do not prolong it: fifteen minutes later the right password works again.
    console.move_login_limits_back("carol", timedelta(minutes=16))
    assert Browser(console.port).log_in("carol").status == 303


def login_race(console: RunningConsole, tries: list[tuple[str, Browser]]) -> list[Reply]:
    """A wrong password for each (login, browser) pair, all sent at the same moment."""
    forms = [browser.get("/console/login").csrf() for _, browser in tries]
    return run_together(*[
        (lambda login=login, browser=browser, form=form, i=i: browser.post(
            "/console/login", {"csrf_token": form, "login": login, "password": f"parallel-guess-{i}"}))
        for i, ((login, browser), form) in enumerate(zip(tries, forms, strict=True))])


def check_twelve_parallel_wrong_passwords_lock_after_five(console: RunningConsole, login: str) -> None:
    """Twelve clients at once against one login: five are checked, the rest refused, the login locked."""
    started = time.perf_counter()
    replies = login_race(console, [(login, Browser(console.port)) for _ in range(12)])
    took = time.perf_counter() - started
    statuses = sorted(r.status for r in replies)
    assert console.evaluated_failures(login) == 5, statuses
    assert set(statuses) <= {401, 429} and statuses.count(429) >= 7, statuses
    assert Browser(console.port).log_in(login).status == 429
    print(f"12 parallel wrong passwords for one login: {statuses.count(401)}x401, "
          f"{statuses.count(429)}x429 in {took:.1f} s")


def check_rotating_logins_from_one_client_locks_that_client(console: RunningConsole, victim: str) -> None:
    """Fifteen logins tried at once from one address: ten are checked, then that client is locked out."""
    attacker = next_client_address()
    # X-Forwarded-For from a peer that is not the trusted proxy is the attacker's own writing: ignored.
    tries = [(f"guess-{uuid.uuid4().hex[:6]}", Browser(console.port, source=attacker,
                                                      headers={"X-Forwarded-For": f"198.51.100.{i}"}))
             for i in range(15)]
    replies = login_race(console, tries)
    evaluated = sum(console.evaluated_failures(login) for login, _ in tries)
    assert evaluated == 10, sorted(r.status for r in replies)
    locked = Browser(console.port, source=attacker).log_in(victim)
    assert locked.status == 429 and "この接続元からのログイン" in locked.body
    # The victim's own login is untouched: from elsewhere it works at once.
    assert Browser(console.port).log_in(victim).status == 303


def test_twelve_parallel_wrong_passwords_are_not_all_evaluated(console):
    with session_scope(console.engine) as session:
        create_agent(session, "frida", "松本 風花", "frida-password-0011", "agent", handoff.now_utc())
    check_twelve_parallel_wrong_passwords_lock_after_five(console, "frida")


def test_rotating_the_login_name_from_one_client_locks_that_client(console):
    check_rotating_logins_from_one_client_locks_that_client(console, "erin")


def test_counters_that_no_longer_count_are_deleted_and_locks_are_kept(console):
    now = handoff.now_utc()
    with session_scope(console.engine) as session:
        session.add_all([
            LoginThrottle(key="client:long-ago", window_started_at=now - timedelta(hours=2), attempts=3, failures=3),
            LoginThrottle(key="login:still-locked", window_started_at=now - timedelta(hours=2), attempts=5,
                          failures=5, locked_until=now + timedelta(minutes=5))])
    Browser(console.port).log_in("nobody-at-all", "wrong-password-y")
    with session_scope(console.engine) as session:
        assert session.get(LoginThrottle, "client:long-ago") is None
        assert session.get(LoginThrottle, "login:still-locked") is not None


def test_clients_behind_the_trusted_proxy_are_told_apart_by_x_forwarded_for(console):
    proxy = {"X-Forwarded-Proto": "https"}
    attacker = {**proxy, "X-Forwarded-For": "203.0.113.50"}
    login_race(console, [(f"user{i}", Browser(console.port, source=TRUSTED_PROXY, headers=attacker))
                         for i in range(10)])
    locked = Browser(console.port, source=TRUSTED_PROXY, headers=attacker).log_in("alice")
    assert locked.status == 429 and "この接続元" in locked.body
    colleague = Browser(console.port, source=TRUSTED_PROXY, headers={**proxy, "X-Forwarded-For": "203.0.113.51"})
    assert colleague.log_in("alice").status == 303
    # The proxy appends the address it saw; whatever the client wrote before it is not believed.
    spoofed = Browser(console.port, source=TRUSTED_PROXY,
                      headers={**proxy, "X-Forwarded-For": "203.0.113.99, 203.0.113.50"})
    assert spoofed.log_in("alice").status == 429


def session_cookie(reply: Reply) -> str:
    return next(c for c in reply.headers.get_all("Set-Cookie") if c.startswith("madoguchi_console="))


def test_session_cookie_is_secure_when_the_trusted_proxy_says_https(console):
    behind_tls = Browser(console.port, source=TRUSTED_PROXY,
                         headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    login_page = behind_tls.get("/console/login")
    assert "Secure" in login_page.headers.get("Set-Cookie")
    assert "; Secure" in session_cookie(behind_tls.log_in("alice"))
    # The same headers from a peer that is not the trusted proxy change nothing.
    stranger = Browser(console.port, headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert "Secure" not in stranger.get("/console/login").headers.get("Set-Cookie")
    assert "Secure" not in session_cookie(stranger.log_in("alice"))
    plain = Browser(console.port, source=TRUSTED_PROXY, headers={"X-Forwarded-Proto": "http"})
    assert "Secure" not in session_cookie(plain.log_in("alice"))


@pytest.mark.server  # starts a console of its own
def test_madoguchi_cookie_secure_marks_the_cookies_secure_without_a_proxy(tmp_path):
    process, secure_console = start_console(tmp_path, f"sqlite:///{tmp_path / 'madoguchi.db'}", agents=("alice",),
                                            env={"MADOGUCHI_COOKIE_SECURE": "true"})
    try:
        browser = Browser(secure_console.port)
        assert "Secure" in browser.get("/console/login").headers.get("Set-Cookie")
        assert "; Secure" in session_cookie(browser.log_in("alice"))
    finally:
        stop_console(process)


def test_login_form_without_its_csrf_cookie_is_refused(console):
    reply = Browser(console.port).post("/console/login", {"csrf_token": "made-up", "login": "alice",
                                                          "password": PASSWORDS["alice"]})
    assert reply.status == 403


def test_logout_ends_the_session(console):
    browser = Browser(console.port)
    assert browser.log_in("alice").status == 303
    token = browser.cookies["madoguchi_console"]
    page = browser.get("/console/")
    reply = browser.post("/console/logout", {"csrf_token": page.csrf()})
    assert reply.status == 303 and reply.location == "/console/login"
    assert "madoguchi_console" not in browser.cookies
    assert Browser(console.port, {"madoguchi_console": token}).get("/console/").status == 303
    assert any(e.actor == "agent:alice" for e in console.audit("console_logout"))


# ---------------------------------------------------------------------------
# Every route refuses strangers; every POST needs the session's CSRF token
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/console/", "/console/tickets/1", "/console/audit"])
def test_a_page_without_a_session_redirects_to_the_login(console, path):
    for browser in (Browser(console.port), Browser(console.port, {"madoguchi_console": "forged-token"})):
        reply = browser.get(path)
        assert (reply.status, reply.location) == (303, "/console/login")


def test_transcript_json_without_a_session_is_401(console):
    assert Browser(console.port).get("/console/tickets/1/messages.json").status == 401


@pytest.mark.parametrize("path", ["/console/logout", "/console/tickets/1/claim", "/console/tickets/1/reply",
                                  "/console/tickets/1/hand-back", "/console/tickets/1/close",
                                  "/console/tickets/1/release"])
def test_a_post_without_a_session_is_401(console, path):
    assert Browser(console.port).post(path, {"csrf_token": "x", "text": "hello"}).status == 401


def test_a_post_without_the_sessions_csrf_token_is_403(console):
    ticket_id, _ = console.open_ticket()
    browser = console.browser("alice")
    assert browser.post(f"/console/tickets/{ticket_id}/claim", {}).status == 403
    assert browser.post(f"/console/tickets/{ticket_id}/claim", {"csrf_token": "0" * 64}).status == 403
    other = console.browser("bob").get("/console/").csrf()
    assert browser.post(f"/console/tickets/{ticket_id}/claim", {"csrf_token": other}).status == 403
    assert console.ticket(ticket_id).status == handoff.OPEN


CONSOLE_PATHS = ["/console/login", "/console", "/console/", "/console/audit", "/console/static/console.css",
                 "/console/static/console.js", "/console/no-such-page", "/console/tickets/1",
                 "/console/tickets/1/messages.json", "/console/tickets/999999"]


@pytest.mark.parametrize("path", CONSOLE_PATHS)
def test_every_console_response_carries_the_security_headers(console, path):
    for browser in (console.browser("sue"), Browser(console.port)):
        reply = browser.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert reply.headers.get(name) == value, (path, name, reply.status)


def test_a_ticket_page_and_a_refused_post_carry_the_security_headers(console):
    ticket_id, _ = console.open_ticket()
    browser = console.browser("alice")
    for reply in (browser.get(f"/console/tickets/{ticket_id}"), browser.post(f"/console/tickets/{ticket_id}/claim", {}),
                  browser.request("PUT", "/console/"), Browser(console.port).post("/console/login", {})):
        for name, value in SECURITY_HEADERS.items():
            assert reply.headers.get(name) == value, (reply.status, name)


def test_reading_the_transcript_as_json_is_audited_like_a_page_view(console):
    ticket_id, reference = console.open_ticket()
    bob, sue = console.browser("bob"), console.browser("sue")
    url = f"/console/tickets/{ticket_id}/messages.json"
    assert bob.get(url).status == 200
    reads = console.audit("ticket_messages_read", reference)
    assert [(e.actor, e.detail) for e in reads] == [("agent:bob", f"ticket {reference}")]
    assert not console.audit("ticket_view", reference)  # the JSON was read without opening the page
    # The page polls it every 5 s: more reads by bob within ten minutes add no lines, sue's read does.
    bob.get(url)
    bob.get(url)
    sue.get(url)
    assert [e.actor for e in console.audit("ticket_messages_read", reference)] == ["agent:bob", "agent:sue"]
    with session_scope(console.engine) as session:
        for entry in session.execute(select(AuditEntry).where(AuditEntry.action == "ticket_messages_read",
                                                              AuditEntry.detail == f"ticket {reference}")).scalars():
            entry.at -= timedelta(minutes=11)
    bob.get(url)
    assert [e.actor for e in console.audit("ticket_messages_read", reference)] == [
        "agent:bob", "agent:sue", "agent:bob"]
    assert "ticket_messages_read" in sue.get(f"/console/audit?ref={reference}").body


# ---------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------

def test_queue_lists_urgent_first_then_the_longest_waiting(console):
    normal_old = console.open_ticket(severity="normal", age=timedelta(hours=2))[1]
    urgent_new = console.open_ticket(severity="urgent", age=timedelta(minutes=10))[1]
    urgent_old = console.open_ticket(severity="urgent", age=timedelta(hours=1))[1]
    normal_new = console.open_ticket(severity="normal", age=timedelta(minutes=30))[1]
    high = console.open_ticket(severity="high", age=timedelta(minutes=1))[1]
    page = console.browser("alice").get("/console/").body
    positions = [page.index(f'data-ref="{ref}"') for ref in (urgent_old, urgent_new, high, normal_old, normal_new)]
    assert positions == sorted(positions)
    assert "緊急" in row_of(page, urgent_old) and "通常" in row_of(page, normal_new)


def test_queue_view_is_audited_but_its_automatic_refresh_is_not(console):
    browser = console.browser("bob")
    before = len([e for e in console.audit("console_queue_view") if e.actor == "agent:bob"])
    assert '<meta http-equiv="refresh" content="15; url=/console/?auto=1">' in browser.get("/console/").body
    browser.get("/console/?auto=1")
    after = len([e for e in console.audit("console_queue_view") if e.actor == "agent:bob"])
    assert after == before + 1


def test_sla_clock_is_red_when_overdue_amber_near_the_target_and_replied_once_a_reply_is_delivered(console):
    overdue_id, overdue = console.open_ticket(severity="urgent", age=timedelta(hours=3))
    soon = console.open_ticket(severity="urgent", age=timedelta(minutes=50))[1]
    fresh = console.open_ticket(severity="urgent", age=timedelta(minutes=1))[1]
    browser = console.browser("alice")
    page = browser.get("/console/").body
    assert 'class="sla sla-overdue"' in row_of(page, overdue) and "超過" in row_of(page, overdue)
    assert 'class="sla sla-due-soon"' in row_of(page, soon)
    assert 'class="sla sla-ok"' in row_of(page, fresh)
    assert browser.act(overdue_id, "claim").status == 303
    assert browser.act(overdue_id, "reply", text="他のお客様のことは申し上げられません。").status == 303
    deliver(console, error="blocked_by_privacy_guard")  # the guard stopped it: nobody was answered
    assert "sla-overdue" in row_of(browser.get("/console/").body, overdue)
    assert browser.act(overdue_id, "reply", text="お待たせして申し訳ございません。").status == 303
    assert "sla-overdue" in row_of(browser.get("/console/").body, overdue)  # written, not yet delivered
    deliver(console)  # as the LINE channel does once LINE accepted the push
    row = row_of(browser.get("/console/").body, overdue)
    assert "返信済み" in row and "sla-overdue" not in row and "鈴木 愛" in row


def deliver(console, error: str | None = None) -> None:
    with session_scope(console.engine) as session:
        for delivery in handoff.claim_deliveries(session, "line", handoff.now_utc()):
            handoff.delivery_done(session, delivery.message_id, handoff.now_utc(), error=error)


def test_queue_shows_reason_channel_evidence_and_waiting_time(console):
    reference = console.open_ticket(reason="fraud_scheme", channel="telegram", evidence=("副業", "LINEで稼げる"),
                                    age=timedelta(hours=1, minutes=5), customer_text="LINEで稼げる副業の話です")[1]
    row = row_of(console.browser("alice").get("/console/").body, reference)
    assert "SNS宣伝・副業詐欺の疑い" in row and "Telegram" in row
    assert "副業／LINEで稼げる" in row and "1時間5分" in row and "未担当" in row


# ---------------------------------------------------------------------------
# A ticket and the actions on it
# ---------------------------------------------------------------------------

def test_ticket_page_shows_the_transcript_evidence_and_verified_order_without_personal_data(console):
    conversation = f"conv-{uuid.uuid4().hex[:10]}"
    with session_scope(console.engine) as session:
        customer = Customer(name="山田 太郎", name_kana="ヤマダ タロウ", birth_date=date(1980, 1, 2),
                            phone="090-1111-2222", email="taro@example.jp", postal_code="150-0001",
                            address="東京都渋谷区神宮前1-2-3")
        order = Order(order_number="MD99990001", customer=customer, ordered_at=handoff.now_utc(), status="preparing",
                      shipping_fee=500, items=[OrderItem(name="土鍋 9号", quantity=2, unit_price=3980)])
        session.add(order)
    ticket_id, reference = console.open_ticket(conversation_id=conversation, customer_text="今すぐ土下座しろ！")
    with session_scope(console.engine) as session:  # verified again after the hand-off ended the old proof
        order = session.scalars(select(Order).where(Order.order_number == "MD99990001")).one()
        session.add(VerifiedConversation(conversation_id=conversation, customer_id=order.customer_id,
                                         order_id=order.id, sender_key="k", verified_at=handoff.now_utc(),
                                         level="order"))
    page = console.browser("alice").get(f"/console/tickets/{ticket_id}").body
    assert "今すぐ<mark>土下座しろ</mark>！" in page
    assert "暴言・威圧（カスハラ）" in page and "お客様" in page
    assert "MD99990001" in page and "土鍋 9号" in page and "8,460円" in page and "発送準備中" in page
    assert "注文確認済み" in page and "まで" in page
    for personal in ("山田", "ヤマダ", "090-1111-2222", "2222", "taro@example.jp", "渋谷区", "150-0001"):
        assert personal not in page
    assert any(e.actor == "agent:alice" for e in console.audit("ticket_view", reference))


def test_evidence_is_highlighted_in_any_width_and_kana():
    assert highlight("ＤＯＧＥＺＡして！ドゲザ", ["dogeza", "どげざ"]) == [
        ("ＤＯＧＥＺＡ", True), ("して！", False), ("ドゲザ", True)]
    assert highlight("ok", ["intent:human_request"]) == [("ok", False)]


def test_only_one_of_two_agents_claiming_at_once_gets_the_ticket(console):
    ticket_id, reference = console.open_ticket(severity="urgent")
    alice, bob = console.browser("alice"), console.browser("bob")
    forms = [b.get(f"/console/tickets/{ticket_id}").csrf() for b in (alice, bob)]
    replies = run_together(
        lambda: alice.post(f"/console/tickets/{ticket_id}/claim", {"csrf_token": forms[0]}),
        lambda: bob.post(f"/console/tickets/{ticket_id}/claim", {"csrf_token": forms[1]}),
    )
    assert sorted(r.status for r in replies) == [303, 409]
    loser = next(r for r in replies if r.status == 409)
    assert CONFLICT in loser.body
    winner = "alice" if replies[0].status == 303 else "bob"
    with session_scope(console.engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket.status == handoff.OPEN and ticket.agent.login == winner
    assert len(console.audit("ticket_claim", reference)) == 1


def test_reply_is_recorded_as_a_pending_agent_message_and_its_delivery_shows(console):
    ticket_id, reference = console.open_ticket()
    browser = console.browser("alice")
    assert browser.act(ticket_id, "claim").status == 303
    text = "担当の鈴木です。ご不快な思いをおかけし申し訳ございません。"
    reply = browser.act(ticket_id, "reply", text=text)
    assert reply.status == 303 and reply.location == f"/console/tickets/{ticket_id}?done=reply"
    with session_scope(console.engine) as session:
        message = session.execute(select(TicketMessage).where(
            TicketMessage.ticket_id == ticket_id, TicketMessage.author == "agent")).scalar_one()
        assert (message.text, message.delivery, message.agent.login) == (text, "pending", "alice")
        message_id = message.id
    page = browser.get(reply.location).body
    assert "返信を登録しました" in page and "送信待ち" in page and "担当者（鈴木 愛）" in page
    with session_scope(console.engine) as session:
        handoff.delivery_done(session, message_id, handoff.now_utc())
    polled = browser.get(f"/console/tickets/{ticket_id}/messages.json")
    assert polled.status == 200 and polled.headers.get("Content-Type").startswith("application/json")
    lines = json.loads(polled.body)["messages"]
    assert [(m["author"], m["delivery_label"]) for m in lines][-1] == ("agent", "送信済み")
    audited = console.audit("ticket_reply", reference)
    assert len(audited) == 1 and text not in audited[0].detail


def test_a_new_customer_message_appears_in_the_polled_transcript(console):
    conversation = f"conv-{uuid.uuid4().hex[:10]}"
    ticket_id, _ = console.open_ticket(conversation_id=conversation)
    browser = console.browser("bob")
    before = unescape(browser.get(f"/console/tickets/{ticket_id}/messages.json").body)
    with session_scope(console.engine) as session:
        handoff.gate(session, conversation, "まだですか？土下座しろ", handoff.now_utc())
    messages = json.loads(browser.get(f"/console/tickets/{ticket_id}/messages.json").body)["messages"]
    assert "まだですか" not in before
    assert messages[-1]["parts"] == [["まだですか？", False], ["土下座しろ", True]]


def test_empty_or_overlong_reply_is_refused_with_the_reason(console):
    ticket_id, _ = console.open_ticket()
    browser = console.browser("alice")
    browser.act(ticket_id, "claim")
    assert "返信の本文が空です。" in browser.act(ticket_id, "reply", text="   ").body
    too_long = browser.act(ticket_id, "reply", text="あ" * 4001)
    assert too_long.status == 400 and "4000文字まで" in too_long.body


def test_hand_back_and_close_end_the_ticket_and_are_audited(console):
    back_id, back_ref = console.open_ticket()
    close_id, close_ref = console.open_ticket()
    browser = console.browser("alice")
    for ticket_id in (back_id, close_id):
        assert browser.act(ticket_id, "claim").status == 303
    assert browser.act(back_id, "hand-back").status == 303
    assert browser.act(close_id, "close", outcome="", note="").status == 400
    assert browser.act(close_id, "close", outcome="refused", note="過剰な要求のためお断りした").status == 303
    assert console.ticket(back_id).status == handoff.HANDED_BACK
    closed = console.ticket(close_id)
    assert (closed.status, closed.outcome, closed.outcome_note) == (handoff.CLOSED, "refused", "過剰な要求のためお断りした")
    assert len(console.audit("ticket_hand_back", back_ref)) == 1
    assert "outcome=refused" in console.audit("ticket_close", close_ref)[0].detail
    page = browser.get("/console/").body
    assert f'data-ref="{back_ref}"' in page.split("最近終了したチケット")[1]
    assert "要求をお断り" in row_of(page.split("最近終了したチケット")[1], close_ref)
    assert "ボットに戻した" in row_of(page.split("最近終了したチケット")[1], back_ref)
    # An ended ticket takes no more actions.
    assert browser.act(close_id, "reply", text="追伸").status == 409


def test_release_puts_the_ticket_back_in_the_queue_for_a_colleague(console):
    ticket_id, reference = console.open_ticket()
    alice, bob = console.browser("alice"), console.browser("bob")
    alice.act(ticket_id, "claim")
    assert alice.act(ticket_id, "release").status == 303
    assert console.ticket(ticket_id).status == handoff.OPEN
    assert bob.act(ticket_id, "claim").status == 303
    assert len(console.audit("ticket_release", reference)) == 1


def test_an_agent_cannot_act_on_a_colleagues_ticket_but_a_supervisor_can(console):
    ticket_id, _ = console.open_ticket()
    alice, bob, sue = console.browser("alice"), console.browser("bob"), console.browser("sue")
    alice.act(ticket_id, "claim")
    page = bob.get(f"/console/tickets/{ticket_id}").body
    assert "鈴木 愛さんが対応中です。" in page and "/reply" not in page
    refused = bob.act(ticket_id, "reply", text="横から失礼します")
    assert refused.status == 409 and CONFLICT in refused.body
    assert "スーパーバイザーとして操作できます" in sue.get(f"/console/tickets/{ticket_id}").body
    assert sue.act(ticket_id, "reply", text="責任者の高橋です。").status == 303
    assert sue.act(ticket_id, "close", outcome="resolved").status == 303
    assert console.ticket(ticket_id).status == handoff.CLOSED


def test_unknown_ticket_is_404(console):
    browser = console.browser("alice")
    assert browser.get("/console/tickets/999999").status == 404
    assert browser.get("/console/tickets/999999/messages.json").status == 404
    token = browser.get("/console/").csrf()
    assert browser.post("/console/tickets/999999/claim", {"csrf_token": token}).status == 404


# ---------------------------------------------------------------------------
# Supervisors, deactivation and the agent command
# ---------------------------------------------------------------------------

def test_audit_log_is_for_supervisors_only_and_filters_by_reference(console):
    ticket_id, reference = console.open_ticket()
    console.browser("alice").act(ticket_id, "claim")
    assert console.browser("alice").get("/console/audit").status == 403
    sue = console.browser("sue")
    everything = sue.get("/console/audit")
    assert everything.status == 200 and "console_login" in everything.body
    filtered = sue.get(f"/console/audit?ref={reference}").body
    rows = re.findall(r"<tr>\s*<td class=\"num\">.*?</tr>", filtered, re.S)
    assert rows and all(f"ticket {reference}" in row for row in rows)
    assert any("ticket_claim" in row for row in rows)
    assert sue.get("/console/audit?ref=%27%20OR%201%3D1").status == 400


def test_a_deactivated_agent_loses_the_session_and_cannot_log_in(console, monkeypatch, capsys):
    browser = console.browser("dave")
    assert browser.get("/console/").status == 200
    monkeypatch.setenv("DATABASE_URL", console.database_url)
    monkeypatch.setenv("MADOGUCHI_VAR_DIR", str(console.var_dir))
    assert agent_command(["deactivate", "--login", "dave"]) == 0
    assert "dave" in capsys.readouterr().out
    assert browser.get("/console/").status == 303
    assert Browser(console.port).log_in("dave").status == 401


def test_agent_command_adds_an_agent_from_stdin_without_printing_the_password(console, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", console.database_url)
    monkeypatch.setenv("MADOGUCHI_VAR_DIR", str(console.var_dir))
    password = "new-agent-password-7"
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    assert agent_command(["add", "--login", "frank", "--name", "中村 文人", "--role", "supervisor",
                          "--password-stdin"]) == 0
    out, err = capsys.readouterr()
    assert "frank" in out and password not in out + err
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    assert agent_command(["add", "--login", "frank", "--name", "別人", "--password-stdin"]) == 1
    assert "すでに登録されています" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert agent_command(["add", "--login", "gina", "--name", "G", "--password-stdin"]) == 1
    assert "10文字以上" in capsys.readouterr().err
    assert agent_command(["add", "--login", "No Spaces!", "--name", "G", "--password-stdin"]) == 1
    assert agent_command(["list"]) == 0
    listing = capsys.readouterr().out
    assert "frank" in listing and "supervisor" in listing and "gina" not in listing
    browser = Browser(console.port)
    assert browser.log_in("frank", password).status == 303
    assert browser.get("/console/audit").status == 200
    with session_scope(console.engine) as session:
        stored = session.execute(select(Agent.password_hash).where(Agent.login == "frank")).scalar_one()
    assert stored.startswith(f"scrypt${SCRYPT_N}$8$1$") and password not in stored


def test_the_server_log_holds_no_password_and_no_message_text(console):
    browser = Browser(console.port)
    browser.log_in("erin", "typed-the-wrong-thing")
    browser.log_in("erin")
    ticket_id, _ = console.open_ticket(customer_text="電話番号は090-9999-8888です")
    browser.act(ticket_id, "claim")
    browser.act(ticket_id, "reply", text="確認いたします（ログに残ってはいけない文）")
    log = console.log_path.read_text(errors="replace")
    assert "madoguchi web: chat page http://127.0.0.1:" in log
    for secret in ("typed-the-wrong-thing", PASSWORDS["erin"], "ログに残ってはいけない文", "090-9999-8888"):
        assert secret not in log


# ---------------------------------------------------------------------------
# The same console on PostgreSQL
# ---------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.server  # starts a console of its own
def test_login_limits_hold_under_concurrent_requests_on_postgresql(postgres_url, tmp_path):
    process, pg_console = start_console(tmp_path, postgres_url, agents=("dave", "erin"))
    try:
        check_twelve_parallel_wrong_passwords_lock_after_five(pg_console, "dave")
        check_rotating_logins_from_one_client_locks_that_client(pg_console, "erin")
    finally:
        stop_console(process)
        engine_for(postgres_url).dispose()


@pytest.mark.postgres
@pytest.mark.server  # starts a console of its own
def test_console_works_on_postgresql(postgres_url, tmp_path):
    process, pg_console = start_console(tmp_path, postgres_url)
    try:
        ticket_id, reference = pg_console.open_ticket(severity="urgent", age=timedelta(hours=2))
        alice, bob = pg_console.browser("alice"), pg_console.browser("bob")
        assert 'class="sla sla-overdue"' in row_of(alice.get("/console/").body, reference)
        forms = [b.get(f"/console/tickets/{ticket_id}").csrf() for b in (alice, bob)]
        replies = run_together(
            lambda: alice.post(f"/console/tickets/{ticket_id}/claim", {"csrf_token": forms[0]}),
            lambda: bob.post(f"/console/tickets/{ticket_id}/claim", {"csrf_token": forms[1]}),
        )
        assert sorted(r.status for r in replies) == [303, 409]
        winner = alice if replies[0].status == 303 else bob
        assert winner.act(ticket_id, "reply", text="お待たせしました。").status == 303
        assert winner.act(ticket_id, "close", outcome="resolved").status == 303
        assert pg_console.ticket(ticket_id).status == handoff.CLOSED
        statuses = [Browser(pg_console.port).log_in("carol", f"wrong-{i}-password").status for i in range(5)]
        assert statuses[-1] == 429
        assert pg_console.browser("sue").get(f"/console/audit?ref={reference}").status == 200
    finally:
        stop_console(process)
        engine_for(postgres_url).dispose()


# ---------------------------------------------------------------------------
# Verification: the level on the ticket page, the failure spike for supervisors
# ---------------------------------------------------------------------------

def test_ticket_page_shows_the_verification_level_and_until_when(console):
    now = handoff.now_utc()
    levels = {"order": "注文確認済み", "step_up": "本人確認済み", None: "未確認"}
    with session_scope(console.engine) as session:
        customer = Customer(name="佐藤 次郎", name_kana="サトウ ジロウ", birth_date=date(1975, 5, 6),
                            phone="080-3333-4444", email="jiro@example.jp", postal_code="060-0001",
                            address="北海道札幌市中央区北1条西1-1")
        order = Order(order_number="MD99990002", customer=customer, ordered_at=now, status="preparing",
                      items=[OrderItem(name="鉄瓶", quantity=1, unit_price=12000)])
        session.add(order)
    for level, label in levels.items():
        conversation = f"conv-{uuid.uuid4().hex[:10]}"
        ticket_id, _ = console.open_ticket(conversation_id=conversation)
        if level is not None:
            with session_scope(console.engine) as session:
                order = session.scalars(select(Order).where(Order.order_number == "MD99990002")).one()
                session.add(VerifiedConversation(conversation_id=conversation, customer_id=order.customer_id,
                                                 order_id=order.id, sender_key="k", level=level,
                                                 verified_at=now - timedelta(minutes=10)))
        page = console.browser("alice").get(f"/console/tickets/{ticket_id}").body
        assert f'level-{level or "none"}">{label}</span>' in page, level
        if level is not None:
            until = (now + timedelta(minutes=20)).astimezone(JST)
            assert f"{until.month}/{until.day} {until:%H:%M}まで" in page
        assert ("鉄瓶" in page) == (level is not None)
    # An expired verification shows as none at all.
    conversation = f"conv-{uuid.uuid4().hex[:10]}"
    ticket_id, _ = console.open_ticket(conversation_id=conversation)
    with session_scope(console.engine) as session:
        order = session.scalars(select(Order).where(Order.order_number == "MD99990002")).one()
        session.add(VerifiedConversation(conversation_id=conversation, customer_id=order.customer_id,
                                         order_id=order.id, sender_key="k", level="step_up",
                                         verified_at=now - timedelta(minutes=31)))
    page = console.browser("alice").get(f"/console/tickets/{ticket_id}").body
    assert 'level-none">未確認</span>' in page and "鉄瓶" not in page


def test_supervisors_see_a_spike_of_verification_failures_with_masked_order_numbers(console, monkeypatch):
    monkeypatch.setenv("MADOGUCHI_SECRET", "console-test-secret")
    now = handoff.now_utc()
    with session_scope(console.engine) as session:
        # One guess an hour at one order from a new sender each: the order runs out of its budget…
        for hour in range(12):
            verify_order_owner(session, conversation_id=f"rest:slow-{hour}", sender_id=f"rest:slow-{hour}",
                               order_number="MD26117777", phone_last4="0000",
                               now=now - timedelta(hours=20 - hour))
        # …and a burst in the last minutes: forty senders from one client against another order.
        for i in range(40):
            verify_order_owner(session, conversation_id=f"rest:burst-{i}", sender_id=f"rest:burst-{i}",
                               order_number="MD26118888", phone_last4=f"{i:04d}", client_key="ab" * 32,
                               now=now - timedelta(seconds=40 - i))
    anonymous = Browser(console.port).get("/console/verification")
    assert anonymous.status == 303 and anonymous.location == "/console/login"
    assert console.browser("alice").get("/console/verification").status == 403
    reply = console.browser("sue").get("/console/verification")
    assert reply.status == 200
    page = reply.body
    assert "急増" in page and 'class="spike"' in page
    assert re.search(r"失敗 <b>(\d+)</b>件", page).group(1) == "52"
    assert re.search(r"対象の注文番号 <b>(\d+)</b>", page).group(1) == "2"
    assert re.search(r"送信者 <b>(\d+)</b>", page).group(1) == "52"
    assert re.search(r"接続元 <b>(\d+)</b>", page).group(1) == "13"
    over_budget = page.split("上限に達した注文")[1].split("時間帯別")[0]
    assert "MD2611****" in over_budget and "<td class=\"num\">12</td>" in over_budget
    assert "MD26117777" not in page and "MD26118888" not in page and "ab" * 32 not in page
    assert any(e.actor == "agent:sue" for e in console.audit("console_verification_view"))
    for name, value in SECURITY_HEADERS.items():
        assert reply.headers.get(name) == value

"""Closed-loop load of whole conversations with verification, over REST, for bench/ and the fault tests.

Each worker plays one conversation after another: a delivery complaint, the
order number, the phone's last four digits (checked: the bot must say it
verified them) and a detail; it sends its next message as soon as the answer
arrives. An answer that is an error the client can retry (5xx, a dropped
connection, a time-out) is counted and the same message is sent again after
a pause, as a shop's front end would; the bot's apology (``ERROR_BOT_SILENT``:
it took the message but a part of it was down) is counted and ends that
conversation; any other wrong answer is a failure.
Customers and orders come from the demo shop, spread so that no order's
verification budget is spent.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

import yaml

from bot import templates
from bot.config import load_settings

VERIFIED = "ご入力の内容で確認できました。"
RETRY_PAUSE_SECONDS = 1.0
REQUEST_SECONDS = 60


@dataclass(frozen=True)
class Conversation:
    order_number: str
    phone_last4: str

    def messages(self) -> list[str]:
        return ["荷物が届きません", self.order_number, f"下4桁は{self.phone_last4}です", "16日に届くはずでした"]


def demo_conversations() -> list[Conversation]:
    with open(load_settings().demo_shop_file, encoding="utf-8") as f:
        shop = yaml.safe_load(f)
    result = []
    for customer in shop["customers"]:
        digits = "".join(ch for ch in str(customer["phone"]) if ch.isdigit())
        result += [Conversation(order["order_number"], digits[-4:]) for order in customer["orders"]]
    return result


@dataclass
class LoadResult:
    seconds: float = 0.0
    latencies: list = field(default_factory=list)  # seconds, of answered messages
    conversations: int = 0
    retryable: int = 0  # answers the client retried (5xx, dropped connection, time-out)
    apologies: int = 0  # 200 with the bot's apology (a part of it was down): the conversation ends there
    failures: list = field(default_factory=list)  # wrong answers: never retried, always reported
    answered: dict = field(default_factory=dict)  # REST sender -> texts answered, in order
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def messages(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def _send(assistant, sender: str, text: str, message_id: str) -> tuple[int, list]:
    body = json.dumps({"sender": sender, "message": text, "message_id": message_id}).encode()
    request = urllib.request.Request(assistant.rest_url, data=body, headers={
        "Content-Type": "application/json", **assistant.rest_headers(sender)})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, []


def play(assistant, conversation: Conversation, result: LoadResult, deadline: float, tag: str) -> None:
    """One whole conversation; retries retryable answers until ``deadline`` (then the conversation stops)."""
    sender = f"{tag}-{uuid.uuid4().hex[:12]}"
    for number, text in enumerate(conversation.messages()):
        message_id = f"{sender}-{number}"  # the same on every retry: the message is handled once
        while True:
            started = time.perf_counter()
            try:
                status, replies = _send(assistant, sender, text, message_id)
            except (urllib.error.URLError, OSError, ValueError):
                status, replies = 0, []
            if status == 200:
                break
            if status and status < 500:
                with result.lock:
                    result.failures.append(f"{sender}: {text!r} got HTTP {status}")
                return
            with result.lock:
                result.retryable += 1
            if time.monotonic() > deadline:
                return
            time.sleep(RETRY_PAUSE_SECONDS)
        elapsed = time.perf_counter() - started
        texts = [r.get("text") for r in replies if r.get("text")]
        with result.lock:
            result.latencies.append(elapsed)
            result.answered.setdefault(sender, []).append(text)
            if templates.ERROR_BOT_SILENT in texts:
                result.apologies += 1
                return
            if not texts:
                result.failures.append(f"{sender}: {text!r} got no answer")
            if text.startswith("下4桁") and VERIFIED not in texts:
                result.failures.append(f"{sender}: verification not confirmed: {texts!r}")
    with result.lock:
        result.conversations += 1


def closed_loop(assistant, concurrency: int, seconds: float, tag: str = "load",
                during=None) -> LoadResult:
    """``concurrency`` workers play conversations for ``seconds``; ``during(result)`` runs meanwhile (faults)."""
    conversations = demo_conversations()
    result = LoadResult()
    stop_at = time.monotonic() + seconds
    counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def worker() -> None:
        while time.monotonic() < stop_at:
            with counter_lock:
                n = next(counter)
            play(assistant, conversations[n % len(conversations)], result, stop_at + 120, tag)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    if during is not None:
        during(result)
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result

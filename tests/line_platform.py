"""LINE's side of the conversation for tests: user ids, webhook events, signatures, and what the fake API got.

The channel secret and token are the test run's (conftest.CHANNEL_TEST_ENV); events
are shaped as LINE's Messaging API sends them and signed as LINE signs them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid

from bot import templates
from tests.conftest import CHANNEL_TEST_ENV

SECRET = CHANNEL_TEST_ENV["LINE_CHANNEL_SECRET"]
ACCESS_TOKEN = CHANNEL_TEST_ENV["LINE_CHANNEL_ACCESS_TOKEN"]
REPLY = "/v2/bot/message/reply"
PUSH = "/v2/bot/message/push"
DELIVERY_COMPLAINT = "注文した荷物がまだ届きません"


# ---------------------------------------------------------------------------
# LINE's side: ids, events, signatures.
# ---------------------------------------------------------------------------

def new_user_id() -> str:
    return "U" + uuid.uuid4().hex


def new_token() -> str:
    return uuid.uuid4().hex


def new_event_id() -> str:
    return "01" + uuid.uuid4().hex[:24].upper()


def base_event(event_type: str, user_id: str, *, event_id: str | None = None, reply_token: str | None = None,
               redelivery: bool = False) -> dict:
    return {
        "type": event_type,
        "webhookEventId": event_id or new_event_id(),
        "deliveryContext": {"isRedelivery": redelivery},
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "replyToken": reply_token or new_token(),
        "mode": "active",
    }


def text_event(user_id: str, text: str, **kwargs) -> dict:
    event = base_event("message", user_id, **kwargs)
    event["message"] = {"type": "text", "id": str(uuid.uuid4().int)[:18], "text": text,
                        "quoteToken": new_token()}
    return event


def webhook_body(*events: dict) -> bytes:
    return json.dumps({"destination": "U" + "0" * 32, "events": list(events)}, ensure_ascii=False).encode()


def line_signature(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def line_webhook_url(assistant) -> str:
    return assistant.rest_url.replace("/webhooks/rest/webhook", "/webhooks/line/webhook")


def call_webhook(url: str, body: bytes | None, signature: str | None = "sign", method: str = "POST"
                 ) -> tuple[int, dict]:
    """POSTs like LINE does; ``signature="sign"`` signs the body correctly."""
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = line_signature(body or b"")
    if signature is not None:
        headers["x-line-signature"] = signature
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"{}")
        except ValueError:
            return error.code, {"_raw": raw.decode("utf-8", "replace")}


def send(assistant, *events: dict) -> tuple[int, dict]:
    return call_webhook(line_webhook_url(assistant), webhook_body(*events))


def replies_to(fake_platform, reply_token: str) -> list:
    return [c for c in fake_platform.calls_to(REPLY) if c.body.get("replyToken") == reply_token]


def pushes_to(fake_platform, user_id: str) -> list:
    return [c for c in fake_platform.calls_to(PUSH) if c.body.get("to") == user_id]


def texts_of(calls: list) -> list[str]:
    return [m["text"] for call in calls for m in call.body["messages"] if m.get("type") == "text"]


class StubGuard:
    """Blocks replies that contain ``forbidden``; records what it screened."""

    def __init__(self, forbidden: str = "鈴木太郎") -> None:
        self.forbidden = forbidden
        self.screened: list[tuple[str, str, str]] = []

    def screen(self, conversation_id: str, text: str, channel: str = "") -> str:
        self.screened.append((conversation_id, text, channel))
        return templates.REPLY_BLOCKED_BY_PRIVACY_GUARD if self.forbidden in text else text

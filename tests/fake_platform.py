"""A local stand-in for the LINE Messaging API and the Telegram Bot API.

It records every call (path, headers, JSON body) so tests can check what the
platform received, and answers the way the real APIs do for the calls the
channels make. Tests can override an answer per path with ``respond_with``.

LINE's push honours ``X-Line-Retry-Key`` as LINE does: a retry of a push it
accepted gets 409 and is not delivered again. ``line_push_outage`` plays an
outage step by step: "down" (refused, nothing delivered) or "lost" (delivered
to the customer, but the answer never reaches the caller: a 500).
"""

from __future__ import annotations

import json
import threading
from collections import deque
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class RecordedCall:
    path: str
    headers: dict
    body: dict


def _telegram_answer(method: str, body: dict) -> tuple[int, dict]:
    if method == "setWebhook":
        return 200, {"ok": True, "result": True}
    if method == "getMe":
        return 200, {"ok": True, "result": {"id": 4242, "is_bot": True, "first_name": "まどぐち",
                                            "username": "madoguchi_bot"}}
    if method.startswith("send") or method == "answerCallbackQuery":
        chat_id = body.get("chat_id", 0)
        message = {"message_id": int(time.time() * 1000) % 2_000_000_000, "date": int(time.time()),
                   "chat": {"id": int(chat_id) if str(chat_id).lstrip("-").isdigit() else 0, "type": "private"},
                   "text": body.get("text", "")}
        return 200, {"ok": True, "result": True if method == "answerCallbackQuery" else message}
    return 200, {"ok": True, "result": True}


LINE_PUSH = "/v2/bot/message/push"


class FakePlatform:
    """Runs on 127.0.0.1 in a background thread; ``url`` is its base URL."""

    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
        # pushes LINE delivered to a customer (a retry answered 409 is not one)
        self.line_delivered: list[RecordedCall] = []
        self._accepted_retry_keys: set[str] = set()
        self._push_steps: deque[str] = deque()
        self._overrides: dict[str, Callable[[dict], tuple[int, dict]]] = {}
        self._lock = threading.Lock()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                call = RecordedCall(self.path, dict(self.headers), body)
                with platform._lock:
                    status, answer = platform._answer(call)
                    platform.calls.append(call)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args):
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _answer(self, call: RecordedCall) -> tuple[int, dict]:
        path, body = call.path, call.body
        if path.startswith(LINE_PUSH):
            return self._line_push(call)
        for prefix, responder in self._overrides.items():
            if path.startswith(prefix):
                return responder(body)
        if path.startswith("/bot"):
            return _telegram_answer(path.rsplit("/", 1)[-1], body)
        return 200, {}

    def _line_push(self, call: RecordedCall) -> tuple[int, dict]:
        retry_key = {k.lower(): v for k, v in call.headers.items()}.get("x-line-retry-key")
        if retry_key and retry_key in self._accepted_retry_keys:
            return 409, {"message": "The retry key is already accepted"}
        step = self._push_steps.popleft() if self._push_steps else "up"
        if step == "down":
            return 500, {"message": "An error occurred in the server"}
        for prefix, responder in self._overrides.items():
            if call.path.startswith(prefix):
                status, answer = responder(call.body)
                if status >= 300:
                    return status, answer
        self.line_delivered.append(call)
        if retry_key:
            self._accepted_retry_keys.add(retry_key)
        if step == "lost":
            return 500, {"message": "An error occurred in the server"}
        return 200, {"sentMessages": [{"id": str(len(self.line_delivered))}]}

    def line_push_outage(self, *steps: str) -> None:
        """The next LINE pushes go this way, one step each ("down" or "lost"); then LINE is up again."""
        with self._lock:
            self._push_steps.extend(steps)

    def respond_with(self, path_prefix: str, responder: Callable[[dict], tuple[int, dict]] | None) -> None:
        """Answer calls whose path starts with ``path_prefix`` with ``responder(body)``; None restores."""
        if responder is None:
            self._overrides.pop(path_prefix, None)
        else:
            self._overrides[path_prefix] = responder

    def calls_to(self, path_part: str) -> list[RecordedCall]:
        with self._lock:
            return [c for c in self.calls if path_part in c.path]

    def wait_for(self, path_part: str, count: int = 1, seconds: float = 30) -> list[RecordedCall]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.calls_to(path_part)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return self.calls_to(path_part)

    def start(self) -> "FakePlatform":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

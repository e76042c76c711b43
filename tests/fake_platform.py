"""A local stand-in for the LINE Messaging API and the Telegram Bot API.

It records every call (path, headers, JSON body) so tests can check what the
platform received, and answers the way the real APIs do for the calls the
channels make. Tests can override an answer per path with ``respond_with``.
"""

from __future__ import annotations

import json
import threading
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


class FakePlatform:
    """Runs on 127.0.0.1 in a background thread; ``url`` is its base URL."""

    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
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
                status, answer = platform._answer(self.path, body)
                with platform._lock:
                    platform.calls.append(RecordedCall(self.path, dict(self.headers), body))
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

    def _answer(self, path: str, body: dict) -> tuple[int, dict]:
        for prefix, responder in self._overrides.items():
            if path.startswith(prefix):
                return responder(body)
        if path.startswith("/bot"):
            return _telegram_answer(path.rsplit("/", 1)[-1], body)
        return 200, {}

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

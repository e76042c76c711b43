"""The web widget as a test client: what the page does over socket.io, and waiting for the page server."""

from __future__ import annotations

import asyncio
import random
import re
import time
import urllib.error
import urllib.request

import socketio

from bot.channels.web import conversation_id_for

SESSION_ID = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{32}")  # key.signature (bot.web_sessions)


def conversation_of(session_id: str) -> str:
    return conversation_id_for(session_id.split(".", 1)[0])


class WidgetClient:
    """What the widget does over socket.io, as a test client."""

    def __init__(self, assistant, origin: str | None = None) -> None:
        self.url = assistant.rasa_url
        self.origin = origin or assistant.web_url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue = asyncio.Queue()
        self.errors: asyncio.Queue = asyncio.Queue()
        self.session_id: str | None = None
        self._confirmed: asyncio.Queue = asyncio.Queue()
        self.sio.on("bot_uttered", self._bot_uttered)
        self.sio.on("madoguchi_error", self.errors.put)
        self.sio.on("session_confirm", self._confirmed.put)

    async def _bot_uttered(self, data):
        await self.received.put(data)
        return True  # the acknowledgement the widget sends for every message it shows

    async def connect(self, session_id: str | None = None) -> str:
        # polling: python-engineio 4.15's websocket client needs aiohttp ≥ 3.10 (Rasa pins 3.9); the
        # browser tests cover the websocket transport in Chromium
        # each test page is a customer of its own, behind the proxy the test assistant trusts
        forwarded = f"198.19.{random.randrange(256)}.{random.randrange(256)}"
        await self.sio.connect(self.url, headers={"Origin": self.origin, "X-Forwarded-For": forwarded},
                               transports=["polling"],
                               socketio_path="/socket.io")
        await self.sio.emit("session_request", {"session_id": session_id})
        self.session_id = await asyncio.wait_for(self._confirmed.get(), 20)
        return self.session_id

    async def say(self, text: str, session_id: str | None = None) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": session_id or self.session_id})

    async def replies(self, count: int, seconds: float = 60) -> list[dict]:
        return [await asyncio.wait_for(self.received.get(), seconds) for _ in range(count)]

    async def nothing_more(self, seconds: float = 2.0) -> bool:
        try:
            await asyncio.wait_for(self.received.get(), seconds)
            return False
        except asyncio.TimeoutError:
            return True

    async def close(self) -> None:
        """Like closing the page: the server gets engine.io's close packet and drops the socket.

        Not waiting for the long-poll that is still open (``abort``) saves the 25 s ping interval.
        A moment first, so the acknowledgement of the last message shown goes out as a page's would.
        """
        await asyncio.sleep(0.5)
        await self.sio.eio.disconnect(abort=True)



def wait_for_web(assistant, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(assistant.web_url + "/", timeout=5):
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)

"""Channels: thin Rasa adapters. Every reply they send passes the outbound guard."""

COMMAND_PREFIX = "/"


def without_command_prefix(text: str) -> str:
    """Typed text as Rasa should see it: without a leading "/".

    Rasa reads "/restart" or "/inform{...}" as an intent with entities, so a
    customer could end a hand-off or inject entities by typing one. Only the
    bot's own buttons may send such payloads; typed text never does.
    """
    text = text.strip()
    while text.startswith(COMMAND_PREFIX):
        text = text[len(COMMAND_PREFIX):].strip()
    return text


def utf16_units(char: str) -> int:
    """How LINE and Telegram count a character: two units outside the Basic Multilingual Plane (emoji)."""
    return 2 if ord(char) > 0xFFFF else 1


def split_message(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 code units (LINE's and Telegram's measure); joined they are ``text``.

    A piece ends after the last line break in its second half if there is
    one, else after the last 「。」, else after the last space, else at the limit.
    """
    pieces: list[str] = []
    rest = text
    while rest:
        units, end = 0, 0
        while end < len(rest) and units + utf16_units(rest[end]) <= limit:
            units += utf16_units(rest[end])
            end += 1
        if end == len(rest):
            pieces.append(rest)
            break
        cut = max(end, 1)
        for separator in ("\n", "。", " ", "　"):
            position = rest.rfind(separator, 0, end)
            if position >= end // 2:
                cut = position + 1
                break
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return pieces


class RecentIds:
    """The last ids a platform sent (LINE's webhookEventId, Telegram's update_id), so redeliveries are
    answered once.

    Kept in memory (the newest ``capacity``): enough for one server process,
    but lost on restart and not shared between replicas, which would need a
    shared store such as Redis.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._ids: dict = {}  # insertion-ordered: the oldest first

    def first_time(self, item_id) -> bool:
        """True once per id; remembers it. No await in here, so no other request can interleave."""
        if item_id in self._ids:
            return False
        self._ids[item_id] = None
        while len(self._ids) > self._capacity:
            del self._ids[next(iter(self._ids))]
        return True

    def forget(self, item_id) -> None:
        """The message was not handled after all: its redelivery must be."""
        self._ids.pop(item_id, None)

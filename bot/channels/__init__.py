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

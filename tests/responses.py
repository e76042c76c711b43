"""The assistant's own words as the tests expect them: the domain's responses and the hand-off templates.

Conversation tests on every channel compare what the customer got with these,
so a changed wording in domain.yml or bot/templates.py changes every test at once.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot import templates
from bot.config import PROJECT_ROOT

REFERENCE = r"T\d{8}-\d{5}"
TICKET = r"E\d{8}-\d{5}"
DEADLINE = r"\d{1,2}月\d{1,2}日\([月火水木金土日]\) \d{2}:\d{2}"


@lru_cache(maxsize=1)
def _responses() -> dict:
    with open(PROJECT_ROOT / "domain.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)["responses"]


def response_text(name: str, issue_type: str | None = None, **values: str) -> str:
    """The domain's text for a response, picking the variant for the issue type, {placeholders} filled from values."""
    variants = _responses()[name]
    text = next((v["text"] for v in variants
                 if issue_type and any(c.get("name") == "issue_type" and c.get("value") == issue_type
                                       for c in v.get("condition") or [])),
                None) or next(v["text"] for v in variants if not v.get("condition"))
    for key, value in values.items():
        text = text.replace(f"{{{key}}}", value)
    return text


def ask_phone_last4(taken: bool = True) -> str:
    """The ask for the phone digits: 「ご注文番号を承りました。…」 in the turn the number was typed, else plain."""
    variants = _responses()["utter_ask_phone_last4"]
    return next(v["text"] for v in variants if bool(v.get("condition")) == taken)


def response_pattern(name: str, issue_type: str | None = None) -> re.Pattern:
    text = re.escape(response_text(name, issue_type))
    text = text.replace(r"\{trouble_reference\}", f"({REFERENCE})").replace(r"\{reply_due\}", f"({DEADLINE})")
    return re.compile(text)


def escalation_pattern(name: str) -> re.Pattern:
    text = re.escape(response_text(name))
    return re.compile(text.replace(r"\{ticket_reference\}", f"({TICKET})").replace(r"\{reply_due\}", f"({DEADLINE})"))


def acknowledgement_pattern() -> re.Pattern:
    """The one acknowledgement: short in business hours, with the times outside them (any time a test runs)."""
    out_of_hours = re.escape(templates.HANDOFF_ACK_OUT_OF_HOURS).replace(r"\{opens\}", DEADLINE) \
        .replace(r"\{reply_due\}", DEADLINE)
    return re.compile(f"{re.escape(templates.HANDOFF_ACK)}|{out_of_hours}")


def is_acknowledgement(replies: list[str]) -> bool:
    return len(replies) == 1 and acknowledgement_pattern().fullmatch(replies[0]) is not None

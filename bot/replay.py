"""Replay scripted customer conversations over REST and judge how each one ended.

The scripts (tests/data/conversations/*.yml, written by people who saw only
the README and the demo shop) say what must have happened by the end:
``reference`` (a trouble recorded with its reference number and a reply
deadline), ``handoff`` (a ticket opened for people), ``refusal`` (another
person's data refused) or ``answer`` (a question answered: the status of the
customer's own verified order, or an FAQ answer). The judge reads the
conversation's tracker from Rasa's HTTP API (which response the bot used, by
name) and the shop database (the trouble's status and type, the ticket), so
every verdict comes with the turn and the response that decided it.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.constants import TroubleStatus
from bot.store.db import engine_for, session_scope
from bot.store.models import Ticket, Trouble

CONVERSATIONS_DIR = PROJECT_ROOT / "tests" / "data" / "conversations"
OUTCOMES = ("reference", "handoff", "refusal", "answer")
TROUBLE_REFERENCE = re.compile(r"T\d{8}-\d{5}")
TICKET_REFERENCE = re.compile(r"E\d{8}-\d{5}")
DEADLINE = re.compile(r"\d{1,2}月\d{1,2}日\([月火水木金土日]\) \d{2}:\d{2}")
# Responses that tell the customer their trouble is recorded (with its reference and deadline).
RECORDED_RESPONSES = ("utter_trouble_recorded", "utter_trouble_recorded_short_shipment", "utter_change_address_recorded")
REFUSAL_RESPONSES = ("utter_refuse_others_data",)
STEP_UP_PROMPT = "utter_ask_one_time_code"
# The delivery-status line belongs to delivery cases only (issue #16, item 7).
DELIVERY_STATUS = "utter_order_status_delivered"
DELIVERY_TYPES = {"delivery_delay", "wrong_delivery"}


@dataclass(frozen=True)
class Conversation:
    """One scripted customer: turns sent in order and the outcome a good assistant reaches."""

    id: str
    category: str
    issue_type: str
    register: str
    turns: tuple[str, ...]
    outcome: str
    note: str = ""


def load_conversations(directory: Path = CONVERSATIONS_DIR) -> list[Conversation]:
    conversations = []
    for path in sorted(directory.glob("conversations_*.yml")):
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        for item in data["conversations"]:
            if item["outcome"] not in OUTCOMES:
                raise ValueError(f"{path.name} {item['id']}: unknown outcome {item['outcome']!r}")
            conversations.append(Conversation(
                id=item["id"], category=item["category"], issue_type=item["issue_type"],
                register=item.get("register", ""), turns=tuple(item["turns"]), outcome=item["outcome"],
                note=item.get("note", "")))
    return conversations


@dataclass(frozen=True)
class BotLine:
    """One bot message: the customer turn it answered (1-based), the response's name if any, its text."""

    turn: int
    response: str
    text: str


@dataclass
class Verdict:
    conversation: Conversation
    passed: bool
    reason: str
    replies: list[list[str]] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)  # the conversation's tracker events, as Rasa keeps them


def bot_lines(events: list[dict]) -> list[BotLine]:
    """The bot's messages of a tracker's events, numbered by the customer turn they answer."""
    lines, turn = [], 0
    for event in events:
        if event.get("event") == "user":
            turn += 1
        elif event.get("event") == "bot" and turn > 0:
            metadata = event.get("metadata") or {}
            lines.append(BotLine(turn, str(metadata.get("utter_action") or ""), event.get("text") or ""))
    return lines


def judge(conversation: Conversation, lines: list[BotLine], troubles: list[Trouble],
          tickets: list[Ticket]) -> tuple[bool, str]:
    """Whether the conversation ended as its script says, and why (turn and response named)."""
    said = [line.response for line in lines]
    if STEP_UP_PROMPT in said:
        turn = next(line.turn for line in lines if line.response == STEP_UP_PROMPT)
        return False, f"turn {turn}: asked for an e-mailed code nobody requested"
    if conversation.category == "case_specific" and conversation.issue_type not in DELIVERY_TYPES \
            and DELIVERY_STATUS in said:
        turn = next(line.turn for line in lines if line.response == DELIVERY_STATUS)
        return False, f"turn {turn}: delivery-status line in a {conversation.issue_type} case"
    expected = conversation.outcome
    if expected == "handoff":
        for ticket in tickets:
            told = [line for line in lines if ticket.reference in line.text]
            if told:
                return True, f"turn {told[0].turn}: ticket {ticket.reference} ({ticket.reason}) opened and told"
        return False, "no ticket opened" if not tickets else "ticket opened but its reference never told"
    if tickets:
        return False, f"handed off ({tickets[0].reason}) instead of {expected}"
    if expected == "reference":
        by_reference = {t.reference: t for t in troubles}
        for line in lines:
            if line.response not in RECORDED_RESPONSES and not TROUBLE_REFERENCE.search(line.text):
                continue
            for reference in TROUBLE_REFERENCE.findall(line.text):
                trouble = by_reference.get(reference)
                if trouble is None or trouble.status != TroubleStatus.QUEUED or not DEADLINE.search(line.text):
                    continue
                if conversation.category == "missing_item" and trouble.issue_type != "wrong_delivery":
                    return False, f"turn {line.turn}: a missing item recorded as {trouble.issue_type}, not a resend"
                return True, f"turn {line.turn}: {reference} ({trouble.issue_type}) queued, deadline told"
        return False, "no reference with a deadline for a queued trouble"
    if expected == "refusal":
        refused = [line for line in lines if line.response in REFUSAL_RESPONSES]
        if refused:
            return True, f"turn {refused[0].turn}: {refused[0].response}"
        return False, "never refused"
    verified = [line.turn for line in lines if line.response == "utter_verified"]
    for line in lines:
        if line.response.startswith("utter_faq/"):
            return True, f"turn {line.turn}: {line.response}"
        if line.response.startswith("utter_order_status_") and verified and line.turn >= verified[0]:
            return True, f"turn {line.turn}: {line.response} after verification"
    return False, "no FAQ answer and no order status after verification"


class Replayer:
    """Sends scripts to a running assistant (bot.devserver.RunningAssistant with RASA_AUTH_TOKEN)."""

    def __init__(self, assistant) -> None:
        self.assistant = assistant
        self.token = assistant.env["RASA_AUTH_TOKEN"]

    def tracker_events(self, conversation_id: str) -> list[dict]:
        url = (f"{self.assistant.rasa_url}/conversations/{urllib.parse.quote(conversation_id, safe=':')}"
               f"/tracker?token={urllib.parse.quote(self.token)}")
        with urllib.request.urlopen(url, timeout=60) as response:
            return json.load(response).get("events") or []

    def play(self, conversation: Conversation, run_id: str) -> Verdict:
        from bot.channels.rest import conversation_id_for

        sender = f"replay-{run_id}-{conversation.id}"
        replies = [self.assistant.say(sender, turn) for turn in conversation.turns]
        conversation_id = conversation_id_for(sender)
        events = self.tracker_events(conversation_id)
        lines = bot_lines(events)
        if any(replies) and not lines:
            raise RuntimeError(f"{conversation_id}: the tracker has none of the bot's replies")
        with session_scope(engine_for(self.assistant.database_url)) as session:
            troubles = list(session.execute(
                select(Trouble).where(Trouble.conversation_id == conversation_id)).scalars())
            tickets = list(session.execute(
                select(Ticket).where(Ticket.conversation_id == conversation_id)).scalars())
        passed, reason = judge(conversation, lines, troubles, tickets)
        return Verdict(conversation, passed, reason, replies, events)

    def play_all(self, conversations: list[Conversation], run_id: str, workers: int = 1) -> list[Verdict]:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda c: self.play(c, run_id), conversations))


def test_story(name: str, events: list[dict], domain_path: Path = PROJECT_ROOT / "domain.yml") -> str:
    """One replayed conversation as a Rasa end-to-end test story (user text, intent, actions, slots).

    Slots that steer the dialogue (featurized, and ``requested_slot``) are
    kept; the rest (references, deadlines, details) vary from run to run and
    change no prediction. ``rasa test`` replays these stories against the model.
    """
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.training_data.story_writer.yaml_story_writer import YAMLStoryWriter

    domain = Domain.load(str(domain_path))
    steering = {slot.name for slot in domain.slots if slot.influence_conversation} | {"requested_slot"}
    kept = []
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") not in steering:
            continue
        if kind in ("bot", "session_started") or (kind == "action" and event.get("name") == "action_session_start"):
            continue
        kept.append({key: value for key, value in event.items() if key not in ("metadata", "timestamp")})
    tracker = DialogueStateTracker.from_dict(name, kept, domain.slots)
    return tracker.export_stories(YAMLStoryWriter(), e2e=True)


def share(verdicts: list[Verdict]) -> float:
    return sum(v.passed for v in verdicts) / len(verdicts) if verdicts else 0.0


def report(verdicts: list[Verdict], last_replies: int = 2) -> str:
    """Share that ended as it should, per category and overall, then each failure with the bot's last replies."""
    lines = []
    categories = sorted({v.conversation.category for v in verdicts})
    for category in categories:
        mine = [v for v in verdicts if v.conversation.category == category]
        lines.append(f"{category:<14} {sum(v.passed for v in mine):>3}/{len(mine):<3} {share(mine):6.1%}")
    lines.append(f"{'overall':<14} {sum(v.passed for v in verdicts):>3}/{len(verdicts):<3} {share(verdicts):6.1%}")
    failures = [v for v in verdicts if not v.passed]
    if failures:
        lines.append("")
        lines.append("failing:")
    for verdict in failures:
        c = verdict.conversation
        lines.append(f"- {c.id} [{c.category}, {c.issue_type}, expected {c.outcome}]: {verdict.reason}")
        for index, reply in list(enumerate(verdict.replies, 1))[-last_replies:]:
            lines.append(f"    {index}> {c.turns[index - 1][:70]}")
            for text in reply:
                lines.append(f"      < {text[:140]}")
    return "\n".join(lines)

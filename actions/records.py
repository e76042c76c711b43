"""What the actions write about a conversation: troubles and tickets, from the tracker.

Every action module may import this one; it imports none of them, so the
actions never form a circle (troubles → identity → records, escalation →
records). The decisions themselves (which issue type, which hand-over
reason, what a deadline is) live in ``bot``; this module only turns a
tracker into their arguments and their results into what the customer reads.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot import handoff, templates
from bot.config import load_settings
from bot.dialogue import Reading, read_message
from bot.faq_log import FaqOutcome, record_answer
from bot.store.db import session_scope
from bot.support import add_follow_up, complete_trouble, format_deadline, open_trouble, trouble_by_reference
from bot.text import normalise
from bot.triage import NluResult, issue_type_of
from bot.triage.escalation import HUMAN_REQUEST, Escalation, detect_escalation
from bot.constants import TroubleStatus

TRANSCRIPT_EVENTS = 60
# A case is recorded (its reference told) once its trouble has left "collecting".
RECORDED = {TroubleStatus.QUEUED, TroubleStatus.VERIFICATION_LOCKED}
# What an action decided, in the slot `case_step` the rules branch on (data/rules/): a form to run
# (collecting a trouble, verifying for a request), the case recorded, or a message answered in one go.
COLLECTING, VERIFYING, RECORDED_STEP, ANSWERED = "collecting", "verifying", "recorded", "answered"


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def record_question(tracker: Tracker, outcome: FaqOutcome, question: str, *, faq_id: str | None = None,
                    confidence: float | None = None, english: bool = False) -> None:
    """What the bot did with a customer's question, for the monthly report (bot.faq_log)."""
    with session_scope() as session:
        record_answer(session, conversation_id=tracker.sender_id, channel=tracker.get_latest_input_channel() or "",
                      outcome=outcome, faq_id=faq_id, confidence=confidence, english=english, question=question,
                      now=now_utc())


def nlu_result(tracker: Tracker) -> NluResult:
    """The model's reading of the latest message."""
    return NluResult.from_parse_data(tracker.latest_message or {})


def transcript_of(tracker: Tracker) -> list[handoff.TranscriptLine]:
    """What customer and bot said in this session, oldest first, for the agents."""
    lines: list[handoff.TranscriptLine] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "session_started":
            lines = []
        elif kind in ("user", "bot") and event.get("text"):
            at = datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc)
            lines.append(handoff.TranscriptLine("customer" if kind == "user" else "bot", event["text"], at))
    return lines[-TRANSCRIPT_EVENTS:]


def start_trouble(tracker: Tracker, issue_type: str, confidence: float | None,
                  escalation_reason: str | None = None) -> tuple[str, str]:
    """Record a trouble the moment it is recognised; returns its reference and the reply deadline.

    The record names the model that read the latest message (its fingerprint).
    """
    settings = load_settings()
    with session_scope() as session:
        trouble = open_trouble(
            session, conversation_id=tracker.sender_id, channel=tracker.get_latest_input_channel() or "",
            issue_type=issue_type, confidence=confidence, now=now_utc(),
            calendar=settings.calendar, escalation_reason=escalation_reason,
            model_fingerprint=nlu_result(tracker).model,
        )
        return trouble.reference, format_deadline(trouble.reply_due)


def open_trouble_for(tracker: Tracker, issue_type: str, *, status: str, detail: str,
                     order_number: str | None = None, confidence: float | None = None,
                     escalation_reason: str | None = None) -> tuple[str, str]:
    """Open and at once complete a trouble (requests that need no form); returns reference and due."""
    reference, due = start_trouble(tracker, issue_type, confidence, escalation_reason)
    with session_scope() as session:
        complete_trouble(session, reference, order_number=order_number, detail=detail, now=now_utc(),
                         status=status)
    return reference, due


def client_key_of(tracker: Tracker) -> str | None:
    """The client the channel's pipeline vouched for (bot.channels.turn), if any."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    key = metadata.get("client_key") if isinstance(metadata, dict) else None
    return key if isinstance(key, str) and key else None


def open_ticket_for(tracker: Tracker, *, reason: str, severity: str, evidence: list[str],
                    trouble_reference: str | None) -> tuple[str | None, str]:
    """Open the ticket with the conversation so far; returns its reference and the reply deadline.

    ``(None, "")`` when this client already has as many open tickets as one
    client may have (``Settings.tickets_per_client_per_day``); ``say_hand_over``
    then tells the customer the earlier enquiry is being handled.
    """
    settings = load_settings()
    try:
        with session_scope() as session:
            ticket = handoff.open_ticket(
                session, conversation_id=tracker.sender_id, channel=tracker.get_latest_input_channel() or "",
                reason=reason, severity=severity, evidence=evidence, transcript=transcript_of(tracker),
                now=now_utc(), trouble_reference=trouble_reference,
                calendar=settings.calendar, business_reply_minutes=settings.business_reply_minutes,
                first_reply_hours=settings.first_reply_hours, client_key=client_key_of(tracker),
                tickets_per_client=settings.tickets_per_client_per_day,
            )
            return ticket.reference, format_deadline(ticket.first_reply_due)
    except handoff.TicketLimitReached:
        return None, ""


def hand_over(tracker: Tracker, *, reason: str, severity: str, evidence: list[str],
              detail: str = "") -> tuple[str | None, str]:
    """Record the trouble and open the ticket; returns the ticket reference and the reply deadline.

    The trouble keeps the type the conversation was about (a late parcel with
    a demand for 慰謝料 is still counted as a delivery delay) and records the
    escalation reason beside it: two decisions, both kept.
    """
    trouble_reference = tracker.get_slot("trouble_reference")
    if trouble_reference:
        with session_scope() as session:
            complete_trouble(session, trouble_reference, order_number=None, detail=detail, now=now_utc(),
                             status=TroubleStatus.HANDED_OFF, escalation_reason=reason)
    else:
        issue_type, confidence = issue_type_of(nlu_result(tracker))
        trouble_reference, _ = open_trouble_for(tracker, issue_type, status=TroubleStatus.HANDED_OFF, detail=detail,
                                                confidence=confidence, escalation_reason=reason)
    return open_ticket_for(tracker, reason=reason, severity=severity, evidence=evidence,
                           trouble_reference=trouble_reference)


def say_hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any], response: str,
                  *, ticket_reference: str | None, reply_due: str) -> None:
    """Send the hand-over message and keep it in the ticket's transcript, as the customer reads it.

    Without a ticket (the client's limit), the customer hears that the earlier enquiry is being handled.
    """
    if ticket_reference is None:
        dispatcher.utter_message(text=templates.TICKET_LIMIT_REACHED)
        return
    variants = (domain.get("responses") or {}).get(response) or [{}]
    text = str(variants[0].get("text") or "").format(ticket_reference=ticket_reference, reply_due=reply_due)
    if text:
        with session_scope() as session:
            handoff.record_bot_reply(session, tracker.sender_id, text, now_utc())
    dispatcher.utter_message(response=response, ticket_reference=ticket_reference, reply_due=reply_due)


def without_proof(text: str, reading: Reading) -> str:
    """The customer's words for the agents, with the phone digits they typed as proof taken out."""
    normal = normalise(text).strip()
    if reading.phone_last4:
        normal = re.sub(rf"(?<!\d){reading.phone_last4}(?!\d)", "＊＊＊＊", normal)
    return normal


def recorded_case(tracker: Tracker) -> str | None:
    """The reference of the case this conversation already recorded and told, if any."""
    reference = tracker.get_slot("trouble_reference")
    if not reference:
        return None
    with session_scope() as session:
        trouble = trouble_by_reference(session, reference)
        return reference if trouble is not None and trouble.status in RECORDED else None


def follow_up(dispatcher: CollectingDispatcher, tracker: Tracker, reference: str) -> List[EventType]:
    """Append what the customer added to the recorded case and say so in one line (issue #16, item 2)."""
    text = tracker.latest_message.get("text") or ""
    reading = read_message(text, order_number_asked=False)
    with session_scope() as session:
        add_follow_up(session, reference, detail=without_proof(text, reading), now=now_utc())
    dispatcher.utter_message(response="utter_follow_up_recorded", trouble_reference=reference)
    return []


def person_request(tracker: Tracker) -> Escalation | None:
    """The escalation the latest message is, when it is only a request for a person (else None).

    Not a demand, abuse or the fraud scheme: those always go to people.
    """
    model_intent, confidence = nlu_result(tracker).top_intent
    escalation = detect_escalation(tracker.latest_message.get("text") or "", None, model_intent, confidence)
    return escalation if escalation.escalate and escalation.reason == HUMAN_REQUEST else None


def model_alone_asks_for_a_person(tracker: Tracker) -> bool:
    """The model read "a person, please" where none of the escalation rules' words are (bot.triage.escalation).

    「連絡は祖母の方にお願いします」: the model's guess, which gives way to the
    case the customer is adding to; a customer who writes 「担当者」「人と話したい」
    (the rules) is always handed over.
    """
    request = person_request(tracker)
    return request is not None and not request.rules


def customer_texts_before(tracker: Tracker) -> list[str]:
    """What the customer wrote earlier in this session, oldest first (not the latest message)."""
    texts: list[str] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            texts = []
        elif event.get("event") == "user":
            texts.append(event.get("text") or "")
    return texts[:-1]

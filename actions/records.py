"""What the actions write about a conversation: troubles and tickets, from the tracker.

Every action module may import this one; it imports none of them, so the
actions never form a circle (troubles → identity → records, escalation →
records). The decisions themselves (which issue type, which hand-over
reason, what a deadline is) live in ``bot``; this module only turns a
tracker into their arguments and their results into what the customer reads.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import handoff, templates
from bot.config import load_settings
from bot.store.db import session_scope
from bot.support import complete_trouble, format_deadline, open_trouble
from bot.triage import NluResult, issue_type_of
from bot.constants import TroubleStatus

TRANSCRIPT_EVENTS = 60


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


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

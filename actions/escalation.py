"""Escalation: hand the conversation to people, say what happens next, stop talking.

``action_escalate`` runs when the NLU's ``EscalationDetector`` (rules of
``bot.triage.escalation`` plus the model's intent) put ``escalate`` on top.
It judges demanded amounts again against the verified order's value, records
the trouble, opens the ticket with the conversation so far, and answers with
the reason's response: calm and firm for demands, a one-sentence boundary for
abuse, the fraud advice for the SNS-promotion scheme, a plain hand-over for a
request for a person. From then on the channels keep the bot silent
(``bot.handoff.gate``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import handoff, identity, templates
from bot.config import load_settings
from bot.store.db import session_scope
from bot.store.models import Order
from bot.support import complete_trouble, format_deadline
from bot.triage import issue_type_of
from bot.triage.escalation import HUMAN_REQUEST, REASON_OF_INTENT, detect_escalation

TRANSCRIPT_EVENTS = 60


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


def _model_intent(tracker: Tracker) -> tuple[str | None, float]:
    """The language model's own top intent and confidence (below the ``escalate`` the rules put on top)."""
    for intent in tracker.latest_message.get("intent_ranking") or []:
        if intent.get("name") not in ("escalate", "nlu_fallback"):
            return intent.get("name"), float(intent.get("confidence") or 0.0)
    return None, 0.0


def hand_over(tracker: Tracker, *, reason: str, severity: str, evidence: list[str],
              detail: str = "") -> tuple[str | None, str]:
    """Record the trouble and open the ticket; returns the ticket reference and the reply deadline.

    The trouble keeps the type the conversation was about (a late parcel with
    a demand for 慰謝料 is still counted as a delivery delay).
    """
    from actions.troubles import nlu_result, open_trouble_for  # troubles → escalation would be a cycle

    trouble_reference = tracker.get_slot("trouble_reference")
    if trouble_reference:
        with session_scope() as session:
            complete_trouble(session, trouble_reference, order_number=None, detail=detail,
                             now=datetime.now(timezone.utc), status="handed_off")
    else:
        issue_type, _ = issue_type_of(nlu_result(tracker))
        trouble_reference, _ = open_trouble_for(tracker, issue_type, status="handed_off", detail=detail)
    return open_ticket_for(tracker, reason=reason, severity=severity, evidence=evidence,
                           trouble_reference=trouble_reference)


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
                now=datetime.now(timezone.utc), trouble_reference=trouble_reference,
                business_hours=settings.business_hours, business_reply_minutes=settings.business_reply_minutes,
                first_reply_hours=settings.first_reply_hours, client_key=client_key_of(tracker),
                tickets_per_client=settings.tickets_per_client_per_day,
            )
            return ticket.reference, format_deadline(ticket.first_reply_due)
    except handoff.TicketLimitReached:
        return None, ""


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
            handoff.record_bot_reply(session, tracker.sender_id, text, datetime.now(timezone.utc))
    dispatcher.utter_message(response=response, ticket_reference=ticket_reference, reply_due=reply_due)


class ActionEscalate(Action):
    """Hands the conversation to people with the reason's own words."""

    def name(self) -> Text:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        with session_scope() as session:
            verified = identity.verified_customer(session, tracker.sender_id)
            order_total = session.get(Order, verified.order_id).total if verified else None
        model_intent, confidence = _model_intent(tracker)
        escalation = detect_escalation(text, order_total, model_intent, confidence)
        if escalation.escalate:
            reason, severity, evidence = escalation.reason, escalation.severity, list(escalation.evidence)
        else:  # the model asked for a person; or the verified order's value makes the amount look
            # reasonable, but a person still reads a message the rules flagged: the safe side
            found = message.get("escalation") or {}
            reason = found.get("reason") or REASON_OF_INTENT.get(model_intent or "") or HUMAN_REQUEST
            severity, evidence = found.get("severity") or "normal", list(found.get("evidence") or [])
        reference, due = hand_over(tracker, reason=reason, severity=severity, evidence=evidence, detail=text)
        say_hand_over(dispatcher, tracker, domain, response=f"utter_escalated_{reason}",
                      ticket_reference=reference, reply_due=due)
        return [SlotSet("ticket_reference", reference), SlotSet("reply_due", due)]

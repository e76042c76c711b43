"""Actions for proving who you are and for requests that need it.

The slots never hold the phone digits or the code, only "verified",
"mailed" (the customer asked for the code by mail instead of the digits) or
"locked"; who is verified, at which level and until when lives in the
database (bot.identity), where the outbound guard and the console read it too.
Mail is only queued here: ``bot.mail``'s background sender sends it after
the commit, so a slow or failing mail server never delays a reply.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.records import ANSWERED, VERIFYING, follow_up, hand_over, open_trouble_for, recorded_case, say_hand_over
from bot import identity, templates
from bot.dialogue import requests_step_up_explicitly
from bot.mail import background_sender
from bot.orders import item_lines_of_verified_order
from bot.store.db import session_scope
from bot.store.models import Order
from bot.text import parse_order_number_reply, says_unknown
from bot.constants import TroubleStatus

VERIFIED, MAILED, LOCKED = "verified", "mailed", "locked"
ORDER_NUMBER_UNKNOWN = "unknown"
# Words that are not an answer to the form's question but a request to it (the slots' not_intent).
NOT_AN_ANSWER = {"request_human", "escalate", "excessive_demand", "abusive", "fraud_scheme"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def client_key(tracker: Tracker) -> str | None:
    """The channel's HMAC of the client address, from the message metadata (None where a channel gives none)."""
    metadata = tracker.latest_message.get("metadata") or {}
    value = metadata.get("client_key") if isinstance(metadata, dict) else None
    return value if isinstance(value, str) else None


def verification_level(tracker: Tracker) -> str | None:
    with session_scope() as session:
        current = identity.verified_customer(session, tracker.sender_id)
        return current.level if current else None


def validate_order_number_answer(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 allow_unknown: bool) -> Dict[Text, Any]:
    """An order number in any form; a different number than before starts verification over."""
    text = str(value or "")
    order_number = parse_order_number_reply(text)
    if order_number:
        with session_scope() as session:
            current = identity.verified_customer(session, tracker.sender_id)
            if current is not None:
                if session.get(Order, current.order_id).order_number == order_number:
                    return {"order_number": order_number, "phone_last4": VERIFIED}
                identity.forget(session, tracker.sender_id)
        return {"order_number": order_number, "phone_last4": None}
    if allow_unknown and says_unknown(text):
        return {"order_number": ORDER_NUMBER_UNKNOWN}
    dispatcher.utter_message(response="utter_order_number_not_recognised")
    return {"order_number": None}


def verify_phone_answer(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """Check the order number with the phone digits; every failure gets the same words.

    「メール」 instead of the digits asks for the code by mail (the way in for
    an order past its daily budget of wrong digits): the same words again,
    whether or not the order exists.
    """
    text = str(value or "")
    digits = identity.read_phone_last4(text)
    if digits is None and identity.asks_for_mailed_code(text):
        with session_scope() as session:
            identity.request_mailed_code(session, conversation_id=tracker.sender_id, sender_id=tracker.sender_id,
                                         order_number=tracker.get_slot("order_number") or "", now=_now(),
                                         client_key=client_key(tracker))
        background_sender().wake()
        dispatcher.utter_message(text=templates.CODE_MAIL_REQUESTED)
        return {"phone_last4": MAILED, "one_time_code": None}
    if digits is None:
        dispatcher.utter_message(response="utter_phone_last4_not_recognised")
        return {"phone_last4": None}
    with session_scope() as session:
        result = identity.verify_order_owner(
            session, conversation_id=tracker.sender_id, sender_id=tracker.sender_id,
            order_number=tracker.get_slot("order_number") or "", phone_last4=digits, now=_now(),
            client_key=client_key(tracker))
    if result.verified:
        dispatcher.utter_message(response="utter_verified")
        return {"phone_last4": VERIFIED}
    if result.locked:
        dispatcher.utter_message(response="utter_verification_locked")
        return {"phone_last4": LOCKED}
    # The order number stays: the next message may be the right digits, or another number with its digits.
    dispatcher.utter_message(response="utter_verification_failed")
    dispatcher.utter_message(text=templates.VERIFICATION_MAIL_OFFER)
    return {"phone_last4": None}


class VerifiesOrderOwner:
    """Slot validators both forms share: the order number, then the phone digits that prove it."""

    allow_unknown_order_number = False

    def validate_order_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: Dict[Text, Any]) -> Dict[Text, Any]:
        if value is None:  # cleared by the action that started the form, not typed
            return {"order_number": None}
        return validate_order_number_answer(value, dispatcher, tracker,
                                            allow_unknown=self.allow_unknown_order_number)

    def validate_phone_last4(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: Dict[Text, Any]) -> Dict[Text, Any]:
        if value is None:  # cleared by the action that started the form, not typed
            return {"phone_last4": None}
        if value in (VERIFIED, MAILED, LOCKED):
            return {"phone_last4": value}
        result = verify_phone_answer(value, dispatcher, tracker)
        if result.get("phone_last4") == VERIFIED:
            self.on_verified(dispatcher, tracker)
        return result

    def on_verified(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """What a form does the moment the order owner is proven."""

    def validate_one_time_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: Dict[Text, Any]) -> Dict[Text, Any]:
        """The mailed code, after the phone digits or instead of them; success is level "step_up"."""
        if value is None:  # cleared by the action that started the form, not typed
            return {"one_time_code": None}
        if value in (VERIFIED, LOCKED):
            return {"one_time_code": value}
        code = identity.read_code(str(value or ""))
        if code is None:
            dispatcher.utter_message(response="utter_one_time_code_not_recognised")
            return {"one_time_code": None}
        with session_scope() as session:
            result = identity.confirm_step_up(session, conversation_id=tracker.sender_id,
                                              sender_id=tracker.sender_id, code=code, now=_now(),
                                              client_key=client_key(tracker))
        if result.verified:
            dispatcher.utter_message(response="utter_step_up_done")
            return {"one_time_code": VERIFIED}
        if result.locked:
            dispatcher.utter_message(response="utter_verification_locked")
            return {"one_time_code": LOCKED, "phone_last4": LOCKED}
        dispatcher.utter_message(response="utter_one_time_code_failed")
        return {"one_time_code": None}


class ValidateStepUpForm(VerifiesOrderOwner, FormValidationAction):
    """Order number, phone digits (or 「メール」), then the one-time code from the e-mail on file."""

    def name(self) -> Text:
        return "validate_step_up_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: Dict[Text, Any]) -> List[Text]:
        if tracker.get_slot("phone_last4") == LOCKED or tracker.get_slot("one_time_code") == LOCKED:
            return []
        return domain_slots

    def on_verified(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        send_one_time_code(dispatcher, tracker)


def send_one_time_code(dispatcher: CollectingDispatcher, tracker: Tracker) -> str:
    """Queue the step-up code for a conversation verified by its digits; say so when the hourly limit stops it."""
    with session_scope() as session:
        result = identity.start_step_up(session, conversation_id=tracker.sender_id, sender_id=tracker.sender_id,
                                        now=_now(), client_key=client_key(tracker))
    if result == identity.CODE_SENT:
        background_sender().wake()
    elif result == identity.CODE_LIMITED:
        dispatcher.utter_message(text=templates.CODE_LIMIT_REACHED.format(limit=identity.CODES_PER_ORDER))
    return result


class ActionStartRequest(Action):
    """Remember what the customer wants; skip the steps this conversation already proved."""

    def name(self) -> Text:
        return "action_start_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        reference = recorded_case(tracker)
        if reference and not requests_step_up_explicitly(text):
            # 「宛名は株式会社…で」 after the reference: more for that case, never an e-mailed code by itself.
            return [*follow_up(dispatcher, tracker, reference), SlotSet("case_step", ANSWERED)]
        events: List[EventType] = [SlotSet("pending_request", intent), SlotSet("one_time_code", None),
                                   SlotSet("order_number_taken", False)]
        level = verification_level(tracker)
        if level == identity.LEVEL_STEP_UP:
            events += [SlotSet("phone_last4", VERIFIED), SlotSet("one_time_code", VERIFIED)]
        elif level == identity.LEVEL_ORDER:
            send_one_time_code(dispatcher, tracker)
            events += [SlotSet("phone_last4", VERIFIED)]
        else:
            events += [SlotSet("order_number", None), SlotSet("phone_last4", None)]
        return [*events, SlotSet("requested_slot", None), SlotSet("case_step", VERIFYING)]  # the rule runs step_up_form


class ActionFulfilRequest(Action):
    """Item details or an address-change request, only for a stepped-up conversation."""

    def name(self) -> Text:
        return "action_fulfil_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        with session_scope() as session:
            current = identity.verified_customer(session, tracker.sender_id)
            stepped_up = current is not None and current.level == identity.LEVEL_STEP_UP
            items = item_lines_of_verified_order(session, current.order_id) if stepped_up else []
        request = tracker.get_slot("pending_request")
        events: List[EventType] = [SlotSet("pending_request", None), SlotSet("one_time_code", None)]
        if not stepped_up:
            reference, due = hand_over(tracker, reason="verification_locked", severity="normal",
                                       evidence=["確認コードによる本人確認が完了しませんでした"],
                                       detail="本人確認が完了しなかったため担当者対応")
            say_hand_over(dispatcher, tracker, domain, "utter_escalated_verification_locked",
                          ticket_reference=reference, reply_due=due)
            return [*events, SlotSet("ticket_reference", reference), SlotSet("reply_due", due)]
        if request == "ask_order_items":
            dispatcher.utter_message(response="utter_order_items", items="\n".join(items))
            return events
        reference, due = open_trouble_for(tracker, "other", status=TroubleStatus.QUEUED, detail="配送先変更の依頼",
                                          order_number=tracker.get_slot("order_number"))
        dispatcher.utter_message(response="utter_change_address_recorded", trouble_reference=reference,
                                 reply_due=due)
        return events


class ActionSessionStart(Action):
    """A new conversation starts unverified: verification lasts for one conversation only."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        with session_scope() as session:
            identity.forget(session, tracker.sender_id)
        return [SessionStarted(), ActionExecuted("action_listen")]



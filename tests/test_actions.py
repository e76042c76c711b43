"""The custom actions run in process on saved trackers, as the action server runs them.

Like financial-demo's ``tests/test_actions.py``: each fixture in
``tests/data/trackers/`` is a tracker as Rasa sends it to the action server;
the action runs against a shop database of the test's own, and the test reads
what it said and what it wrote. No Rasa server, no trained model.
"""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.escalation import ActionEscalate
from actions.troubles import ActionStartTrouble, ValidateTroubleForm
from bot.config import PROJECT_ROOT
from bot.store.db import session_scope
from bot.store.models import Ticket, Trouble

TRACKERS = Path(__file__).parent / "data" / "trackers"
ACTIONS = PROJECT_ROOT / "actions"


@pytest.fixture(scope="module")
def domain() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def run_action(action, fixture: str, domain: dict) -> tuple[CollectingDispatcher, list[dict]]:
    tracker = Tracker.from_dict(json.loads((TRACKERS / fixture).read_text(encoding="utf-8")))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return dispatcher, events


def slots_set(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_a_demand_for_isharyo_about_a_late_parcel_is_handed_over_and_stays_a_delivery_delay(shop_database, domain):
    dispatcher, events = run_action(ActionEscalate(), "late_parcel_with_isharyo_demand.json", domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_escalated_excessive_demand"]
    slots = slots_set(events)
    with session_scope() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == slots["ticket_reference"])).one()
        trouble = session.scalars(select(Trouble).where(Trouble.reference == ticket.trouble_reference)).one()
    assert (ticket.reason, ticket.severity, ticket.conversation_id) == (
        "excessive_demand", "high", "rest:fixture-isharyo")
    assert "慰謝料" in ticket.evidence
    assert (trouble.issue_type, trouble.status) == ("delivery_delay", "handed_off")
    assert (trouble.escalation_reason, trouble.model_fingerprint) == ("excessive_demand", "0123456789ab")
    assert dispatcher.messages[0]["ticket_reference"] == ticket.reference


def test_a_fraud_flag_of_the_model_alone_without_a_word_of_the_scheme_gets_no_scheme_advice(shop_database, domain):
    # Someone posing as the police: the model's judgement alone must not tell them to call 188.
    dispatcher, events = run_action(ActionEscalate(), "model_alone_calls_a_police_impostor_a_fraud_victim.json", domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_escalated_human_request"]
    with session_scope() as session:
        ticket = session.scalars(select(Ticket)).one()
        trouble = session.scalars(select(Trouble)).one()
    assert (ticket.reason, ticket.evidence) == ("fraud_scheme", "intent:fraud_scheme 0.91")
    assert (trouble.issue_type, trouble.escalation_reason) == ("other", "fraud_scheme")


def test_a_request_the_model_alone_recognised_is_a_plain_hand_over(shop_database, domain):
    dispatcher, events = run_action(ActionEscalate(), "model_asks_for_a_person.json", domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_escalated_human_request"]
    with session_scope() as session:
        ticket = session.scalars(select(Ticket)).one()
    assert ticket.reason == "human_request"
    assert "intent:request_human" in ticket.evidence


def test_a_late_parcel_is_recorded_at_once_and_its_long_first_message_kept_as_the_detail(shop_database, domain):
    dispatcher, events = run_action(ActionStartTrouble(), "late_parcel_first_message.json", domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_ack_delivery_delay"]
    slots = slots_set(events)
    assert (slots["issue_type"], slots["case_step"]) == ("delivery_delay", "collecting")  # the rule runs the form
    with session_scope() as session:
        trouble = session.scalars(select(Trouble)).one()
    assert (trouble.reference, trouble.status, trouble.channel) == (slots["trouble_reference"], "collecting", "rest")

    # The form reads the same first message whole: its details are taken, its questions skip them.
    form_dispatcher, form_events = run_form_after("late_parcel_first_message.json", events, domain)
    assert slots_set(form_events)["trouble_detail"].startswith("注文した荷物がまだ届きません")
    assert "order_number" not in slots_set(form_events)  # still to be asked (Rasa asks the first empty slot)
    assert form_dispatcher.messages == []


def run_form_after(fixture: str, start_events: list[dict], domain: dict) -> tuple[CollectingDispatcher, list[dict]]:
    """validate_trouble_form as Rasa runs it when the rule starts trouble_form after action_start_trouble."""
    data = json.loads((TRACKERS / fixture).read_text(encoding="utf-8"))
    data["slots"].update(slots_set(start_events))
    data["events"] += [{"event": "action", "name": "action_start_trouble"}, *start_events,
                       {"event": "active_loop", "name": "trouble_form"},
                       {"event": "action", "name": "trouble_form"}]
    data["active_loop"] = {"name": "trouble_form"}
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTroubleForm().run(dispatcher, Tracker.from_dict(data), domain))
    return dispatcher, events


def _imports_of(path: Path) -> set[str]:
    """Every ``actions.*`` module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("actions."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("actions.")}
    return found


def test_action_modules_import_each_other_without_a_circle():
    graph = {p.stem: _imports_of(p) for p in ACTIONS.glob("*.py") if p.stem != "__init__"}

    def reaches(start: str, goal: str, seen: frozenset = frozenset()) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph.get(start, ()))

    circles = sorted(m for m in graph if reaches(m, m))
    assert not circles, f"actions modules in an import circle: {circles} ({graph})"


def test_test_modules_share_helpers_through_helper_modules_not_each_other():
    """A test module imported by another runs its tests' module-level code twice and ties them together;
    shared helpers live in tests/*.py modules that hold no tests (responses, tickets, widget, …)."""
    tests_dir = Path(__file__).parent
    offenders = {}
    for path in tests_dir.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module] if isinstance(node, ast.ImportFrom) and node.module else []) + \
                ([f"tests.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) and node.module == "tests"
                 else []) + ([a.name for a in node.names] if isinstance(node, ast.Import) else [])
            bad = [n for n in names if n.startswith("tests.test_")]
            if bad:
                offenders.setdefault(path.name, set()).update(bad)
    assert not offenders, offenders


@pytest.mark.parametrize(("text", "opening", "part_of_the_case"), [
    ("いつ届くか知りたい", False, True),  # the case's own order, whatever the intent model read
    ("もう発送されましたか", False, True),
    ("送料っていくらですか", False, False),  # a question for the FAQ: answered, then the case goes on
    ("営業時間は何時までですか", False, False),
    ("いつ届くか知りたい", True, False),  # the opening message: the rules decide, as before
])
def test_a_question_about_the_cases_own_order_stays_in_the_case_when_the_model_reads_an_faq_question(
        text, opening, part_of_the_case):
    """One training read 「いつ届くか知りたい」 as a late delivery, the next as the FAQ's shipping days: a customer
    whose order had just been locked got the shop's general shipping days and their trouble was never recorded."""
    from bot.dialogue import read_message

    tracker = Tracker("rest:locked", {"requested_slot": None if opening else "trouble_detail"},
                      {"text": text, "intent": {"name": "faq", "confidence": 0.88}}, [], False, None,
                      {"name": "trouble_form"}, "action_listen")
    reading = read_message(text, order_number_asked=False)
    assert ValidateTroubleForm._part_of_the_case(tracker, "faq", reading, False, opening) is part_of_the_case


def _faq_question(text: str, entry: str, entry_confidence: float) -> dict:
    """A first message the model read as an FAQ question the selector is sure of (issue type: no trouble)."""
    data = json.loads((TRACKERS / "late_parcel_first_message.json").read_text(encoding="utf-8"))
    data["sender_id"] = "rest:fixture-faq"
    data["latest_message"] = {
        "text": text, "intent": {"name": "faq", "confidence": 0.99}, "intent_ranking": [], "entities": [],
        "issue_type": {"name": "other", "confidence": 0.9, "ranking": []}, "model_fingerprint": "0123456789ab",
        "response_selector": {"faq": {
            "response": {"intent_response_key": f"faq/{entry}", "confidence": entry_confidence},
            "ranking": [{"intent_response_key": f"faq/{entry}", "confidence": entry_confidence},
                        {"intent_response_key": "faq/receipt", "confidence": 0.02}],
            "question_confidence": 0.95}}}
    data["events"][-1]["text"] = text
    data["events"][-1]["parse_data"] = data["latest_message"]
    return data


@pytest.mark.parametrize("text, answered", [
    ("注文した後に商品を追加することはできますか？", True),   # how the shop works: the FAQ answers
    ("昨日注文したタオルにもう1枚追加できますか？", False),    # that order: verification, then a person
])
def test_a_request_about_ones_own_order_opens_a_case_where_the_general_question_gets_the_faq_answer(
        shop_database, domain, text, answered):
    from actions.faq import ActionAnswerFaq

    tracker = Tracker.from_dict(_faq_question(text, "add_to_order", 0.89))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerFaq().run(dispatcher, tracker, domain))

    said = [m["response"] for m in dispatcher.messages]
    if answered:
        assert said == ["utter_faq/add_to_order", "utter_faq_ask_solved"]
        assert slots_set(events)["case_step"] == "answered"
    else:
        assert said == ["utter_ack_other"]
        assert slots_set(events)["case_step"] == "collecting"  # the trouble form asks for the order number
        with session_scope() as session:
            trouble = session.scalars(select(Trouble)).one()
        assert (trouble.issue_type, trouble.status) == ("other", "collecting")

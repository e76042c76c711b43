"""An FAQ entry on a trouble's topic (data/faq.yml ``issue_type``) gives a question answered from it that issue type.

「返品するなら何日以内に送ればいい？」 is a question, not a trouble: the bot answers it from
``return_policy`` and opens no case. Triage (the ``./madoguchi triage`` record) still counts it as a
``refund_return``, as the writers' brief defines the type ("return procedure"). The topic is set per
entry in the shop's file, travels in the trained model (the FaqEntrySelector keeps it), and teaches the
issue-type classifier nothing: an FAQ phrasing still teaches ``other``.
"""

from __future__ import annotations

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.faq import FaqEntry, FaqFileError, dump_faq, load_faq, parse_faq
from bot.faq_answer import FaqReading
from bot.triage import NluResult, issue_type_of, triage
from bot.triage.labels import FAQ_ISSUE_TYPE_METADATA, faq_issue_type_of, issue_label_of

QUESTIONS = ["返品できますか", "返品の期限は", "返品するなら何日以内", "へんぴん できますか", "返品送料は誰もち"]


def _file(**changes) -> dict:
    return {"version": 1, "faq": [{"id": "return_policy", "questions": QUESTIONS, "answer": "到着後8日以内です。",
                                   **changes}]}


def test_the_demo_shops_return_and_payment_entries_carry_their_topic_and_the_rest_none():
    topics = {e.id: e.issue_type for e in load_faq(PROJECT_ROOT / "data" / "faq.yml")}
    assert {i for i, t in topics.items() if t == "refund_return"} == {"return_policy", "exchange",
                                                                        "cancel_before_shipping"}
    assert {i for i, t in topics.items() if t == "billing_contract"} == {
        "payment_methods", "pay_later", "convenience_store_payment", "credit_card", "bank_transfer",
        "subscription_change", "withdraw_membership"}
    assert topics["shipping_fee"] == topics["receipt"] == topics["gift_wrapping"] == "other"


def test_a_topic_is_read_written_back_and_an_unknown_one_refused_in_japanese():
    [entry] = parse_faq(_file(issue_type="refund_return"))
    assert entry.issue_type == "refund_return"
    assert parse_faq(yaml.safe_load(dump_faq([entry])))[0] == entry
    [plain] = parse_faq(_file())
    assert plain.issue_type == "other" and "issue_type" not in plain.as_dict()  # the file stays as the shop wrote it
    with pytest.raises(FaqFileError, match="「return_policy」: issue_type は delivery_delay"):
        parse_faq(_file(issue_type="returns"))


def test_the_importer_tags_an_entrys_phrasings_with_its_topic_and_they_still_teach_no_trouble():
    from bot.rasa_nlu.faq_importer import faq_training_data

    entries = (FaqEntry("return_policy", tuple(QUESTIONS), "8日以内です。", issue_type="refund_return"),
               FaqEntry("shipping_fee", ("送料は", "送料いくら", "そうりょう", "送料無料は", "送料高い?"), "660円です。"))
    examples = faq_training_data(entries).training_examples
    topics = {m.get("text"): faq_issue_type_of(m.get("metadata")) for m in examples}
    assert topics["返品の期限は"] == "refund_return" and topics["送料いくら"] is None
    assert {issue_label_of(m.get("intent"), m.get("metadata")) for m in examples} == {"other"}


def test_the_selector_names_the_best_entrys_topic_and_keeps_it_in_the_model(tmp_path):
    import numpy as np
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import METADATA, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa_nlu.components import FaqEntrySelector
    from tests.pipeline_components import trained, training_message

    rng = np.random.default_rng(20261204)
    returns = [training_message(f"返品 は {i}", "faq", rng, entry="return_policy") for i in range(6)]
    for message in returns:
        message.set(METADATA, {"example": {FAQ_ISSUE_TYPE_METADATA: "refund_return"}})
    written = [*returns, *(training_message(f"送料 は {i}", "faq", rng, entry="shipping_fee") for i in range(6)),
               *(training_message(f"届か ない {i}", "delivery_delay", rng) for i in range(6))]
    selector = trained(FaqEntrySelector, written, tmp_path, "selector")
    for trained_message in (returns[0], written[6]):
        message = Message({TEXT: trained_message.get(TEXT)})
        for features in trained_message.features:
            message.add_features(features)
        selector.process([message])
        best = message.get("response_selector")["faq"]["response"]
        assert best["issue_type"] == {"faq/return_policy": "refund_return", "faq/shipping_fee": "other"}[
            best["intent_response_key"]]
    storage = LocalModelStorage(tmp_path / "selector")
    loaded = FaqEntrySelector.load(FaqEntrySelector.get_default_config(), storage, Resource("selector"),
                                   ExecutionContext(GraphSchema({}), "selector"))
    assert loaded._issue_types == {"faq/return_policy": "refund_return"}


def _parse(issue: str, issue_confidence: float, entry: str, topic: str | None, entry_confidence: float = 0.8,
           text: str = "返品するなら何日以内に送ればいいですか？") -> dict:
    response = {"intent_response_key": f"faq/{entry}", "confidence": entry_confidence}
    if topic is not None:
        response["issue_type"] = topic
    return {"text": text, "intent": {"name": "faq", "confidence": 0.95},
            "intent_ranking": [{"name": "faq", "confidence": 0.95}],
            "issue_type": {"name": issue, "confidence": issue_confidence,
                           "ranking": [{"name": issue, "confidence": issue_confidence}]},
            "response_selector": {"faq": {"response": response, "ranking": [response], "question_confidence": 0.9}}}


def test_a_question_answered_from_a_topics_entry_is_triaged_under_the_topic_while_the_dialogue_sees_no_trouble():
    nlu = NluResult.from_parse_data(_parse("other", 0.97, "return_policy", "refund_return", entry_confidence=0.8))
    assert nlu.faq == "return_policy"
    record = triage(nlu)
    assert (record.issue_type, record.confidence, record.faq) == ("refund_return", 0.8, "return_policy")
    assert issue_type_of(nlu) == ("other", 0.97)  # the dialogue: an answer, no case
    assert FaqReading.from_parse_data(_parse("other", 0.97, "return_policy", "refund_return")).answer_id() == \
        "return_policy"


@pytest.mark.parametrize("parse, expected", [
    # An entry without a topic, or a model trained before topics: the classifier's other stands.
    (_parse("other", 0.97, "shipping_fee", "other", text="送料はいくらですか"), "other"),
    (_parse("other", 0.97, "return_policy", None), "other"),
    # The classifier read a trouble: it stands, whatever the entry's topic.
    (_parse("defective_product", 0.6, "return_policy", "refund_return"), "defective_product"),
    # Not answered from the FAQ (the selector unsure of the entry): no topic.
    (_parse("other", 0.97, "return_policy", "refund_return", entry_confidence=0.1), "other"),
])
def test_the_topic_counts_only_for_a_question_answered_from_the_entry_that_the_classifier_read_as_no_trouble(
        parse, expected):
    assert triage(NluResult.from_parse_data(parse)).issue_type == expected

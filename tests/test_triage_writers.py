"""Independent writers' messages in the training data, issue-type labels of every example, and scoring both decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.support import ISSUE_TYPES
from bot.triage import Triage
from bot.triage.escalation import NONE, REASON_OF_INTENT
from bot.triage.labels import issue_label_of
from bot.triage.quality import score_triage
from bot.triage.writers import (
    PROJECT_WRITER, LabelledMessage, load_writer, rasa_training_data, training_messages,
)

NLU = PROJECT_ROOT / "data" / "nlu"
WRITER_FILES = sorted((NLU / "writers").glob("triage_*.yml"))


def test_a_writers_messages_come_back_from_the_training_data_with_both_labels_and_the_writer(tmp_path):
    source = tmp_path / "triage_Z.yml"
    source.write_text(yaml.safe_dump({"writer": "Z", "messages": [
        {"text": "荷物が届かない。慰謝料5万円払え", "issue_type": "delivery_delay", "escalate": True,
         "reason": "excessive_demand", "register": "angry", "also": None},
        {"text": "人と話したい", "issue_type": "other", "escalate": True, "reason": "human_request"},
        {"text": "ﾛｸﾞｲﾝできません😢", "issue_type": "system_trouble", "escalate": False, "reason": None},
    ]}, allow_unicode=True), encoding="utf-8")
    writer, messages = load_writer(source)
    target = tmp_path / "nlu.yml"
    target.write_text(rasa_training_data(writer, messages, source.name), encoding="utf-8")
    back = training_messages([target])
    assert sorted((m.text, m.issue_type, m.reason, m.writer) for m in back) == [
        ("人と話したい", "other", "human_request", "Z"),
        ("荷物が届かない。慰謝料5万円払え", "delivery_delay", "excessive_demand", "Z"),
        ("ﾛｸﾞｲﾝできません😢", "system_trouble", NONE, "Z"),
    ]
    intents = {block["intent"] for block in yaml.safe_load(target.read_text(encoding="utf-8"))["nlu"]}
    assert intents == {"excessive_demand", "request_human", "system_trouble"}


@pytest.mark.parametrize("bad", [
    {"text": "届かない", "issue_type": "late", "escalate": False, "reason": None},
    {"text": "届かない", "issue_type": "delivery_delay", "escalate": True, "reason": None},
    {"text": "届かない", "issue_type": "delivery_delay", "escalate": False, "reason": "abusive"},
    {"text": "", "issue_type": "delivery_delay", "escalate": False, "reason": None},
])
def test_a_wrong_label_in_a_writers_file_is_refused_with_the_message_number(tmp_path, bad):
    source = tmp_path / "triage_Z.yml"
    source.write_text(yaml.safe_dump({"writer": "Z", "messages": [bad]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="message 1"):
        load_writer(source)


def test_at_least_two_independent_writers_are_in_the_training_data_with_escalations_in_every_reason():
    messages = training_messages(WRITER_FILES)
    writers = {m.writer for m in messages}
    assert len(writers) >= 2 and PROJECT_WRITER not in writers
    for writer in writers:
        own = [m for m in messages if m.writer == writer]
        assert {m.issue_type for m in own} == set(ISSUE_TYPES), writer
        assert {m.reason for m in own} == {*REASON_OF_INTENT.values(), NONE}, writer
        # Escalations keep their trouble: not all of them are `other`.
        assert sum(m.escalate and m.issue_type != "other" for m in own) >= 50, writer


def test_every_escalation_example_carries_its_underlying_issue_type():
    data = yaml.safe_load((NLU / "escalation.yml").read_text(encoding="utf-8"))
    for block in data["nlu"]:
        assert (block.get("metadata") or {}).get("issue_type") in ISSUE_TYPES, block["intent"]
    labelled = [m for m in training_messages([NLU / "escalation.yml"])]
    assert {m.issue_type for m in labelled} - {"other"}  # a 慰謝料 demand about a late parcel is a delay
    assert all(m.escalate for m in labelled)


def test_issue_labels_of_training_examples():
    assert issue_label_of("delivery_delay") == "delivery_delay"
    assert issue_label_of("greet") == "other"  # greetings describe no trouble
    assert issue_label_of("abusive") == "other"  # insults alone describe no trouble
    assert issue_label_of("abusive", {"intent": {"issue_type": "delivery_delay"}}) == "delivery_delay"
    assert issue_label_of("abusive", {"intent": {"issue_type": "other"},
                                      "example": {"issue_type": "refund_return"}}) == "refund_return"
    with pytest.raises(ValueError):
        issue_label_of("abusive", {"intent": {"issue_type": "late"}})


def test_scores_of_both_decisions_keep_escalated_and_calm_messages_apart():
    gold = [LabelledMessage("a", "delivery_delay", "excessive_demand", "Z"),
            LabelledMessage("b", "delivery_delay", NONE, "Z"),
            LabelledMessage("c", "other", "abusive", "Z"),
            LabelledMessage("d", "refund_return", NONE, "Z")]
    predicted = [Triage("delivery_delay", 0.95, True, "abusive"), Triage("delivery_delay", 0.92, False),
                 Triage("delivery_delay", 0.6, True, "abusive"), Triage("refund_return", 0.8, True, "abusive")]
    scores = score_triage(gold, predicted)
    assert (scores.n, scores.n_escalated) == (4, 2)
    assert (scores.escalation_recall, scores.escalation_precision, scores.reason_accuracy) == (1.0, 2 / 3, 0.5)
    assert scores.macro_f1_calm == 1.0  # the two calm messages are both right
    assert scores.macro_f1_escalated == pytest.approx((2 / 3 + 0) / 2)  # other was lost to delivery_delay
    assert scores.reliability[0] == (0.9, 2, 2)
    assert "reason accuracy 0.500" in scores.format("t")


def test_the_writer_files_are_in_the_models_inputs():
    from bot.modelfiles import MODEL_INPUTS

    assert any(Path(path) in Path("data/nlu/writers/x").parents for path in MODEL_INPUTS)


@pytest.mark.parametrize("content, error", [
    (None, "no such file"),
    ("writer: Z\nmessages:\n  - text: 届かない\n    issue_type: late\n", "message 1 needs text, one of the nine issue types"),
    ("messages: []\n", "needs a writer name"),
    ("writer: Z\nmessages: [\n", "while parsing"),
    ("- a\n", "needs the shape"),
    ("writer: Z\nmessages: [届かない]\n", "message 1 needs text"),
])
def test_the_import_command_names_what_is_wrong_and_writes_nothing(tmp_path, content, error):
    import subprocess
    import sys

    source = tmp_path / "writer.yml"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    before = sorted((NLU / "writers").iterdir())
    done = subprocess.run([sys.executable, "-m", "bot.triage.writers", str(source)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and error in done.stderr and "Traceback" not in done.stderr
    assert sorted((NLU / "writers").iterdir()) == before


def _writer_z_file(tmp_path, other_text: str):
    """Writer Z's file: ``other_text`` as `other`, then a late parcel."""
    source = tmp_path / "triage_Z.yml"
    source.write_text(yaml.safe_dump({"writer": "Z", "messages": [
        {"text": other_text, "issue_type": "other", "escalate": False, "reason": None},
        {"text": "荷物が届かない", "issue_type": "delivery_delay", "escalate": False, "reason": None},
    ]}, allow_unicode=True), encoding="utf-8")
    return source


def test_an_imported_writer_leaves_out_what_the_training_data_has_under_another_intent(tmp_path):
    """Rasa refuses one example under two intents: writer Q's 「ありがとう」 as `other` beside the project's `thanks`."""
    from bot.triage.writers import import_writer

    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "conversation.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: thanks\n  examples: |\n    - ありがとう\n', encoding="utf-8")
    target = import_writer(_writer_z_file(tmp_path, "ありがとう"), tmp_path)

    texts = [m.text for m in training_messages([target])]
    assert texts == ["荷物が届かない"]


def test_an_imported_writer_leaves_out_a_phrasing_of_the_shops_faq(tmp_path, monkeypatch):
    """Writer R's 「eigyou jikan wa nanji made desu ka」 as `other` was a phrasing of data/faq.yml too: `rasa data
    validate` refused it in the model tier. The import reads the FAQ where training does (MADOGUCHI_FAQ_FILE)."""
    from bot.triage.writers import import_writer

    monkeypatch.delenv("MADOGUCHI_FAQ_FILE", raising=False)
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "faq.yml").write_text(yaml.safe_dump({"faq": [
        {"id": "business_hours", "questions": ["営業時間は？", "何時まで営業していますか", "営業日を教えて", "土日も営業？",
                                               "eigyou jikan wa nanji made desu ka"],
         "answer": "平日10時から18時までです。"}]}, allow_unicode=True), encoding="utf-8")
    target = import_writer(_writer_z_file(tmp_path, "eigyou  jikan wa nanji made desu ka"), tmp_path)

    assert [m.text for m in training_messages([target])] == ["荷物が届かない"]

"""The model on the held-out split: per-type precision/recall/F1, macro-F1 at least 0.85."""

from __future__ import annotations


import pytest

from bot.config import PROJECT_ROOT
from bot.evaluation import format_report, load_labelled_examples, macro_f1, score, strip_annotations
from bot.support import ISSUE_TYPES
from bot.triage import triage

TEST_SPLIT = sorted((PROJECT_ROOT / "tests" / "data" / "nlu_test").glob("*.yml"))
TRAINING = sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml"))
MIN_MACRO_F1 = 0.85


@pytest.fixture(scope="module")
def parse(model_path):
    from bot.rasa_nlu.model import load_parser

    return load_parser(model_path)


def _key(text: str) -> str:
    return "".join(ch for ch in strip_annotations(text) if ch.isalnum())


def test_held_out_split_is_never_used_in_training():
    training = {_key(t) for t, _ in load_labelled_examples(TRAINING)}
    leaked = [t for t, _ in load_labelled_examples(TEST_SPLIT) if _key(t) in training]
    assert leaked == []


def test_the_escalation_held_out_set_is_never_used_in_training():
    from bot.triage.quality import load_examples

    training = {_key(t) for t, _ in load_labelled_examples(TRAINING)}
    held_out = load_examples(PROJECT_ROOT / "tests" / "data" / "escalation_eval.yml")
    assert sum(_key(e.text) in training for e in held_out) == 0  # a count: the messages stay unprinted


def test_every_issue_type_has_enough_training_and_test_examples():
    training = [label for _, label in load_labelled_examples(TRAINING)]
    held_out = [label for _, label in load_labelled_examples(TEST_SPLIT)]
    for issue_type in ISSUE_TYPES:
        assert training.count(issue_type) >= 40, issue_type
        assert held_out.count(issue_type) >= 15, issue_type


def test_macro_f1_on_the_held_out_split(parse):
    examples = load_labelled_examples(TEST_SPLIT)
    predicted = [triage(result).issue_type for result in parse(text for text, _ in examples)]
    scores = score([label for _, label in examples], predicted, list(ISSUE_TYPES))
    print("\n" + format_report(scores, f"held-out split, {len(examples)} messages"))
    assert macro_f1(scores) >= MIN_MACRO_F1

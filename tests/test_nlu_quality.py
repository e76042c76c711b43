"""The model on the held-out split: per-type precision/recall/F1 with floors just under what it reaches.

Figures on writers the model has never seen come from bench/writer_quality.py
(leave-one-writer-out: several trainings, too slow for the suite).
"""

from __future__ import annotations


from functools import lru_cache

import pytest

from bot.config import PROJECT_ROOT
from bot.evaluation import format_report, load_labelled_examples, macro_f1, score, text_key, training_text_keys
from bot.support import ISSUE_TYPES
from bot.triage import triage

TEST_SPLIT = sorted((PROJECT_ROOT / "tests" / "data" / "nlu_test").glob("*.yml"))
# The held-out split's issue-type macro-F1: 0.854 with character n-grams alone (20a2dff658d9), 0.867 with word
# uni- and bigrams of dictionary forms beside them (2026-12-04, 92c6d8db1253; config.yml word_ngrams); 0.879 with
# an FAQ question answered from an entry on a trouble's topic triaged under it (3431c7d38358; data/faq.yml issue_type).
MIN_MACRO_F1 = 0.87
# Of the split's messages given an issue-type confidence of at least 0.9, this share at least is right,
# and they are at least this share of the split (calibrated confidences: 93 of 222, 0.419, on 2026-11-30).
MIN_CONFIDENT_ACCURACY = 0.90
MIN_CONFIDENT_SHARE = 0.40
# Share of the split's trouble messages whose issue type stays the same with a greeting and thanks around them.
MIN_UNCHANGED_BY_CONVERSATION = 0.95


@pytest.fixture(scope="module")
def parse(model_path):
    from bot.rasa_nlu.model import load_parser

    return load_parser(model_path)


@lru_cache(maxsize=1)
def _training_keys() -> frozenset[str]:
    """Every text the model trains on: the NLU files and the shop's FAQ questions (data/faq.yml), read once."""
    return frozenset(training_text_keys(PROJECT_ROOT))


def test_held_out_split_is_never_used_in_training():
    training = _training_keys()
    leaked = [t for t, _ in load_labelled_examples(TEST_SPLIT) if text_key(t) in training]
    assert leaked == []


def test_the_escalation_held_out_set_is_never_used_in_training():
    from bot.triage.quality import load_examples

    training = _training_keys()
    held_out = load_examples(PROJECT_ROOT / "tests" / "data" / "escalation_eval.yml")
    assert sum(text_key(e.text) in training for e in held_out) == 0  # a count: the messages stay unprinted


def test_every_issue_type_has_enough_training_and_test_examples():
    """Counted by the issue-type label the classifier learns (escalations under their trouble, FAQ and
    conversation as ``other``), in every training file, the independent writers' included."""
    from bot.triage.writers import training_messages

    training = [m.issue_type for m in training_messages(sorted((PROJECT_ROOT / "data" / "nlu").rglob("*.yml")))]
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


def test_confident_issue_types_are_mostly_right_on_the_held_out_split(parse):
    from bot.triage.escalation import NONE
    from bot.triage.quality import score_triage
    from bot.triage.writers import LabelledMessage

    examples = load_labelled_examples(TEST_SPLIT)
    predicted = [triage(result) for result in parse(text for text, _ in examples)]
    scores = score_triage([LabelledMessage(t, label, NONE, "split") for t, label in examples], predicted)
    print("\n" + scores.format("held-out split"))
    low, n, right = scores.reliability[0]
    assert low == 0.9 and n >= MIN_CONFIDENT_SHARE * len(examples)
    assert right / n >= MIN_CONFIDENT_ACCURACY


def test_a_greeting_and_thanks_around_a_trouble_are_no_evidence_of_other(parse):
    troubles = [(t, label) for t, label in load_labelled_examples(TEST_SPLIT) if label != "other"]
    plain = [triage(r).issue_type for r in parse(t for t, _ in troubles)]
    wrapped = [triage(r).issue_type for r in parse(f"こんにちは。{t}よろしくお願いします。ありがとうございます！"
                                                   for t, _ in troubles)]
    unchanged = sum(a == b for a, b in zip(plain, wrapped, strict=True)) / len(troubles)
    to_other = sum(a != "other" and b == "other" for a, b in zip(plain, wrapped, strict=True))
    print(f"\nissue type unchanged by a greeting and thanks: {unchanged:.3f}; turned into other: {to_other}")
    assert unchanged >= MIN_UNCHANGED_BY_CONVERSATION


def test_messages_with_no_trouble_in_them_are_other_and_escalations_keep_their_trouble(parse):
    texts = {"人と話したい": "other", "担当者と話したいです": "other", "バカ野郎": "other", "こんにちは": "other",
             "ありがとうございました": "other",
             "荷物が1週間も届かない。慰謝料10万円払え": "delivery_delay",
             "届いたケトルが壊れてた。ふざけんなボケ、さっさと交換しろ": "defective_product"}
    got = {t: triage(r) for t, r in zip(texts, parse(texts), strict=True)}
    assert {t: record.issue_type for t, record in got.items()} == texts
    assert got["荷物が1週間も届かない。慰謝料10万円払え"].reason == "excessive_demand"


def test_every_triage_record_names_the_model_that_made_it(parse, model_path):
    [result] = parse(["商品が壊れていました"])
    assert triage(result).model == model_path.name.removeprefix("madoguchi-").removesuffix(".tar.gz")


UNSEEN_WRITERS = sorted((PROJECT_ROOT / "bench" / "data" / "unseen_writers").glob("*.yml"))
# The running model on writers kept out of every training, floors just under what it reached on
# 2026-12-03 (with writers R to W and the register variants of every message; texts the training has word for
# word left out): M 0.873, N 0.882 macro-F1 (0.750 / 0.800 before); escalation recall 0.935 / 0.898 at precision
# 0.975 / 0.975 (0.871 / 0.828 at 0.973 / 0.981 before); with the rules of 2026-12-03 evening (developed on writers
# X and Y, bench/data/writers_handed_in) 0.952 / 0.906 at 0.967 / 0.975; with X and Y in training
# (a614d2543dc2) 0.952 / 0.906 at 0.967 / 0.967. With writers Z and E in training, idf-weighted n-grams and the
# rules of 2026-12-03 night (50b6d388e934): M 0.925, N 0.925 macro-F1; escalation recall 0.952 / 0.922 at precision
# 0.975 / 0.983. With writers D and AA in training, `other` at 0.8 and the rules developed on D and AA (2026-12-03,
# 54e9b98a6680): M 0.931, N 0.932 macro-F1; escalation recall 0.976 / 0.945 at precision 0.984 / 0.984. With writers
# F and G in training and the rules developed on G (2026-12-04, 2ab391116b4c): M 0.935, N 0.932; escalation recall
# 0.976 / 0.945 at precision 0.984 / 0.992. With writer AC in training and the rules developed on AB and AC
# (2026-12-04, 20a2dff658d9): M 0.938, N 0.928; escalation recall 0.976 / 0.945 at 0.984 / 0.992. Writer AB
# (bench/data/briefs/triage_writers_AB_AC.md: questions asked before anything went wrong, labelled by their topic)
# is a third writer never trained on: 0.845 before the rules of that day, 0.848 after; its escalation figures
# (1.000 at 0.988) are flattering, since those rules were written from its misses (0.962 at 0.950 before). With word
# n-grams beside the character n-grams (2026-12-04, 92c6d8db1253): M 0.945, N 0.928, AB 0.855; escalation unchanged.
# With word n-grams in the dialogue's intent classifier too (de9669d978d3): escalation recall M 0.984, N 0.961, AB
# 1.000 at precision 0.984 / 0.992 / 1.000; N's floor is now issue #11's 0.95 (the model before had 0.945).
# With FAQ questions triaged under their entry's topic (3431c7d38358): M 0.941, N 0.928, AB 0.880.
# These floors catch a model or rule change that gets worse on writers it never saw.
UNSEEN_FLOORS = {"M": (0.92, 0.96), "N": (0.92, 0.95), "AB": (0.86, 0.95)}  # writer: (macro-F1, escalation recall)
UNSEEN_MIN_ESCALATION_PRECISION = 0.95


def test_the_unseen_writers_are_at_least_two_and_mostly_new_to_the_model():
    """Their short messages (「まだ？」「煙出た」「人間出して」) may match a training text word for word:
    those are left out of the scores, and they are few."""
    from bot.triage.writers import load_writer

    training = _training_keys()
    assert len(UNSEEN_WRITERS) >= 2
    for path in UNSEEN_WRITERS:
        _, messages = load_writer(path)
        assert sum(text_key(m.text) in training for m in messages) <= 0.1 * len(messages), path.name


@pytest.mark.parametrize("path", UNSEEN_WRITERS, ids=lambda p: p.stem)
def test_both_decisions_hold_on_writers_never_trained_on(parse, path):
    from bot.triage.quality import score_triage
    from bot.triage.writers import load_writer

    writer, messages = load_writer(path)
    training = _training_keys()
    messages = [m for m in messages if text_key(m.text) not in training]
    scores = score_triage(messages, [triage(result) for result in parse(m.text for m in messages)])
    print("\n" + scores.format(f"unseen writer {writer}"))
    min_macro_f1, min_recall = UNSEEN_FLOORS[writer]
    assert scores.macro_f1 >= min_macro_f1
    assert scores.escalation_recall >= min_recall
    assert scores.escalation_precision >= UNSEEN_MIN_ESCALATION_PRECISION

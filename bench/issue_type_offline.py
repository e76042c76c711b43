"""The issue-type classifier refitted offline, to try a setting in minutes instead of a training.

A training is 15 to 25 minutes; the issue-type classifier's own fit is about
five. This script keeps what comes before the fit (the pipeline's features,
labels and weights of every training example; the same features of the
held-out split and of writers M, N and AB, parsed by the current model) in
var/bench/issue_type/, and refits the classifier on them with sklearn, as
``IssueTypeClassifier.train`` does. With the settings of config.yml the refit
gives the running model's predictions exactly (checked 2026-12-04: split 0.867,
M 0.949, N 0.934, AB 0.862 in sklearn's macro-F1 over the labels present,
which the bench's figures differ from in the third decimal), so a difference
in a refit is the setting's. It scores the classifier's own reading: triage
adds an answered FAQ question's topic on top (``bot.triage.triage``), which
``bench/writer_quality.py`` counts (split 0.879 with it, 2026-12-04).

    .venv/bin/python bench/issue_type_offline.py dump-train   # one NLU training that stops at the classifier
    .venv/bin/python bench/issue_type_offline.py dump-test    # the current model's features of the test sets
    .venv/bin/python bench/issue_type_offline.py refit        # config.yml's settings
    .venv/bin/python bench/issue_type_offline.py refit --other-weight 0.6 --faq-topics
    .venv/bin/python bench/issue_type_offline.py refit --topic-head

``--faq-topics`` teaches the classifier the FAQ phrasings of the entries with a
topic (data/faq.yml ``issue_type``) under that topic, English phrasings left
`other`. The model does not: an FAQ phrasing teaches `other` (no trouble), the
FAQ answer and the dialogue read any other issue type as a trouble
(``bot.faq_answer.FaqReading``), and triage gives a question answered from such
an entry its topic instead (``bot.triage.triage``). ``--topic-head`` tries both:
the classifier as trained, and where it reads `other`, a second one taught the
topics (2026-12-04: split 0.891, M 0.946, N 0.937, AB 0.886 against 0.867,
0.949, 0.934, 0.862). Nothing here changes the model.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import PROJECT_ROOT, load_settings  # noqa: E402

DUMPS = PROJECT_ROOT / "var" / "bench" / "issue_type"
TEST_SETS = ("split", "M", "N", "AB")


def faq_topics() -> dict[str, str]:
    """The FAQ entries that have a trouble topic (data/faq.yml ``issue_type``): id -> topic."""
    from bot.faq import OTHER, load_faq

    return {e.id: e.issue_type for e in load_faq(load_settings().faq_file) if e.issue_type != OTHER}


class _Dumped(Exception):
    """Raised by the patched ``train`` once the inputs are written: the rest of the training is not needed."""


def dump_train() -> None:
    """Run an NLU training whose issue-type classifier writes its inputs and stops."""
    import numpy as np
    from rasa.engine.storage.resource import Resource
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from rasa.shared.nlu.constants import INTENT, METADATA, TEXT

    from bot.rasa_nlu import components
    from bot.rasa_nlu.register_variants import is_register_variant
    from bot.triage.labels import issue_label_of, writer_of

    def train(self, training_data):
        variant_weight, faq_weight = float(self._config["variant_weight"]), float(self._config["faq_weight"])
        faq = self._config["retrieval_intent"]
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and (
            not is_register_variant(m) or (variant_weight > 0 and m.get(INTENT) != faq))]
        variant = np.array([is_register_variant(m) for m in examples], dtype=bool)
        features, has_substance = components.substance_features(examples, self._config["dense_weight"],
                                                                tuple(self._config["contextual"]))
        data = {"features": features, "has_substance": has_substance, "variant": variant,
                "labels": np.array([issue_label_of(m.get(INTENT), m.get(METADATA)) for m in examples]),
                "weights": np.array([variant_weight if v else faq_weight if m.get(INTENT) == faq else 1.0
                                     for m, v in zip(examples, variant, strict=True)]),
                "width": components.sparse_width(examples), "texts": [m.get(TEXT) for m in examples],
                "response_keys": [m.get("intent_response_key") for m in examples],
                "writers": [writer_of(m.get(METADATA)) for m in examples],
                "words": [components.dictionary_form_words(m) for m in examples]}
        _write("train", data)
        raise _Dumped()

    # Rasa checks train's annotations as types, and this module's are strings (from __future__ import annotations)
    train.__annotations__ = {"training_data": TrainingData, "return": Resource}
    components.IssueTypeClassifier.train = train
    # a cached classifier would not be trained, so not dumped
    components.IssueTypeClassifier.fingerprint_addon = classmethod(lambda cls, config: uuid.uuid4().hex)
    try:
        train_nlu(config="config.yml", nlu_data="data/nlu", output=str(DUMPS / "models"), domain="domain.yml")
    except Exception as error:  # Rasa wraps the component's exception
        if "_Dumped" not in repr(error) and not isinstance(error.__cause__, _Dumped):
            raise
    print(f"training inputs written to {DUMPS / 'train.pkl'}")


def dump_test() -> None:
    """Parse the test sets with the current model, keeping the classifier's inputs of each message."""
    import numpy as np
    import scipy.sparse

    from bot.evaluation import load_labelled_examples
    from bot.modelfiles import current_model_path
    from bot.rasa_nlu import components
    from bot.rasa_nlu.model import load_parser
    from bot.triage import issue_type_of
    from bot.triage.writers import load_writer

    captured = []
    process = components.IssueTypeClassifier.process

    def capturing(self, messages):
        features, has_substance = components.substance_features(messages, self._config["dense_weight"],
                                                                tuple(self._config["contextual"]))
        captured.extend((features[i], bool(has_substance[i]), components.dictionary_form_words(m))
                        for i, m in enumerate(messages))
        return process(self, messages)

    components.IssueTypeClassifier.process = capturing
    sets = {"split": [(t, label, False) for t, label in load_labelled_examples(
        sorted((PROJECT_ROOT / "tests" / "data" / "nlu_test").glob("*.yml")))]}
    for writer in TEST_SETS[1:]:
        _, messages = load_writer(PROJECT_ROOT / "bench" / "data" / "unseen_writers" / f"triage_{writer}.yml")
        sets[writer] = [(m.text, m.issue_type, m.escalate) for m in messages]
    model = current_model_path(load_settings().models_dir)
    parse = load_parser(model)
    dumped = {"model": model.name}
    for name, items in sets.items():
        captured.clear()
        results = list(parse([text for text, _, _ in items]))
        dumped[name] = {"texts": [t for t, _, _ in items], "labels": np.array([label for _, label, _ in items]),
                        "escalated": np.array([e for _, _, e in items], dtype=bool),
                        "features": scipy.sparse.vstack([c[0] for c in captured]).tocsr(),
                        "has_substance": np.array([c[1] for c in captured], dtype=bool),
                        "words": [c[2] for c in captured],
                        # the classifier's reading (with the incident rule), before triage's FAQ topic
                        "predicted": [issue_type_of(r)[0] for r in results]}
    _write("test", dumped)
    print(f"features of {', '.join(TEST_SETS)} by {model.name} written to {DUMPS / 'test.pkl'}")


def classifier_settings() -> dict:
    """The IssueTypeClassifier's settings in config.yml over its defaults."""
    import yaml

    from bot.rasa_nlu.components import IssueTypeClassifier

    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    step = next(s for s in pipeline if s["name"].endswith(".IssueTypeClassifier"))
    return {**IssueTypeClassifier.get_default_config(), **step}


def fit_and_predict(train: dict, test: dict, other_weight: float, C: float, word_weight: float,
                    use_faq_topics: bool) -> dict:
    """Fit as ``IssueTypeClassifier.train`` does; the classifier's reading of each test set (as
    ``bot.triage.issue_type_of``: no substance is `other`, a reported security incident a privacy concern)."""
    import numpy as np
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    from bot.rasa_nlu import components
    from bot.triage.incidents import reports_incident

    labels = train["labels"].copy()
    if use_faq_topics:
        topics = faq_topics()
        for i, key in enumerate(train["response_keys"]):
            entry = (key or "").split("/", 1)[-1]
            if entry in topics and not re.fullmatch(r"[\x00-\x7f]+", train["texts"][i] or ""):
                labels[i] = topics[entry]
    keep = train["has_substance"]
    features, labels, weights = train["features"][keep], labels[keep], train["weights"][keep]
    variant, kept = train["variant"][keep], np.flatnonzero(keep)
    settings = classifier_settings()
    idf = components.inverse_document_frequencies(features[~variant][:, :train["width"]], float(settings["idf_min_df"]))
    words = _WordColumns([train["words"][i] for i in kept[~variant]], word_weight)
    features = scipy.sparse.hstack([components.idf_weighted(features, idf),
                                    words.rows([train["words"][i] for i in kept])], format="csr")
    model = LogisticRegression(C=C, max_iter=int(settings["max_iter"]), solver=settings["solver"])
    model.fit(features, labels, sample_weight=components.balanced_weights(labels, weights, {"other": other_weight}))
    predictions = {}
    for name in TEST_SETS:
        d = test[name]
        rows = scipy.sparse.hstack([components.idf_weighted(d["features"], idf), words.rows(d["words"])], format="csr")
        predicted = np.array(model.classes_)[model.predict_proba(rows).argmax(axis=1)]
        predicted = np.where(d["has_substance"], predicted, "other")
        predictions[name] = np.array(["privacy_concern" if reports_incident(t) else p
                                      for t, p in zip(d["texts"], predicted, strict=True)])
    return predictions


def refit(other_weight: float, C: float, word_weight: float, use_faq_topics: bool, topic_head: bool) -> None:
    """Refit and print macro-F1 per test set (escalated / rest) next to the running model's.

    The idf floor, solver and word n-grams are config.yml's; the arguments are the settings to try. With
    ``topic_head``, a second fit with the FAQ topics reads the messages the first reads as `other`."""
    import numpy as np
    from sklearn.metrics import f1_score

    train, test = _read("train"), _read("test")
    started = time.monotonic()
    predictions = fit_and_predict(train, test, other_weight, C, word_weight, use_faq_topics)
    if topic_head:
        topics = fit_and_predict(train, test, other_weight, C, word_weight, True)
        predictions = {name: np.where(p == "other", topics[name], p) for name, p in predictions.items()}
    print(f"model {test['model']}, refit in {time.monotonic() - started:.0f} s: other_weight {other_weight}, C {C}, "
          f"word_weight {word_weight}, FAQ topics {'on' if use_faq_topics else 'off'}"
          + (", a topic head where it reads other" if topic_head else ""))
    for name in TEST_SETS:
        d, predicted = test[name], predictions[name]
        gold, escalated = d["labels"], d["escalated"]
        line = f"  {name:5} {f1_score(gold, predicted, average='macro'):.3f}"
        if escalated.any():
            line += (f" (escalated {f1_score(gold[escalated], predicted[escalated], average='macro'):.3f}"
                     f" / rest {f1_score(gold[~escalated], predicted[~escalated], average='macro'):.3f})")
        running = f1_score(gold, np.array(d["predicted"]), average="macro")
        changed = int((predicted != np.array(d["predicted"])).sum())
        print(f"{line}; running model {running:.3f}, {changed} messages read differently")


class _WordColumns:
    """``bot.rasa_nlu.components.WordNgrams`` (uni- and bigrams, min_df 2) on dumped word lists."""

    def __init__(self, documents: list[list[str]], weight: float) -> None:
        import numpy as np
        from collections import Counter

        seen = Counter(gram for words in documents for gram in set(self.ngrams(words)))
        vocabulary = sorted(gram for gram, count in seen.items() if count >= 2)
        self.columns = {gram: i for i, gram in enumerate(vocabulary)}
        counts = np.array([seen[gram] for gram in vocabulary], dtype=np.float64)
        self.idf, self.weight = np.log((1.0 + len(documents)) / (1.0 + counts)) + 1.0, weight

    @staticmethod
    def ngrams(words: list[str]) -> list[str]:
        return [" ".join(words[i:i + n]) for n in (1, 2) for i in range(len(words) - n + 1)]

    def rows(self, documents: list[list[str]]):
        import numpy as np
        import scipy.sparse
        from collections import Counter

        data, indices, starts = [], [], [0]
        for words in documents:
            counted = Counter(self.columns[g] for g in self.ngrams(words) if g in self.columns)
            columns = np.array(sorted(counted), dtype=np.int64)
            values = np.array([counted[c] for c in columns], dtype=np.float64) * self.idf[columns]
            norm = np.linalg.norm(values)
            indices.extend(columns)
            data.extend(values / norm * self.weight if norm > 0 else values)
            starts.append(len(indices))
        return scipy.sparse.csr_matrix((data, indices, starts), shape=(len(documents), len(self.columns)))


def _write(name: str, data: dict) -> None:
    DUMPS.mkdir(parents=True, exist_ok=True)
    with open(DUMPS / f"{name}.pkl", "wb") as f:
        pickle.dump(data, f)


def _read(name: str) -> dict:
    path = DUMPS / f"{name}.pkl"
    if not path.exists():
        sys.exit(f"{path} is missing: run `bench/issue_type_offline.py dump-{name}` first")
    with open(path, "rb") as f:
        return pickle.load(f)  # written by this script on this machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dump-train")
    commands.add_parser("dump-test")
    refitting = commands.add_parser("refit")
    refitting.add_argument("--other-weight", type=float, help="config.yml's other_weight unless given")
    refitting.add_argument("--C", type=float, help="config.yml's C unless given")
    refitting.add_argument("--word-weight", type=float, help="config.yml's word_weight unless given")
    refitting.add_argument("--faq-topics", action="store_true", help="FAQ entries with an issue_type labelled by it")
    refitting.add_argument("--topic-head", action="store_true",
                           help="a second fit with --faq-topics reads what the first reads as other")
    args = parser.parse_args()
    os.chdir(PROJECT_ROOT)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    load_settings()
    if args.command == "dump-train":
        dump_train()
    elif args.command == "dump-test":
        dump_test()
    else:
        settings = classifier_settings()
        refit(settings["other_weight"] if args.other_weight is None else args.other_weight,
              settings["C"] if args.C is None else args.C,
              settings["word_weight"] if args.word_weight is None else args.word_weight, args.faq_topics,
              args.topic_head)


if __name__ == "__main__":
    main()

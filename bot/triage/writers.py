"""Labelled messages by independent writers, and who wrote each training example.

A writer sees only the label definitions and the shop, never the rules or
the test splits, and hands in ``writer: X`` and ``messages: [{text,
issue_type, escalate, reason, register, also}]``. ``import_writer`` turns
that into Rasa training data (``data/nlu/writers/triage_X.yml``) with the
writer's name in every block's metadata, so ``bench/writer_quality.py`` can
leave one writer out at a time (the project's own data counts as the writer
``project``).

    .venv/bin/python -m bot.triage.writers /work/writers/triage_A.yml

The dialogue intent of a message is its escalation intent when it escalates
(``human_request`` is the intent ``request_human``), else its issue type;
the issue type always travels as metadata for the IssueTypeClassifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.evaluation import strip_annotations
from bot.support import ISSUE_TYPES
from bot.triage.escalation import INTENT_OF_REASON, NONE, REASON_OF_INTENT, REASONS
from bot.triage.labels import ISSUE_TYPE_METADATA, WRITER_METADATA, issue_label_of, writer_of

PROJECT_WRITER = "project"
WRITERS_DIR = Path("data") / "nlu" / "writers"


@dataclass(frozen=True)
class LabelledMessage:
    """One message with both decisions labelled, and who wrote it."""

    text: str
    issue_type: str
    reason: str  # one of bot.triage.escalation.REASONS, or NONE
    writer: str
    register: str = ""

    @property
    def escalate(self) -> bool:
        return self.reason != NONE


def load_writer(path: Path) -> tuple[str, list[LabelledMessage]]:
    """A writer's file, checked label by label; a clear error names the message that is wrong."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not isinstance(data.get("messages") or [], list):
        raise ValueError(f"{path}: needs the shape writer: X, messages: [{{text: ..., issue_type: ...}}, ...]")
    writer = str(data.get("writer") or "").strip()
    if not writer or writer == PROJECT_WRITER:
        raise ValueError(f"{path}: needs a writer name other than {PROJECT_WRITER!r}")
    messages = []
    for number, item in enumerate(data.get("messages") or [], start=1):
        if not isinstance(item, dict):
            raise ValueError(f"{path}: message {number} needs text, one of the nine issue types, "
                             f"and a reason exactly when it escalates")
        text = str(item.get("text") or "").strip()
        issue_type = item.get("issue_type")
        reason = item.get("reason") or NONE
        if not text or issue_type not in ISSUE_TYPES or reason not in (*REASONS, NONE) or \
                bool(item.get("escalate")) != (reason != NONE):
            raise ValueError(f"{path}: message {number} needs text, one of the nine issue types, "
                             f"and a reason exactly when it escalates")
        messages.append(LabelledMessage(text, issue_type, reason, writer, str(item.get("register") or "")))
    return writer, messages


def intent_of(message: LabelledMessage) -> str:
    """The dialogue intent a message teaches the intent classifier."""
    return INTENT_OF_REASON[message.reason] if message.escalate else message.issue_type


def rasa_training_data(writer: str, messages: list[LabelledMessage], source: str) -> str:
    """Rasa NLU YAML: one block per (intent, issue type), the writer in every block's metadata."""
    blocks: dict[tuple[str, str], list[str]] = {}
    for message in messages:
        blocks.setdefault((intent_of(message), message.issue_type), []).append(" ".join(message.text.split()))
    lines = [f"# Written by writer {writer}, who saw only the label definitions and the shop (from {source};",
             "# regenerate with python -m bot.triage.writers). Never edit by hand: the writer's words are the point.",
             'version: "3.1"', "nlu:"]
    for (intent, issue_type), texts in sorted(blocks.items()):
        lines += [f"- intent: {intent}", "  metadata:", f"    {WRITER_METADATA}: {writer}",
                  f"    {ISSUE_TYPE_METADATA}: {issue_type}", "  examples: |", *(f"    - {text}" for text in texts)]
    return "\n".join(lines) + "\n"


def _intents_of_texts(paths: list[Path]) -> dict[str, set[str]]:
    """Each example text of these Rasa NLU files with the intents it is labelled with."""
    found: dict[str, set[str]] = {}
    for intent, text, _ in _nlu_examples(paths):
        found.setdefault(text, set()).add(intent)
    return found


def import_writer(path: Path, root: Path) -> Path:
    """Writes the writer's messages as training data, leaving out the few the project's data already has under
    another intent (writer Q's 「ありがとう」 as `other`, where conversation.yml has it as `thanks`; writer R's
    「eigyou jikan wa nanji made desu ka」, a phrasing of the shop's FAQ, data/faq.yml): Rasa refuses an example with
    two intents, and the dialogue's reading of a bare thank-you or an FAQ question is the project's."""
    from bot.config import faq_file
    from bot.faq import RETRIEVAL_INTENT, load_faq

    writer, messages = load_writer(path)
    target = root / WRITERS_DIR / f"triage_{writer}.yml"
    others = [p for p in sorted((root / "data" / "nlu").rglob("*.yml")) if p != target]
    known = _intents_of_texts(others)
    faq = faq_file(root)
    for entry in load_faq(faq) if faq.exists() else ():
        for question in (*entry.questions, *entry.questions_en):
            known.setdefault(" ".join(question.split()), set()).add(RETRIEVAL_INTENT)
    kept = [m for m in messages
            if not (known.get(" ".join(m.text.split()), set()) - {intent_of(m)})]
    if len(kept) < len(messages):
        print(f"left out {len(messages) - len(kept)} message(s) the training data has under another intent")
    messages = kept
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(rasa_training_data(writer, messages, Path(path).name), encoding="utf-8")
    return target


def _nlu_examples(paths: list[Path]):
    """(intent, text without entity annotations, {"intent": block metadata, "example": example metadata}) of every
    example of these Rasa NLU YAML files, in both of Rasa's example forms (a block string, or a list of mappings)."""
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if not intent:
                continue
            examples = block.get("examples") or ""
            items = ([(line.strip()[2:], None) for line in examples.splitlines() if line.strip().startswith("- ")]
                     if isinstance(examples, str) else [(e.get("text", ""), e.get("metadata")) for e in examples])
            for text, example_metadata in items:
                yield intent, strip_annotations(str(text).strip()), {"intent": block.get("metadata") or {},
                                                                     "example": example_metadata or {}}


def training_messages(paths: list[Path]) -> list[LabelledMessage]:
    """Every example of Rasa NLU YAML files with both labels and its writer (the benches' ground truth).

    Conversational and identity intents are messages with no trouble and no
    escalation; escalation intents carry their reason (``request_human`` in
    conversation.yml too).
    """
    found = []
    for intent, text, metadata in _nlu_examples(paths):
        found.append(LabelledMessage(text, issue_label_of(intent, metadata), REASON_OF_INTENT.get(intent, NONE),
                                     writer_of(metadata, PROJECT_WRITER)))
    return found


if __name__ == "__main__":
    import argparse

    from bot.config import PROJECT_ROOT

    parser = argparse.ArgumentParser(description="Import independent triage writers' files (writer: X, messages: "
                                                 "[...]) as Rasa training data in data/nlu/writers/triage_X.yml.")
    parser.add_argument("files", nargs="+", type=Path, metavar="WRITER_FILE.yml")
    for argument in parser.parse_args().files:
        if not argument.is_file():
            parser.error(f"no such file: {argument}")
        try:
            print(import_writer(argument, PROJECT_ROOT).relative_to(PROJECT_ROOT))
        except (ValueError, yaml.YAMLError) as error:
            parser.error(str(error))

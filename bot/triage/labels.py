"""Which issue type a training example teaches, and where the issue type travels in parse data.

Shared by the Rasa component that learns issue types
(``bot.rasa_nlu.components.IssueTypeClassifier``), by ``bot.triage`` which
reads its result, and by the benches that score it; it imports neither Rasa
nor the rest of triage, so all three can use it.
"""

from __future__ import annotations

from bot.support import ISSUE_TYPES

OTHER = "other"
# Keys the IssueTypeClassifier adds to Rasa's parse data.
ISSUE_TYPE_KEY = "issue_type"
MODEL_KEY = "model_fingerprint"
# Metadata keys of training examples (data/nlu): the underlying issue type of an example
# whose intent is not one (escalation intents), and who wrote it (bench/writer_quality.py).
ISSUE_TYPE_METADATA = "issue_type"
WRITER_METADATA = "writer"
# Metadata of the FAQ's training examples (bot.rasa_nlu.faq_importer): the entry's trouble topic (data/faq.yml
# ``issue_type``), which the FaqEntrySelector keeps per entry. It teaches the issue-type classifier nothing: an
# FAQ phrasing tells of no trouble, and what it teaches stays ``other``.
FAQ_ISSUE_TYPE_METADATA = "faq_issue_type"


def _metadata_value(metadata: dict | None, key: str) -> str | None:
    """The example's own metadata first, then its intent block's (Rasa keeps both)."""
    metadata = metadata or {}
    for level in ("example", "intent"):
        value = (metadata.get(level) or {}).get(key) if isinstance(metadata.get(level), dict) else None
        if value:
            return str(value)
    return None


def issue_label_of(intent: str | None, metadata: dict | None = None) -> str:
    """The issue type a training example teaches.

    An ``issue_type`` in the example's metadata wins (escalation examples
    carry the trouble under the demand or abuse); an intent that is one of
    the nine types is its own label; anything else (greetings, thanks, a bare
    request for a person, insults alone) describes no trouble: ``other``.
    """
    labelled = _metadata_value(metadata, ISSUE_TYPE_METADATA)
    if labelled is not None:
        if labelled not in ISSUE_TYPES:
            raise ValueError(f"unknown issue_type {labelled!r} in training data metadata")
        return labelled
    return intent if intent in ISSUE_TYPES else OTHER


def faq_issue_type_of(metadata: dict | None) -> str | None:
    """The trouble topic of the FAQ entry a training example phrases, or None (none set, or not an FAQ example)."""
    return _metadata_value(metadata, FAQ_ISSUE_TYPE_METADATA)


def writer_of(metadata: dict | None, default: str = "project") -> str:
    """Who wrote a training example (``writer`` metadata); the project's own data by default."""
    return _metadata_value(metadata, WRITER_METADATA) or default

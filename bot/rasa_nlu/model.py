"""Load a trained Rasa model once and parse many messages with it."""

from __future__ import annotations

import logging
import os
import sys
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from bot.triage import NluResult

# Messages read by one run of the NLU graph: Rasa's per-run overhead (the graph's scheduling, the
# sparse stacking of features, the logistic regressions' matrix products) is paid once per batch.
BATCH = 32


def load_parser(model_path: Path) -> Callable[[Iterable[str]], Iterator[NluResult]]:
    """Returns ``parse(texts)``, which yields one NluResult per text, in order."""
    parse_data = load_parse_data(model_path)

    def parse(texts: Iterable[str]) -> Iterator[NluResult]:
        for batch in _batches(texts):
            for text, data in zip(batch, parse_data(batch), strict=True):
                yield NluResult.from_parse_data(data, text)

    return parse


def load_parse_data(model_path: Path) -> Callable[[Iterable[str]], Iterator[dict]]:
    """Returns ``parse(texts)``, which yields Rasa's whole parse data per text (the FAQ bench reads
    the final intent and the FaqEntrySelector's choice, as the dialogue does).

    The texts go through the model's NLU graph together, as the dialogue's
    ``MessageProcessor.parse_message`` sends one (same nodes, same output:
    ``tests/test_triage_command.py`` compares the two), ``BATCH`` at a time.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _quiet_logs()
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT

    agent = Agent.load(str(model_path))
    processor = agent.processor
    target = processor.model_metadata.nlu_target

    def parse(texts: Iterable[str]) -> Iterator[dict]:
        for batch in _batches(texts):
            messages = [UserMessage(text) for text in batch]
            tracker = DialogueStateTracker.from_events("triage", [])
            results = processor.graph_runner.run(
                inputs={PLACEHOLDER_MESSAGE: messages, PLACEHOLDER_TRACKER: tracker}, targets=[target])
            for parsed in results[target]:
                data = {TEXT: "", INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, ENTITIES: []}
                data.update(parsed.as_dict(only_output_properties=True))
                processor._update_full_retrieval_intent(data)
                yield data

    return parse


def _batches(texts: Iterable[str]) -> Iterator[list[str]]:
    iterator = iter(texts)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def _quiet_logs() -> None:
    """Warnings only, on stderr: Rasa's debug logs carry message texts, stdout carries results."""
    import structlog

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )

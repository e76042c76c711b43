"""Load a trained Rasa model once and parse many messages with it."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator

from bot.triage import NluResult


def load_parser(model_path: Path) -> Callable[[Iterable[str]], Iterator[NluResult]]:
    """Returns ``parse(texts)``, which yields one NluResult per text, in order."""
    parse_data = load_parse_data(model_path)

    def parse(texts: Iterable[str]) -> Iterator[NluResult]:
        for text in texts:
            yield NluResult.from_parse_data(next(parse_data((text,))), text)

    return parse


def load_parse_data(model_path: Path) -> Callable[[Iterable[str]], Iterator[dict]]:
    """Returns ``parse(texts)``, which yields Rasa's whole parse data per text (the FAQ bench reads
    the final intent and the FaqEntrySelector's choice, as the dialogue does)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _quiet_logs()
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    agent = Agent.load(str(model_path))

    def parse(texts: Iterable[str]) -> Iterator[dict]:
        for text in texts:
            yield loop.run_until_complete(agent.parse_message(text))

    return parse


def _quiet_logs() -> None:
    """Warnings only, on stderr: Rasa's debug logs carry message texts, stdout carries results."""
    import structlog

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )

"""Which trained model belongs to the current training data and config.

The model's file name carries a fingerprint of everything that shapes it, so
a second run reuses it and any change to data, config or NLU code retrains.
Of the pinned packages only those the model is built with count (Rasa, spaCy,
GiNZA and everything they depend on): adding a test tool or a reporting
library to constraints.txt does not cost a ten-minute retraining.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from bot.config import PROJECT_ROOT, faq_file

MODEL_INPUTS = ("config.yml", "domain.yml", "data/nlu", "data/rules", "data/stories",
                "bot/rasa_nlu/components.py", "bot/text.py", "bot/kana.py",
                # The shop's FAQ is read by training itself (config.yml `importers`), wherever
                # MADOGUCHI_FAQ_FILE puts it.
                "data/faq.yml", "bot/faq.py", "bot/rasa_nlu/faq_importer.py", "bot/rasa_nlu/english.py",
                "bot/rasa_nlu/register_variants.py", "bot/rasa_nlu/message_variants.py", "bot/triage/labels.py")
FAQ_INPUT = "data/faq.yml"
# The packages a model is trained with; their whole dependency closure is fingerprinted.
MODEL_PACKAGES = ("rasa", "spacy", "ginza", "ja-ginza")
CONSTRAINTS = "constraints.txt"


_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@lru_cache(maxsize=None)
def _marker(text: str):
    from packaging.markers import Marker

    return Marker(text)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=1)
def training_packages() -> frozenset[str]:
    """MODEL_PACKAGES and every package they require (extras not asked for are left out).

    The installed distributions are read once into a map: asking importlib.metadata
    for each of the ~190 packages by name searched the whole environment every time
    (13 s before a start could decide whether to train).
    """
    requires: dict[str, list[str]] = {}
    for distribution in metadata.distributions():
        name = distribution.metadata["Name"]
        if name:
            requires.setdefault(_canonical(name), distribution.requires or [])
    seen: set[str] = set()
    todo = [_canonical(n) for n in MODEL_PACKAGES]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in requires.get(name, []):
            # "name[extras] (>=1) ; marker": the name by pattern, the marker by packaging (the
            # pinned packaging parses a whole requirement slowly, with pyparsing)
            requirement, _, marker = line.partition(";")
            if not marker.strip() or _marker(marker.strip()).evaluate({"extra": "spacy"}):
                todo.append(_canonical(_REQUIREMENT_NAME.match(requirement.strip()).group(0)))
    return frozenset(seen)


def _pinned_training_packages(constraints: Path) -> bytes:
    """The constraints.txt lines of the training packages, sorted (other pins do not matter)."""
    wanted = training_packages()
    lines = [line.strip() for line in constraints.read_text(encoding="utf-8").splitlines()
             if "==" in line and _canonical(line.split("==", 1)[0]) in wanted]
    return "\n".join(sorted(lines)).encode()


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        path = faq_file(root) if name == FAQ_INPUT else root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update((str(file.relative_to(root)) if file.is_relative_to(root) else name).encode())
            digest.update(file.read_bytes())
    digest.update(CONSTRAINTS.encode())
    digest.update(_pinned_training_packages(root / CONSTRAINTS))
    return digest.hexdigest()[:12]


def current_model_path(models_dir: Path) -> Path:
    return models_dir / f"madoguchi-{fingerprint()}.tar.gz"


def needs_training(models_dir: Path) -> bool:
    return not current_model_path(models_dir).exists()

"""Which trained model belongs to the current training data and config.

The model's file name carries a fingerprint of everything that shapes it, so
a second run reuses it and any change to data, config or NLU code retrains.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.config import PROJECT_ROOT

MODEL_INPUTS = ("config.yml", "domain.yml", "data/nlu", "data/rules", "data/stories",
                "bot/rasa_nlu/components.py", "bot/text.py", "constraints.txt")


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def current_model_path(models_dir: Path) -> Path:
    return models_dir / f"madoguchi-{fingerprint()}.tar.gz"


def needs_training(models_dir: Path) -> bool:
    return not current_model_path(models_dir).exists()

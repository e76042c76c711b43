"""`python -m bot.quiet MODULE [ARGS…]`: run a server module without third-party deprecation noise.

`./madoguchi run` starts Rasa, the action server and the web server. Each
imports libraries that print deprecation warnings as they load (pyparsing via
packaging, sanic_cors, SQLAlchemy's 2.0 notices, TensorFlow): about two dozen
lines that are not ours to fix and that bury madoguchi's own. Setting
PYTHONWARNINGS=ignore is not enough: Sanic 21.12 calls
``filterwarnings("once", DeprecationWarning)`` when it is imported, and that
filter wins, and Rasa adds ``once`` for UserWarning, which pyparsing's
deprecations also are. So this wrapper puts ignore filters in front of
Sanic's and, as the last word, shows a warning only when it was raised in our
own code (``bot/``, ``actions/``), whatever filters the libraries install
later; then it runs the module as ``__main__``. `./madoguchi run --verbose`
bypasses it.
"""

from __future__ import annotations

import runpy
import sys
import warnings
from pathlib import Path

from bot.config import PROJECT_ROOT

NOISE = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
OUR_MODULES = r"(bot|actions)(\.|$)"
OUR_FOLDERS = (PROJECT_ROOT / "bot", PROJECT_ROOT / "actions")
_show_any_warning = warnings.showwarning


def _raised_in_our_code(filename: str) -> bool:
    path = Path(filename).resolve()
    return any(path.is_relative_to(folder) for folder in OUR_FOLDERS)


def _show_only_ours(message, category, filename, lineno, file=None, line=None) -> None:
    if _raised_in_our_code(filename):
        _show_any_warning(message, category, filename, lineno, file, line)


def silence_third_party_warnings() -> None:
    """Ignore deprecation-type warnings from libraries; ours still show.

    Sanic is imported first so that the filter it installs on import is
    already there when ours go in front of it.
    """
    import sanic  # noqa: F401 - see the module docstring

    for category in NOISE:
        warnings.filterwarnings("ignore", category=category)
        warnings.filterwarnings("default", category=category, module=OUR_MODULES)
    warnings.showwarning = _show_only_ours


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit("usage: python -m bot.quiet MODULE [ARGS...]")
    silence_third_party_warnings()
    module, sys.argv = argv[1], [argv[1], *argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv)

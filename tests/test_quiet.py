"""`./madoguchi run` shows madoguchi's lines, not the libraries' deprecation warnings (bot.quiet)."""

import subprocess
import sys

from bot.config import PROJECT_ROOT

SCRIPT = """
import warnings
import sanic  # installs filterwarnings("once", DeprecationWarning) on import
warnings.filterwarnings("once", category=UserWarning)  # as Rasa does
import sanic_cors  # noqa: F401 - warns while importing (distutils LooseVersion)
from packaging.requirements import Requirement  # noqa: F401 - pyparsing deprecations (a UserWarning too)
print("probe ran")
"""


def _run(command: list[str], tmp_path) -> str:
    (tmp_path / "warning_probe.py").write_text(SCRIPT, encoding="utf-8")
    result = subprocess.run([sys.executable, *command], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120, check=False, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0 and "probe ran" in result.stdout, result.stderr
    return result.stderr


def test_library_warnings_are_silenced_under_the_wrapper(tmp_path):
    loud = _run(["-m", "warning_probe"], tmp_path)
    assert "DeprecationWarning" in loud  # the libraries really do warn without the wrapper
    quiet = _run(["-m", "bot.quiet", "warning_probe"], tmp_path)
    assert "Warning" not in quiet, quiet


def test_our_own_warnings_still_show():
    from bot import quiet

    assert quiet._raised_in_our_code(str(PROJECT_ROOT / "bot" / "cli.py"))
    assert not quiet._raised_in_our_code(sanic_file())


def sanic_file() -> str:
    import sanic

    return sanic.__file__

"""The launcher finds Python 3.10 or says clearly that there is none."""

from __future__ import annotations

import shutil
import subprocess

from bot.config import PROJECT_ROOT


def test_without_python_310_the_launcher_says_what_to_install(tmp_path):
    for name in ("madoguchi", "pyproject.toml", "constraints.txt"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    result = subprocess.run(["bash", str(tmp_path / "madoguchi"), "run"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "needs Python 3.10" in result.stderr
    assert "pyenv install 3.10" in result.stderr
    assert not (tmp_path / ".venv").exists()


def test_a_ready_venv_is_not_reinstalled():
    result = subprocess.run([str(PROJECT_ROOT / "madoguchi"), "triage", "--help"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "installing" not in result.stderr

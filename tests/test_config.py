"""Configuration has one home: bot.config declares every variable, the README documents each."""

from __future__ import annotations

import ast
import re

import pytest

from bot.config import PROJECT_ROOT, VARIABLES, env, env_int, load_settings

CODE_DIRS = ("bot", "actions")


def _readme_configuration_table() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]


def test_every_declared_variable_is_in_the_readmes_configuration_table():
    table = _readme_configuration_table()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    missing = sorted(set(VARIABLES) - documented)
    assert not missing, f"add these to the README's configuration table: {missing}"


def _environment_reads(path):
    """Places that read the environment: os.environ.get/[]/getenv, or importing them from os.

    Writes, and ``**os.environ`` copies handed to child processes, are fine.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if ast.unparse(node.func) in ("os.environ.get", "os.getenv"):
                yield node.lineno
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) \
                and ast.unparse(node.value) == "os.environ":
            yield node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and any(alias.name in ("environ", "getenv") for alias in node.names):
            yield node.lineno


def test_no_module_but_bot_config_reads_the_environment():
    offenders = [f"{path.relative_to(PROJECT_ROOT)}:{line}"
                 for folder in CODE_DIRS for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
                 if path.name != "config.py" or path.parent.name != "bot"
                 for line in _environment_reads(path)]
    assert not offenders, f"read these through bot.config.env: {offenders}"


def test_an_undeclared_variable_cannot_be_read():
    with pytest.raises(KeyError):
        env("MADOGUCHI_NOT_DECLARED")


def test_unset_and_empty_variables_give_the_declared_default(monkeypatch):
    monkeypatch.setenv("MADOGUCHI_RASA_PORT", "")
    assert env_int("MADOGUCHI_RASA_PORT") == 5005


def test_a_malformed_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("MADOGUCHI_WEB_PORT", "80a")
    with pytest.raises(ValueError, match="MADOGUCHI_WEB_PORT"):
        load_settings()

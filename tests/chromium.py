"""Debian's Chromium for the browser tests, and the agents' console opened in it by a logged-in agent.

The ``browser`` fixture itself is in conftest.py (one Chromium for the whole run); this
module holds what the browser test modules share.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from bot.config import PROJECT_ROOT

CHROMIUM = Path(os.environ.get("MADOGUCHI_CHROMIUM", "/usr/bin/chromium"))
# As root, in a machine with no network: no sandbox, nothing in the background.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000


def add_agent(assistant, login: str, password: str, *, name: str = "高橋", role: str = "agent") -> None:
    """`./madoguchi agent add`, as a shop does it (the password on standard input, never echoed)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "agent", "add", "--login", login, "--name", name, "--role", role,
         "--password-stdin"], input=password + "\n", cwd=PROJECT_ROOT, env=assistant.env, capture_output=True,
        text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert password not in result.stdout + result.stderr


def console_page(browser, assistant, *, role: str = "agent", login: str | None = None,
                 password: str = "correct horse battery staple", init_script: str | None = None,
                 notifications: bool = False):
    """A new agent (made unless ``login`` exists already) logged in to the console in a context of its own.

    Returns (context, page, errors): page errors are collected for the test to check; dialogs are accepted.
    """
    if login is None:
        login = f"{role[:3]}{uuid.uuid4().hex[:6]}"
        add_agent(assistant, login, password, role=role)
    context = browser.new_context(locale="ja-JP")
    if notifications:
        context.grant_permissions(["notifications"], origin=assistant.web_url)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(assistant.web_url + "/console/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:text-is('対応キュー')")
    return context, page, errors

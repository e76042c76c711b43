"""Starting, waiting for and stopping child servers (bot.processes), with real child processes."""

import subprocess
import sys
import time

import pytest

from bot.devserver import free_port
from bot.processes import ServerDidNotStart, answers_http, start_server, stop_process, wait_until_ready


def test_a_server_is_ready_once_it_answers_and_stops_on_sigint(tmp_path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until_ready(server, answers_http(f"http://127.0.0.1:{port}/missing"), 30)
    finally:
        stop_process(server, seconds=10)
    assert server.poll() is not None


def test_a_child_that_dies_is_reported_at_once_not_after_the_time_out():
    dying = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    started = time.monotonic()
    assert not wait_until_ready(dying, lambda: False, 60)
    assert time.monotonic() - started < 10


def test_a_child_that_ignores_the_signal_is_killed():
    stubborn = subprocess.Popen([sys.executable, "-c",
                                 "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                                 "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
    stubborn.stdout.readline()
    assert stop_process(stubborn, seconds=1) != 0


def test_a_server_that_dies_at_start_is_reported_with_its_log(tmp_path):
    log = tmp_path / "child.log"
    with pytest.raises(ServerDidNotStart, match="exited early") as raised:
        start_server([sys.executable, "-c", "import sys; print('port 5005 is taken'); sys.exit(3)"],
                     name="the child", log_path=log, ready=lambda: False, seconds=30)
    assert "port 5005 is taken" in str(raised.value)

"""Starting, waiting for and stopping child servers (bot.processes), with real child processes."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.devserver import free_port, free_ports
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


def test_servers_get_ports_that_no_outgoing_connection_can_take():
    # bind(0) hands out a port from the kernel's range for outgoing connections; the replica layout binds its
    # nginx a minute after choosing, and a test's own HTTP connection once held that port by then (2026-12-04)
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    first = free_ports(6)
    assert first + 6 <= low
    assert all(free_port() < low for _ in range(20))
    with socket.socket() as s:
        s.bind(("127.0.0.1", first))  # free when chosen

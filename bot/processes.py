"""Child servers: start one, wait until it answers, stop it; one home for all who do.

The run command starts the action server, Rasa and the web server; the test
fixtures and benchmarks start the whole assistant or the console alone. They
all need the same three steps, and the same care: a child that dies while we
wait is reported at once (with its log), not after the time-out; stopping
asks politely first (SIGINT or SIGTERM, so servers close their connections)
and kills only what does not stop.
"""

from __future__ import annotations

import http.client
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable


def answers_http(url: str) -> Callable[[], bool]:
    """A readiness probe: True once ``url`` answers with any HTTP status."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # it answered; a 4xx/5xx is still a running server
        except (urllib.error.URLError, ConnectionError, OSError, http.client.HTTPException):
            # HTTPException: not an HTTP server, or a connection to the port connected to itself
            # (the kernel may pick a free port as the probe's own source port: it reads its request back)
            return False

    return probe


def wait_until_ready(process: subprocess.Popen, ready: Callable[[], bool], seconds: float,
                     interval: float = 0.3) -> bool:
    """True as soon as ``ready()``; False when the process exits first or the time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if ready():
            return True
        time.sleep(interval)
    return False


class ServerDidNotStart(RuntimeError):
    """A child server exited or never answered; the message ends with the tail of its log."""


def start_server(command: list[str], *, name: str, log_path: Path, ready: Callable[[], bool], seconds: float,
                 interval: float = 0.3, **popen: object) -> subprocess.Popen:
    """Start ``command`` with its output in ``log_path``; return once ``ready()``, else stop it and raise.

    The error says whether it exited early or never answered, with the end of
    its log: the fixture or bench that started it fails with the reason, not
    with a time-out further on.
    """
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **popen)
    if wait_until_ready(process, ready, seconds, interval=interval):
        return process
    exited = process.poll() is not None
    stop_process(process, seconds=5)
    raise ServerDidNotStart(f"{name} {'exited early' if exited else 'did not start'}:\n"
                            f"{log_path.read_text(errors='replace')[-4000:]}")


def stop_process(process: subprocess.Popen, *, sig: int = signal.SIGINT, seconds: float = 60) -> int:
    """Ask the process to stop with ``sig``; kill it if it has not stopped after ``seconds``."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def stop_processes(processes: list[subprocess.Popen], *, sig: int = signal.SIGTERM, seconds: float = 15) -> None:
    """Signal every process first, then wait for each, so they shut down in parallel."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(sig)
    for process in processes:
        stop_process(process, sig=sig, seconds=seconds)

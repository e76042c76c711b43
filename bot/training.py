"""Training in the background, started from the console after the FAQ was edited.

Training takes 5 to 20 minutes on two cores, far longer than a web request,
so the console starts ``python -m bot.training`` as a process of its own and
returns at once. That process runs ``python -m bot train`` and writes what
happened to ``var/training.json``; the console's FAQ page reads it. The
state lives in a file, not in the console's memory, so it survives a
console restart and every console process shows the same state.

Only one training runs at a time: starting claims ``var/training.lock``
with an exclusive create (two supervisors clicking at once cannot both
start one); the process removes it when it ends. A lock whose process is
gone (the machine restarted mid-training) is taken over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.config import PROJECT_ROOT

STATE_FILE = "training.json"
LOCK_FILE = "training.lock"
LOG_FILE = "training.log"
RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
TRAIN_COMMAND = (sys.executable, "-m", "bot", "train")


class TrainingAlreadyRunning(RuntimeError):
    pass


@dataclass(frozen=True)
class TrainingState:
    state: str  # running | succeeded | failed | "" (never trained from the console)
    started_at: str = ""  # ISO 8601, UTC
    finished_at: str = ""
    pid: int = 0
    exit_code: int | None = None

    @property
    def seconds(self) -> int | None:
        if not self.started_at:
            return None
        end = datetime.fromisoformat(self.finished_at) if self.finished_at else datetime.now(timezone.utc)
        return int((end - datetime.fromisoformat(self.started_at)).total_seconds())


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_state(var_dir: Path) -> TrainingState:
    """The last training's state; a "running" one whose process is gone reads as failed."""
    try:
        data = json.loads((var_dir / STATE_FILE).read_text(encoding="utf-8"))
        state = TrainingState(**data)
    except (OSError, ValueError, TypeError):
        return TrainingState(state="")
    starting = state.pid == 0 and (var_dir / LOCK_FILE).exists()  # claimed, process not yet up
    if state.state == RUNNING and not starting and not _alive(state.pid):
        return TrainingState(FAILED, state.started_at, state.finished_at, state.pid, state.exit_code)
    return state


def _write_state(var_dir: Path, state: TrainingState) -> None:
    temporary = var_dir / f".{STATE_FILE}.writing"
    temporary.write_text(json.dumps(asdict(state)), encoding="utf-8")
    temporary.replace(var_dir / STATE_FILE)


def _claim(var_dir: Path) -> None:
    lock = var_dir / LOCK_FILE
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            return
        except FileExistsError:
            if read_state(var_dir).state == RUNNING:
                raise TrainingAlreadyRunning() from None
            lock.unlink(missing_ok=True)  # its process is gone: take it over
    raise TrainingAlreadyRunning()


def start_training(var_dir: Path, command: tuple[str, ...] = TRAIN_COMMAND) -> TrainingState:
    """Claim the lock and start the background process; TrainingAlreadyRunning if one runs."""
    var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _claim(var_dir)
    state = TrainingState(RUNNING, datetime.now(timezone.utc).isoformat())
    _write_state(var_dir, state)  # before the process starts: it overwrites this with its own pid
    try:
        with open(var_dir / LOG_FILE, "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "bot.training", str(var_dir), "--", *command],
                                       cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        (var_dir / LOCK_FILE).unlink(missing_ok=True)
        _write_state(var_dir, TrainingState(FAILED, state.started_at, state.started_at))
        raise
    return TrainingState(RUNNING, state.started_at, pid=process.pid)


def run(var_dir: Path, command: list[str]) -> int:
    """The background process: run the training command, record how it ended, release the lock."""
    started = datetime.now(timezone.utc).isoformat()
    _write_state(var_dir, TrainingState(RUNNING, started, pid=os.getpid()))
    code = 1
    try:
        code = subprocess.run(command, cwd=PROJECT_ROOT).returncode
    finally:
        _write_state(var_dir, TrainingState(SUCCEEDED if code == 0 else FAILED, started,
                                            datetime.now(timezone.utc).isoformat(), os.getpid(), code))
        (var_dir / LOCK_FILE).unlink(missing_ok=True)
    return code


if __name__ == "__main__":
    arguments = sys.argv[1:]
    split = arguments.index("--")
    sys.exit(run(Path(arguments[0]), arguments[split + 1:]))

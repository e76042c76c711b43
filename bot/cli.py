"""`python -m bot …`: set up, train, run, triage, mask, chat and the monthly report.

The launcher ``./madoguchi`` keeps .venv in step and then calls this module,
so every command here can assume the pinned dependencies are installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings, env, is_loopback_host, load_settings, rest_token
from bot.modelfiles import current_model_path, needs_training
from bot.processes import answers_http, stop_processes, wait_until_ready

# Rasa's telemetry is off: a shop's support assistant sends nothing about its use to a third
# party (and its first-run banner is noise).
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "LOG_LEVEL_LIBRARIES": "ERROR", "PYTHONWARNINGS": "ignore",
             "RASA_TELEMETRY_ENABLED": "false"}
# TensorFlow in a serving process (it ran DIET's batches of one message until 2026-12-02; Rasa still
# loads it): one thread per op and one op at a time. Handing each tiny op to a pool of threads cost more than it saved: on 2 cores, 2026-12-01,
# bench/throughput.py's closed loop went 9.4 / 9.7 -> 9.8 / 10.2 msg/s (116.6 / 114.5 -> 112.4 / 108.9
# ms CPU a message, interleaved). Training keeps TensorFlow's defaults; a shop's own setting wins.
SERVER_TF_ENV = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}
# The servers write customers' data under var/ (Rasa's tracker, mails): readable by the shop's user only.
SERVER_UMASK = 0o077


def _python() -> str:
    return sys.executable


def cmd_setup(settings: Settings, args: argparse.Namespace) -> int:
    """Create or upgrade the database, load the demo shop, train when needed."""
    from bot.store.db import engine_for, session_scope
    from bot.store.migrate import upgrade
    from bot.store.seed import load_demo_shop, seed

    settings.var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    upgrade(settings.database_url)
    with session_scope(engine_for(settings.database_url)) as session:
        customers, orders = seed(session, load_demo_shop(settings.demo_shop_file))
    print(f"madoguchi: database ready ({_describe_db(settings.database_url)}); "
          f"demo shop added {customers} customers, {orders} orders", file=sys.stderr)
    install_widget_assets()
    if not getattr(args, "no_train", False):
        return cmd_train(settings, args)
    return 0


def install_widget_assets() -> bool:
    """The widget's socket.io client from npm (web/package-lock.json), once; nothing at run time."""
    from bot.widget_page import SOCKET_IO_CLIENT, WEB_DIR

    lock = WEB_DIR / "package-lock.json"
    if SOCKET_IO_CLIENT.exists() and SOCKET_IO_CLIENT.stat().st_mtime >= lock.stat().st_mtime:
        return True
    npm = shutil.which("npm")
    if npm is None:
        print("madoguchi: npm not found: the web chat page needs Node.js and npm "
              "(Debian/Ubuntu: apt-get install nodejs npm); everything else works without it", file=sys.stderr)
        return False
    print("madoguchi: installing the web widget's socket.io client (npm ci)…", file=sys.stderr)
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB_DIR)
    if result.returncode != 0 or not SOCKET_IO_CLIENT.exists():
        print("madoguchi: npm ci failed: the web chat page will not load its socket.io client", file=sys.stderr)
        return False
    SOCKET_IO_CLIENT.touch()
    return True


def _describe_db(url: str) -> str:
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]
    return url.split("@")[-1]


def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    """Train only when config, domain, training data or NLU code changed."""
    target = current_model_path(settings.models_dir)
    if not getattr(args, "force", False) and not needs_training(settings.models_dir):
        print(f"madoguchi: model up to date ({target.name})", file=sys.stderr)
        return 0
    print("madoguchi: training the model (5 to 20 minutes on two cores)…", file=sys.stderr)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    result = subprocess.run(
        # Under bot.quiet: Rasa's and spaCy's warnings are for --verbose (a failure still prints its error).
        [_python(), "-m", *([] if getattr(args, "verbose", False) else ["bot.quiet"]), "rasa", "train",
         "--config", "config.yml", "--domain", "domain.yml",
         "--data", "data/nlu", "data/rules", "data/stories", "--out", str(settings.models_dir),
         "--fixed-model-name", target.name[: -len(".tar.gz")], "--quiet"],
        cwd=PROJECT_ROOT, env={**os.environ, **QUIET_ENV},
    )
    if result.returncode != 0 or not target.exists():
        print("madoguchi: training failed (see the messages above)", file=sys.stderr)
        return result.returncode or 1
    print(f"madoguchi: trained {target.name} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


def server_commands(settings: Settings, model: Path, verbose: bool = False) -> dict[str, list[str]]:
    """The processes that make up the assistant, by name.

    Unless ``verbose``, each runs under ``bot.quiet`` (no third-party
    deprecation warnings) and Rasa logs warnings and errors only, so the
    terminal shows madoguchi's own lines and real problems.
    """
    def python_module(module: str, *arguments: str) -> list[str]:
        quiet = [] if verbose else ["bot.quiet"]
        return [_python(), "-m", *quiet, module, *arguments]

    rasa = python_module("rasa", "run", "--model", str(model), "--endpoints", env("MADOGUCHI_ENDPOINTS"),
                         "--credentials", env("MADOGUCHI_CREDENTIALS"), "--interface", settings.host,
                         "--port", str(settings.rasa_port), *([] if verbose else ["--quiet"]))
    token = env("RASA_AUTH_TOKEN")
    if token:
        rasa += ["--enable-api", "--auth-token", token]
    return {
        "action server": python_module("rasa_sdk", "--actions", "actions", "--port", str(settings.action_port),
                                       "--quiet"),
        "rasa server": rasa,
        "web server": python_module("bot.console"),
    }


def channel_lines() -> list[str]:
    """One line per messaging platform: ready, or which secrets it still needs."""
    platforms = (("LINE", "LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "/webhooks/line/webhook"),
                 ("Telegram", "TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN", "/webhooks/telegram/webhook"))
    lines = []
    for name, first, second, path in platforms:
        if env(first) and env(second):
            lines.append(f"  {name:<15}{path} (behind your TLS proxy)")
        else:
            lines.append(f"  {name:<15}not configured: set {first} and {second} (the webhook answers 503)")
    return lines


def rest_exposed_without_token(settings: Settings) -> bool:
    """REST lets its caller pick the conversation: beyond loopback it needs MADOGUCHI_REST_TOKEN."""
    return not is_loopback_host(settings.host) and rest_token() is None


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Set up, then run the action server and the Rasa server in the foreground."""
    from bot.secrets import SecretMissing, check_secret_configured

    if rest_exposed_without_token(settings):
        print(f"madoguchi: refusing to listen on {settings.host} without MADOGUCHI_REST_TOKEN: anyone who can "
              "reach the REST channel could continue any customer's conversation and read agents' replies. "
              "Set MADOGUCHI_REST_TOKEN (see README, \"REST channel\") or listen on 127.0.0.1.", file=sys.stderr)
        return 2
    try:
        check_secret_configured(settings)
    except SecretMissing as missing:
        print(missing, file=sys.stderr)
        return 2
    if args.replicas is not None:
        return _run_replicas(settings, args)
    status = cmd_setup(settings, args)
    if status:
        return status
    model = current_model_path(settings.models_dir)
    env = {**SERVER_TF_ENV, **os.environ, **QUIET_ENV, "SANIC_HOST": settings.host,
           "MADOGUCHI_ACTION_PORT": str(settings.action_port), "MADOGUCHI_WEB_PORT": str(settings.web_port),
           "MADOGUCHI_RASA_PORT": str(settings.rasa_port),
           "MADOGUCHI_VAR_DIR": str(settings.var_dir.resolve())}
    processes: dict[str, subprocess.Popen] = {}
    health = {
        "action server": f"http://{settings.host}:{settings.action_port}/health",
        "rasa server": f"http://{settings.host}:{settings.rasa_port}/",
        "web server": f"{settings.web_url}/console/login",
    }

    def stop_all(*_):
        stop_processes(list(processes.values()))

    # Ctrl-C and SIGTERM both stop everything, even when started from a shell
    # that ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(0)))
    try:
        for name, command in server_commands(settings, model, verbose=args.verbose).items():
            print(f"madoguchi: starting the {name}…", file=sys.stderr)
            # Sanic's body limit (SANIC_REQUEST_MAX_SIZE) for the Rasa server only: the action
            # server receives whole trackers from Rasa, which may be larger.
            own_env = {**env, "SANIC_REQUEST_MAX_SIZE": str(settings.request_max_bytes)} \
                if name == "rasa server" else env
            processes[name] = subprocess.Popen(command, cwd=PROJECT_ROOT, env=own_env, umask=SERVER_UMASK)
            if not wait_until_ready(processes[name], answers_http(health[name]), 180):
                print(f"madoguchi: the {name} did not start", file=sys.stderr)
                stop_all()
                return 1
        print(
            "\nmadoguchi is running (Ctrl-C stops it):\n"
            f"  chat widget    {settings.web_url}/\n"
            f"  agents' console {settings.web_url}/console/   (accounts: ./madoguchi agent add --help)\n"
            f"  REST channel   {settings.rest_webhook_url}\n"
            f"  action server  http://{settings.host}:{settings.action_port}/webhook\n"
            f"  database       {_describe_db(settings.database_url)}\n"
            + "\n".join(channel_lines()) + "\n"
            "  talk to it     ./madoguchi chat   (in another terminal)\n",
            file=sys.stderr, flush=True,
        )
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        dead = [name for name, p in processes.items() if p.poll() is not None]
        print(f"madoguchi: the {', '.join(dead)} stopped; stopping the rest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nmadoguchi: stopping…", file=sys.stderr)
        return 0
    finally:
        stop_all()


def _python_module(module: str, *arguments: str, verbose: bool = False) -> list[str]:
    return [_python(), "-m", *([] if verbose else ["bot.quiet"]), module, *arguments]


def _run_replicas(settings: Settings, args: argparse.Namespace) -> int:
    """`run --replicas N`: nginx on the public ports, N Rasa replicas and N action servers, the console.

    Everything shared lives in PostgreSQL and Redis (bot.replicas); a
    missing service is named before anything starts. Replicas and action
    servers start in parallel (each loads the model or the actions on its own).
    """
    from bot import replicas as layout_module

    if not env("MADOGUCHI_SECRET"):
        print("madoguchi: --replicas needs MADOGUCHI_SECRET, the same long random value for every replica "
              "(python3 -c 'import secrets; print(secrets.token_hex(32))')", file=sys.stderr)
        return 2
    try:
        layout = layout_module.layout_of(settings, args.replicas)
        layout_module.check_services(settings.database_url, env("REDIS_URL"))
    except layout_module.LayoutError as error:
        print(f"madoguchi: {error}", file=sys.stderr)
        return 2
    status = cmd_setup(settings, args)
    if status:
        return status
    model = current_model_path(settings.models_dir)
    run_dir = settings.var_dir.resolve() / "nginx"
    conf = layout_module.write_nginx_config(layout, run_dir, settings.request_max_bytes)
    trusted = layout_module.trusted_with_nginx(env("MADOGUCHI_TRUSTED_PROXIES"))
    base = {**SERVER_TF_ENV, **os.environ, **QUIET_ENV, "MADOGUCHI_ACTION_PORT": str(settings.action_port),
            "MADOGUCHI_WEB_PORT": str(settings.web_port), "MADOGUCHI_RASA_PORT": str(settings.rasa_port),
            "MADOGUCHI_VAR_DIR": str(settings.var_dir.resolve()), "MADOGUCHI_TRUSTED_PROXIES": trusted}
    rasa_env = {**base, **layout_module.rasa_store_env(settings.database_url, env("REDIS_URL"), layout.action_url),
                "MADOGUCHI_ENDPOINTS": layout_module.PRODUCTION_ENDPOINTS, "SANIC_HOST": "127.0.0.1",
                "SANIC_REQUEST_MAX_SIZE": str(settings.request_max_bytes)}
    token = env("RASA_AUTH_TOKEN")
    servers: list[tuple[str, list[str], dict, str]] = []
    for number, port in enumerate(layout.action_ports, start=1):
        servers.append((f"action server {number}", _python_module(
            "rasa_sdk", "--actions", "actions", "--port", str(port), "--quiet", verbose=args.verbose),
            base, f"http://127.0.0.1:{port}/health"))
    for number, port in enumerate(layout.replica_ports, start=1):
        command = _python_module("rasa", "run", "--model", str(model), "--endpoints",
                                 layout_module.PRODUCTION_ENDPOINTS, "--credentials", env("MADOGUCHI_CREDENTIALS"),
                                 "--interface", "127.0.0.1", "--port", str(port),
                                 *([] if args.verbose else ["--quiet"]), verbose=args.verbose)
        if token:
            command += ["--enable-api", "--auth-token", token]
        servers.append((f"rasa replica {number}", command, rasa_env, f"http://127.0.0.1:{port}/"))
    servers.append(("web server", _python_module("bot.console", verbose=args.verbose),
                    {**base, "MADOGUCHI_HOST": "127.0.0.1", "MADOGUCHI_WEB_PORT": str(layout.console_port)},
                    f"http://127.0.0.1:{layout.console_port}/console/login"))
    servers.append(("nginx", [layout_module.NGINX, "-c", str(conf), "-p", str(run_dir)], base,
                    f"{settings.rasa_url}/webhooks/rest/"))
    processes: dict[str, subprocess.Popen] = {}

    def stop_all(*_):
        stop_processes(list(processes.values()))

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(0)))
    try:
        print(f"madoguchi: starting {layout.replicas} Rasa replica(s), {layout.replicas} action server(s), "
              "the web server and nginx…", file=sys.stderr)
        for name, command, own_env, _ in servers:
            if name == "nginx":  # last: it should find the replicas ready
                continue
            processes[name] = subprocess.Popen(command, cwd=PROJECT_ROOT, env=own_env, umask=SERVER_UMASK)
        commands = {name: (command, own_env) for name, command, own_env, _ in servers}
        for name, _, _, health in servers:
            if name == "nginx":
                continue
            # Replicas starting together may trip over each other (both creating Rasa's events table):
            # one that exits while starting is started again, twice at most.
            for attempt in range(3):
                if wait_until_ready(processes[name], answers_http(health), 900):
                    break
                if processes[name].poll() is None or attempt == 2 or name == "web server":
                    print(f"madoguchi: the {name} did not start", file=sys.stderr)
                    stop_all()
                    return 1
                print(f"madoguchi: the {name} exited while starting; starting it again", file=sys.stderr)
                command, own_env = commands[name]
                processes[name] = subprocess.Popen(command, cwd=PROJECT_ROOT, env=own_env, umask=SERVER_UMASK)
        name, command, own_env, health = servers[-1]
        processes[name] = subprocess.Popen(command, cwd=PROJECT_ROOT, env=own_env, umask=SERVER_UMASK)
        if not wait_until_ready(processes[name], answers_http(health), 30):
            print(f"madoguchi: nginx did not start (see {run_dir / 'error.log'})", file=sys.stderr)
            stop_all()
            return 1
        print(
            f"\nmadoguchi is running with {layout.replicas} replica(s) behind nginx (Ctrl-C stops it):\n"
            f"  chat widget    {settings.web_url}/\n"
            f"  agents' console {settings.web_url}/console/\n"
            f"  REST channel   {settings.rest_webhook_url}\n"
            f"  replicas       127.0.0.1:{', '.join(str(p) for p in layout.replica_ports)}\n"
            f"  action servers 127.0.0.1:{', '.join(str(p) for p in layout.action_ports)} "
            f"(nginx: {layout.action_url})\n"
            f"  database       {_describe_db(settings.database_url)} (shop data and Rasa's tracker store)\n"
            f"  redis          {_describe_db(env('REDIS_URL'))} (lock store, socket.io, limits)\n"
            + "\n".join(channel_lines()) + "\n",
            file=sys.stderr, flush=True,
        )
        while True:
            time.sleep(0.5)
            for name, process in list(processes.items()):
                if process.poll() is None:
                    continue
                if not name.startswith(("rasa replica", "action server")):
                    print(f"madoguchi: the {name} stopped; stopping the rest", file=sys.stderr)
                    return 1
                # nginx sends the others' share elsewhere meanwhile; the replica comes back by itself
                print(f"madoguchi: the {name} stopped (exit {process.returncode}); starting it again",
                      file=sys.stderr, flush=True)
                command, own_env = commands[name]
                processes[name] = subprocess.Popen(command, cwd=PROJECT_ROOT, env=own_env, umask=SERVER_UMASK)
    except KeyboardInterrupt:
        print("\nmadoguchi: stopping…", file=sys.stderr)
        return 0
    finally:
        stop_all()


def cmd_triage(settings: Settings, args: argparse.Namespace) -> int:
    """Classify one message or a JSONL file of messages; one JSON object per line.

    The input is checked before Rasa is imported: a bad file is reported in a second, not after ten.
    """
    if args.file:
        messages = _read_jsonl(Path(args.file))
        if messages is None:
            return 2
    elif args.text:
        messages = [args.text]
    else:
        print("triage: give a text or --file messages.jsonl", file=sys.stderr)
        return 2
    model = current_model_path(settings.models_dir)
    if not model.exists():
        print(f"triage: no trained model at {model}; run ./madoguchi setup first", file=sys.stderr)
        return 1
    from bot.rasa_nlu.model import load_parser
    from bot.triage import triage

    parse = load_parser(model)
    for result in parse(messages):
        print(json.dumps(triage(result).as_json_dict(), ensure_ascii=False), flush=True)
    return 0


def _read_jsonl(path: Path) -> list[str] | None:
    messages = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
                if not isinstance(text, str):
                    raise TypeError
            except (json.JSONDecodeError, KeyError, TypeError):
                print(f"triage: line {number} of {path} is not a JSON object with a \"text\" string",
                      file=sys.stderr)
                return None
            messages.append(text)
    return messages


def cmd_mask(settings: Settings, args: argparse.Namespace) -> int:
    """Mask personal data in one text or in a JSONL export, with the function transcripts use.

    With the shop database, known customers' names, addresses and birth dates
    are masked too (the same index the outbound guard uses); without it,
    patterns only, and stderr says so. A bad line of the file becomes
    ``{"error": "line N: ..."}`` in its place, so output line N is input record N;
    its text is never echoed, and the exit status is 2.
    """
    from bot.privacy import mask_personal_data

    if (args.text is None) == (args.file is None):
        print("mask: give one text, or --file export.jsonl (- for standard input)", file=sys.stderr)
        return 2
    index = _shop_index(settings)
    if args.text is not None:
        _write_utf8(mask_personal_data(args.text, index))
        return 0
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    except OSError as error:
        print(f"mask: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    bad = 0
    with stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                text = json.loads(raw.decode("utf-8"))["text"]
                if not isinstance(text, str):
                    raise TypeError
            except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
                bad += 1
                problem = f'line {number}: not a UTF-8 JSON object with a "text" string'
                print(f"mask: {problem}; written as {{\"error\": ...}} in its place", file=sys.stderr)
                _write_json({"error": problem})
                continue
            _write_json({"text": mask_personal_data(text, index)})
    if bad:
        print(f"mask: {bad} bad line(s); every other line was masked and written", file=sys.stderr)
        return 2
    return 0


def _shop_index(settings: Settings):
    """The customer index of the shop database, or None (with a note on stderr) where there is none."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.outbound import load_people
    from bot.privacy import PersonalDataIndex
    from bot.store.db import engine_for

    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).is_file():
        reason = f"no shop database at {_describe_db(url)}"
    else:
        try:
            return PersonalDataIndex(load_people(engine_for(url)))
        except SQLAlchemyError as error:
            reason = f"the shop database at {_describe_db(url)} cannot be read ({type(error).__name__})"
    print(f"mask: {reason}; masking patterns only (phone numbers, e-mail addresses, cards, postal codes, "
          "My Numbers), not customers' names or addresses", file=sys.stderr)
    return None


def _write_json(record: dict) -> None:
    try:
        _write_utf8(json.dumps(record, ensure_ascii=False))
    except UnicodeEncodeError:  # a lone surrogate (JSON "\ud800") has no UTF-8 form: escape it instead
        _write_utf8(json.dumps(record))


def _write_utf8(line: str) -> None:
    sys.stdout.buffer.write((line + "\n").encode("utf-8"))
    sys.stdout.buffer.flush()


def _print_replies(replies: list[dict]) -> None:
    for reply in replies:
        if reply.get("text"):
            who = f"担当者（{reply.get('agent_name') or '窓口'}）" if reply.get("sender") == "agent" else "窓口"
            print(f"{who}> {reply['text']}", flush=True)
        for button in reply.get("buttons") or []:
            print(f"      [{button.get('title')}]")


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    """A terminal conversation with the running assistant over its REST channel.

    Agents' replies from the console arrive with the next answer, and a
    background poll of ``/webhooks/rest/updates`` prints them while you wait.
    """
    import threading
    import urllib.parse

    sender = args.sender or f"terminal-{uuid.uuid4().hex[:8]}"
    print(f"madoguchi chat ({settings.rest_webhook_url}, conversation {sender}); Ctrl-D to quit")
    updates_url = settings.rest_webhook_url.rsplit("/", 1)[0] + "/updates?" + urllib.parse.urlencode({"sender": sender})
    talking = threading.Lock()
    stop = threading.Event()
    token = rest_token()
    authorization = {"Authorization": f"Bearer {token}"} if token else {}

    def poll_agents() -> None:
        while not stop.wait(3):
            with talking:
                try:
                    with urllib.request.urlopen(urllib.request.Request(updates_url, headers=authorization),
                                                timeout=10) as response:
                        _print_replies(json.load(response))
                except (urllib.error.URLError, OSError, ValueError):
                    continue

    threading.Thread(target=poll_agents, daemon=True).start()
    try:
        while True:
            try:
                text = input("あなた> ").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if not text:
                continue
            body = json.dumps({"sender": sender, "message": text}).encode()
            request = urllib.request.Request(settings.rest_webhook_url, data=body,
                                             headers={"Content-Type": "application/json", **authorization})
            with talking:
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        replies = json.load(response)
                except (urllib.error.URLError, OSError) as error:
                    print(f"(the assistant is not reachable: {error}; is ./madoguchi run running?)")
                    continue
                _print_replies(replies)
    finally:
        stop.set()


def cmd_telegram_webhook(settings: Settings, args: argparse.Namespace) -> int:
    """Register the public webhook URL (with the secret token) with Telegram."""
    from bot.channels.telegram import TelegramNotConfigured, register_webhook

    try:
        ok = register_webhook(args.url)
    except (TelegramNotConfigured, ValueError) as error:
        print(f"telegram-webhook: {error}", file=sys.stderr)
        return 2
    print("telegram-webhook: registered" if ok else "telegram-webhook: Telegram refused the webhook",
          file=sys.stderr)
    return 0 if ok else 1


def cmd_agent(settings: Settings, args: argparse.Namespace) -> int:
    """Agents' accounts for the console: add, list, deactivate."""
    from bot.console.accounts import agent_command

    return agent_command(args.agent_args)


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """The monthly trouble report as a folder: index.html, the charts as PNG, troubles.csv."""
    from datetime import datetime, timezone

    from bot.report_charts import NO_FONT_NOTE, japanese_font, write_report
    from bot.reports import Month, ReportError, monthly_report
    from bot.store.db import engine_for, session_scope

    now = datetime.now(timezone.utc)
    try:
        month = Month.parse(args.month) if args.month else Month.of(now)
    except ReportError as error:
        print(f"report: {error}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else settings.var_dir / "reports" / month.key
    with session_scope(engine_for(settings.database_url)) as session:
        report = monthly_report(session, month, now, late_orders_for_alert=settings.alert_late_orders,
                                defect_troubles_for_alert=settings.alert_defect_troubles)
    if not japanese_font():
        print(f"report: {NO_FONT_NOTE}", file=sys.stderr)
    files = write_report(report, out)
    print(f"report: {month.label}: {len(report.troubles)} troubles, {len(report.alerts)} product alerts; "
          f"wrote {len(files)} files to {out}/ (open {out / 'index.html'})", file=sys.stderr)
    return 0


def cmd_recall(settings: Settings, args: argparse.Namespace) -> int:
    """A product-safety notice to every buyer of the items; ``--dry-run`` only counts (one JSON object).

    Without ``--dry-run`` it creates the notice and sends it as the console
    does: mail from here, LINE and Telegram pushes from the running assistant
    (its outbox pumps pick the recipients up). ``--notice R…`` sends what a
    stopped run left pending.
    """
    from datetime import date

    from bot import handoff, notices
    from bot.mail import mailer_from_env
    from bot.store.db import engine_for, session_scope
    from bot.store.migrate import upgrade

    try:
        deadline = date.fromisoformat(args.deadline) if args.deadline else None
    except ValueError:
        print("recall: --deadline は YYYY-MM-DD の形式で指定してください。", file=sys.stderr)
        return 2
    engine = engine_for(settings.database_url)
    upgrade(settings.database_url)
    if args.notice:
        return _resume_recall(settings, engine, args.notice)
    if not args.item:
        print("recall: --item で商品名を指定してください（続きを送るときは --notice お知らせ番号）。", file=sys.stderr)
        return 2
    try:
        with session_scope(engine) as session:
            if args.dry_run:
                result = notices.item_audience(session, args.item).as_json()
            else:
                notice = notices.create_product_notice(
                    session, items=args.item, title=args.title or "", what_happened=args.what_happened or "",
                    what_to_do=args.what_to_do or "", contact_deadline=deadline, actor="cli",
                    now=handoff.now_utc(), keywords=args.keyword or ())
                notices.start_sending(session, notice.id, "cli", handoff.now_utc())
                reference, notice_id = notice.reference, notice.id
                result = {"reference": reference, **notices.audience(session, notice).as_json()}
    except notices.NoticeError as error:
        print(f"recall: {error.message}", file=sys.stderr)
        return 2
    if not args.dry_run:
        mailer = mailer_from_env(settings)
        while notices.deliver_mail(mailer, engine=engine):
            pass
        with session_scope(engine) as session:
            result["progress"] = notices.progress(session, notice_id).counts
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _resume_recall(settings: Settings, engine, reference: str) -> int:
    """Sends what is still pending (after a stop half way) and prints the notice's progress."""
    from sqlalchemy import select

    from bot import notices
    from bot.mail import mailer_from_env
    from bot.store.db import session_scope
    from bot.store.models import Notice

    with session_scope(engine) as session:
        notice_id = session.execute(select(Notice.id).where(Notice.reference == reference)).scalar_one_or_none()
    if notice_id is None:
        print(f"recall: お知らせ番号 {reference} は見つかりません。", file=sys.stderr)
        return 2
    mailer = mailer_from_env(settings)
    while notices.deliver_mail(mailer, engine=engine):
        pass
    with session_scope(engine) as session:
        notice = session.get(Notice, notice_id)
        result = {"reference": reference, **notices.audience(session, notice).as_json(),
                  "progress": notices.progress(session, notice_id).counts}
    print(json.dumps(result, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    setup = sub.add_parser("setup", help="create/upgrade the database, load the demo shop, train if needed")
    setup.add_argument("--no-train", action="store_true")
    train = sub.add_parser("train", help="train the model if config or data changed")
    train.add_argument("--force", action="store_true", help="train even if nothing changed")
    run = sub.add_parser("run", help="set up and run the assistant in the foreground")
    run.add_argument("--verbose", action="store_true",
                     help="show the servers' own logs and third-party warnings too")
    run.add_argument("--replicas", type=int, metavar="N",
                     help="the production layout: N Rasa replicas behind nginx, PostgreSQL (DATABASE_URL) "
                          "and Redis (REDIS_URL)")
    triage = sub.add_parser("triage", help="classify messages; prints one JSON object per message")
    triage.add_argument("text", nargs="?")
    triage.add_argument("--file", help="JSONL file with one {\"text\": ...} per line")
    mask = sub.add_parser("mask", help="mask personal data in a text or a JSONL export; one line per record")
    mask.add_argument("text", nargs="?")
    mask.add_argument("--file", help="JSONL file with one {\"text\": ...} per line (- for standard input)")
    chat = sub.add_parser("chat", help="talk to the running assistant from this terminal")
    chat.add_argument("--sender", help="conversation id (default: a new one)")
    webhook = sub.add_parser("telegram-webhook", help="register the Telegram webhook URL with the secret token")
    webhook.add_argument("url", help="public https URL ending in /webhooks/telegram/webhook")
    agent = sub.add_parser("agent", help="console accounts: agent add --login L --name N [--role supervisor]",
                           add_help=False)
    agent.add_argument("agent_args", nargs=argparse.REMAINDER)
    report = sub.add_parser("report", help="monthly trouble report: index.html, charts (PNG), troubles.csv")
    report.add_argument("--month", help="YYYY-MM (default: this month, Japan time)")
    report.add_argument("--out", help="folder to write (default: var/reports/YYYY-MM)")
    recall = sub.add_parser("recall", help="product-safety notice to every buyer: recall --item NAME [--item NAME …] "
                                           "--dry-run prints the customers reached, by channel, as JSON")
    recall.add_argument("--item", action="append", help="product name as in the orders (repeatable)")
    recall.add_argument("--notice", help="send what is still pending of this notice (R…), e.g. after a stop")
    recall.add_argument("--dry-run", action="store_true", help="count only; send nothing")
    recall.add_argument("--title", help="subject, e.g. 加湿器 使用中止のお願い")
    recall.add_argument("--what-happened", help="what happened (Japanese, for customers)")
    recall.add_argument("--what-to-do", help="what the customer must do now: stop using it, return, refund")
    recall.add_argument("--deadline", help="contact deadline, YYYY-MM-DD")
    recall.add_argument("--keyword", action="append", help="what customers call the product (repeatable)")
    args = parser.parse_args(argv)
    settings = load_settings()
    handler = {"setup": cmd_setup, "train": cmd_train, "run": cmd_run, "triage": cmd_triage, "mask": cmd_mask,
               "chat": cmd_chat, "telegram-webhook": cmd_telegram_webhook, "agent": cmd_agent,
               "report": cmd_report, "recall": cmd_recall}[args.command]
    return handler(settings, args)

"""`python -m bot …`: set up, train, run, triage and chat.

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
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings, is_loopback_host, load_settings, rest_token
from bot.modelfiles import current_model_path, needs_training

QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "LOG_LEVEL_LIBRARIES": "ERROR", "PYTHONWARNINGS": "ignore"}


def _python() -> str:
    return sys.executable


def cmd_setup(settings: Settings, args: argparse.Namespace) -> int:
    """Create or upgrade the database, load the demo shop, train when needed."""
    from bot.store.db import engine_for, session_scope
    from bot.store.migrate import upgrade
    from bot.store.seed import load_demo_shop, seed

    settings.var_dir.mkdir(parents=True, exist_ok=True)
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
    print("madoguchi: training the model (a few minutes on two cores)…", file=sys.stderr)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    result = subprocess.run(
        [_python(), "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain.yml",
         "--data", "data/nlu", "data/rules", "data/stories", "--out", str(settings.models_dir),
         "--fixed-model-name", target.name[: -len(".tar.gz")], "--quiet"],
        cwd=PROJECT_ROOT, env={**os.environ, **QUIET_ENV},
    )
    if result.returncode != 0 or not target.exists():
        print("madoguchi: training failed (see the messages above)", file=sys.stderr)
        return result.returncode or 1
    print(f"madoguchi: trained {target.name} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


def _wait_for(url: str, process: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    return False


def server_commands(settings: Settings, model: Path) -> dict[str, list[str]]:
    """The processes that make up the assistant, by name."""
    rasa = [_python(), "-m", "rasa", "run", "--model", str(model),
            "--endpoints", os.environ.get("MADOGUCHI_ENDPOINTS", "endpoints.yml"),
            "--credentials", os.environ.get("MADOGUCHI_CREDENTIALS", "credentials.yml"),
            "--interface", settings.host, "--port", str(settings.rasa_port)]
    token = os.environ.get("RASA_AUTH_TOKEN")
    if token:
        rasa += ["--enable-api", "--auth-token", token]
    return {
        "action server": [_python(), "-m", "rasa_sdk", "--actions", "actions",
                          "--port", str(settings.action_port), "--quiet"],
        "rasa server": rasa,
        "web server": [_python(), "-m", "bot.console"],
    }


def rest_exposed_without_token(settings: Settings) -> bool:
    """REST lets its caller pick the conversation: beyond loopback it needs MADOGUCHI_REST_TOKEN."""
    return not is_loopback_host(settings.host) and rest_token() is None


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Set up, then run the action server and the Rasa server in the foreground."""
    if rest_exposed_without_token(settings):
        print(f"madoguchi: refusing to listen on {settings.host} without MADOGUCHI_REST_TOKEN: anyone who can "
              "reach the REST channel could continue any customer's conversation and read agents' replies. "
              "Set MADOGUCHI_REST_TOKEN (see README, \"REST channel\") or listen on 127.0.0.1.", file=sys.stderr)
        return 2
    status = cmd_setup(settings, args)
    if status:
        return status
    model = current_model_path(settings.models_dir)
    env = {**os.environ, **QUIET_ENV, "SANIC_HOST": settings.host,
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
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    # Ctrl-C and SIGTERM both stop everything, even when started from a shell
    # that ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(0)))
    try:
        for name, command in server_commands(settings, model).items():
            print(f"madoguchi: starting the {name}…", file=sys.stderr)
            # Sanic's body limit (SANIC_REQUEST_MAX_SIZE) for the Rasa server only: the action
            # server receives whole trackers from Rasa, which may be larger.
            own_env = {**env, "SANIC_REQUEST_MAX_SIZE": str(settings.request_max_bytes)} \
                if name == "rasa server" else env
            processes[name] = subprocess.Popen(command, cwd=PROJECT_ROOT, env=own_env)
            if not _wait_for(health[name], processes[name], 180):
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


def cmd_triage(settings: Settings, args: argparse.Namespace) -> int:
    """Classify one message or a JSONL file of messages; one JSON object per line."""
    from bot.rasa_nlu.model import load_parser
    from bot.triage import triage

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
    sub.add_parser("run", help="set up and run the assistant in the foreground")
    triage = sub.add_parser("triage", help="classify messages; prints one JSON object per message")
    triage.add_argument("text", nargs="?")
    triage.add_argument("--file", help="JSONL file with one {\"text\": ...} per line")
    chat = sub.add_parser("chat", help="talk to the running assistant from this terminal")
    chat.add_argument("--sender", help="conversation id (default: a new one)")
    webhook = sub.add_parser("telegram-webhook", help="register the Telegram webhook URL with the secret token")
    webhook.add_argument("url", help="public https URL ending in /webhooks/telegram/webhook")
    agent = sub.add_parser("agent", help="console accounts: agent add --login L --name N [--role supervisor]",
                           add_help=False)
    agent.add_argument("agent_args", nargs=argparse.REMAINDER)
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
    handler = {"setup": cmd_setup, "train": cmd_train, "run": cmd_run, "triage": cmd_triage,
               "chat": cmd_chat, "telegram-webhook": cmd_telegram_webhook, "agent": cmd_agent,
               "recall": cmd_recall}[args.command]
    return handler(settings, args)

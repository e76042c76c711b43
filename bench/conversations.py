"""Replay the scripted customer conversations and print the share that ends as it should.

Starts the assistant (as `./madoguchi run` does, state in a temporary folder,
REST with a token, Rasa's HTTP API on for reading trackers), sends every
script in tests/data/conversations/ turn by turn over REST, and judges each
ending from the bot's responses and the shop database (bot.replay): per
category and overall, then the failing ids with the reason and the bot's last
replies.

    .venv/bin/python bench/conversations.py [--only A014,B020] [--category topic_change]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.devserver import start_assistant, stop_assistant  # noqa: E402
from bot.replay import Replayer, load_conversations, report, test_story  # noqa: E402

REPLAY_ENV = {
    "MADOGUCHI_REST_TOKEN": "bench-rest-token",
    "MADOGUCHI_TRUSTED_PROXIES": "127.0.0.1",
    "RASA_AUTH_TOKEN": "bench-rasa-token",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated conversation ids")
    parser.add_argument("--category", default="", help="one category only")
    parser.add_argument("--workers", type=int, default=1, help="conversations replayed at once")
    parser.add_argument("--turns", type=int, default=2, help="the bot's replies shown for this many last turns")
    parser.add_argument("--write-test-stories", type=Path, metavar="PATH",
                        help="write the conversations that ended as they should as Rasa end-to-end test stories "
                             "(tests/data/conversations/test_stories.yml is made this way)")
    args = parser.parse_args()
    conversations = load_conversations()
    if args.only:
        wanted = set(args.only.split(","))
        conversations = [c for c in conversations if c.id in wanted]
    if args.category:
        conversations = [c for c in conversations if c.category == args.category]
    with tempfile.TemporaryDirectory(prefix="madoguchi-replay-") as var_dir:
        process, assistant = start_assistant(Path(var_dir), REPLAY_ENV)
        try:
            started = time.perf_counter()
            verdicts = Replayer(assistant).play_all(conversations, uuid.uuid4().hex[:6], workers=args.workers)
            elapsed = time.perf_counter() - started
        finally:
            stop_assistant(process)
    print(report(verdicts, last_replies=args.turns))
    if args.write_test_stories:
        write_test_stories(args.write_test_stories, [v for v in verdicts if v.passed])
    print(f"\n{len(conversations)} conversations, {sum(len(c.turns) for c in conversations)} turns "
          f"in {elapsed:.0f} s")


def write_test_stories(path: Path, verdicts: list) -> None:
    header = ("# Made by bench/conversations.py --write-test-stories from the scripted conversations that ended as\n"
              "# they should (tests/data/conversations/conversations_*.yml); tests/test_rasa_test_stories.py runs\n"
              "# them with `rasa test`. Make again after a change that rightly changes the dialogue.\n")
    stories = [test_story(v.conversation.id, v.events) for v in verdicts]
    body = "".join(story.split("stories:\n", 1)[1] for story in stories)
    path.write_text(f'{header}version: "3.1"\nstories:\n{body}', encoding="utf-8")
    print(f"{len(stories)} test stories written to {path}")


if __name__ == "__main__":
    main()

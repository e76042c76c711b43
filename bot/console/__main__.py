"""`python -m bot.console`: the web server: agents' console at /console/, the chat widget page at /."""

from __future__ import annotations

import logging
import sys

from bot.config import load_settings
from bot.console.app import PREFIX, create_app
from bot.secrets import SecretMissing, check_secret_configured
from bot.store.migrate import upgrade
from bot.widget_page import widget_blueprint

log = logging.getLogger("madoguchi.console")


def main() -> int:
    settings = load_settings()
    try:
        check_secret_configured(settings)
    except SecretMissing as missing:
        print(missing, file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    app = create_app(settings=settings, blueprints=[widget_blueprint()])
    logging.getLogger("sanic.root").setLevel(logging.WARNING)
    log.addHandler(logging.StreamHandler(sys.stderr))
    log.setLevel(logging.INFO)

    async def announce(_app, _loop) -> None:
        log.info("madoguchi web: chat page %s/ , console %s%s/ (Ctrl-C stops it)", settings.web_url,
                 settings.web_url, PREFIX)

    app.register_listener(announce, "after_server_start")
    app.run(host=settings.host, port=settings.web_port, access_log=False, motd=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

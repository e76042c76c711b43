"""The customer-facing page with the chat widget (``web/``), served next to the console.

The widget's own files are static; ``/config.js`` tells it where the Rasa
server's socket.io endpoint is, so the page works wherever the shop runs it.
The socket.io client comes from npm (``web/node_modules``, installed by the
set-up): nothing is fetched from the internet at run time.
"""

from __future__ import annotations

import json
from pathlib import Path

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import PROJECT_ROOT, env, load_settings

WEB_DIR = PROJECT_ROOT / "web"
SOCKET_IO_CLIENT = WEB_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
ENV_SOCKET_URL = "MADOGUCHI_WIDGET_SOCKET_URL"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def widget_config() -> dict:
    settings = load_settings()
    return {"socketUrl": env(ENV_SOCKET_URL) or settings.rasa_url, "socketPath": "/socket.io",
            "sessionIdleHours": settings.web_session_idle_hours}


def _file(path: Path, content_type: str) -> HTTPResponse:
    if not path.is_file():
        return response.text("見つかりません。", status=404, headers=SECURITY_HEADERS)
    return response.raw(path.read_bytes(), content_type=content_type, headers=SECURITY_HEADERS)


def widget_blueprint() -> Blueprint:
    page = Blueprint("widget_page")

    @page.route("/", methods=["GET"])
    async def index(_: Request) -> HTTPResponse:
        return _file(WEB_DIR / "index.html", "text/html; charset=utf-8")

    @page.route("/config.js", methods=["GET"])
    async def config(_: Request) -> HTTPResponse:
        body = f"window.MADOGUCHI_CONFIG = {json.dumps(widget_config())};\n"
        return response.text(body, content_type="application/javascript; charset=utf-8",
                             headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})

    @page.route("/static/vendor/socket.io.min.js", methods=["GET"])
    async def socket_io_client(_: Request) -> HTTPResponse:
        return _file(SOCKET_IO_CLIENT, "application/javascript; charset=utf-8")

    @page.route("/static/<name:[A-Za-z0-9_.-]+>", methods=["GET"])
    async def static(_: Request, name: str) -> HTTPResponse:
        kinds = {".js": "application/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".svg": "image/svg+xml", ".png": "image/png"}
        kind = kinds.get(Path(name).suffix)
        if kind is None or name.startswith("."):
            return response.text("見つかりません。", status=404, headers=SECURITY_HEADERS)
        return _file(WEB_DIR / "static" / name, kind)

    return page

"""``nianbao serve``: a local web page over a round's folder, for clerks who never open a
terminal. Flask (routing, sessions, multipart limits from Werkzeug) with its Jinja2 templates,
served by waitress (a pure-Python production WSGI server); no CDN, no build step."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable
from pathlib import Path

from .app import create_app
from .folder import INBOX, RESULTS, RoundFolder

__all__ = ["RoundFolder", "create_app", "is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_names(host: str, port: int) -> set[str]:
    """The Host header values a browser sends to this server (anything else is refused)."""
    names = {"127.0.0.1", "localhost", "[::1]"} if is_loopback(host) else {host}
    if ":" in host and not host.startswith("["):
        names.add(f"[{host}]")
    return {f"{n}:{port}" for n in names} | ({*names} if port == 80 else set())


def serve(root: Path, host: str = "127.0.0.1", port: int = 8765,
          echo: Callable[[str], None] = print, threads: int = 8) -> None:
    """Serve ``root`` until interrupted; off loopback with a printed access token."""
    import waitress

    root.mkdir(parents=True, exist_ok=True)
    (root / INBOX).mkdir(exist_ok=True)
    (root / RESULTS).mkdir(exist_ok=True)
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    app = create_app(root, token=token, hosts=host_names(host, port))
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    echo(f"请在浏览器中打开：{address}")
    if token:
        echo("（不是本机地址：凭上面带令牌的完整地址访问，令牌只在本次运行有效）")
    echo("按 Ctrl+C 结束。")
    waitress.serve(app, host=host, port=port, threads=threads, ident="nianbao",
                   max_request_body_size=220 * 1024 * 1024, _quiet=True)

"""``nianbao serve``: a local web page over a round's folder, for clerks who never open a
terminal. Flask (routing, sessions, multipart limits from Werkzeug) with its Jinja2 templates,
served by waitress (a pure-Python production WSGI server); no CDN, no build step."""

from __future__ import annotations

import collections
import contextlib
import ipaddress
import secrets
import socket
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


#: Waitress's limits: enough connections that a few hundred idle or slow ones do not deny the
#: page to others (an idle one is closed after CHANNEL_TIMEOUT seconds); well below the 1,024
#: sockets select() can watch.
CONNECTION_LIMIT, CHANNEL_TIMEOUT = 500, 20
WAITRESS = {"connection_limit": CONNECTION_LIMIT, "channel_timeout": CHANNEL_TIMEOUT,
            "max_request_body_size": 220 * 1024 * 1024, "asyncore_use_poll": True}
#: Connections one address may hold at once off loopback (a browser opens at most ~10): one
#: colleague's machine, or one attacker, cannot take every connection.
PER_CLIENT = 64


def limit_per_client(server, most: int = PER_CLIENT) -> None:
    """Refuse a connection from an address that already holds ``most`` of them: accepted and
    closed at once, before any request is read. (waitress counts only the total.)"""
    counts: collections.Counter[str] = collections.Counter()
    base = server.channel_class

    class Counted(base):  # type: ignore[misc, valid-type]
        def __init__(self, srv, sock, addr, adj, map=None):  # noqa: A002 - waitress's name
            self.client = _client(addr)
            counts[self.client] += 1
            super().__init__(srv, sock, addr, adj, map=map)

        def close(self) -> None:
            if self.client is not None:
                counts[self.client] -= 1
                if counts[self.client] <= 0:
                    del counts[self.client]
                self.client = None
            super().close()

    accept = server.accept

    def guarded_accept():
        pair = accept()
        if pair is not None and counts[_client(pair[1])] >= most:
            with contextlib.suppress(OSError):
                pair[0].close()
            return None
        return pair

    server.channel_class = Counted
    server.accept = guarded_accept


def _client(addr) -> str:
    return str(addr[0]) if isinstance(addr, tuple) and addr else str(addr)
WILDCARDS = ("0.0.0.0", "::", "[::]", "")


def local_addresses() -> list[str]:
    """The addresses colleagues can reach this machine at: its host name and what the name
    resolves to (no packet is sent), loopback left out."""
    name = socket.gethostname()
    found: list[str] = []
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except OSError:
        infos = []
    for info in infos:
        address = str(info[4][0]).split("%")[0]
        if not is_loopback(address) and address not in found:
            found.append(address)
    return found + ([name] if name and name not in found else [])


def host_names(host: str, port: int) -> set[str]:
    """The Host header values a browser sends to this server (anything else is refused): for
    an address that listens everywhere, every name and address the machine is reached by."""
    if is_loopback(host):
        names = {"127.0.0.1", "localhost", "[::1]"}
    elif host in WILDCARDS:
        names = {"127.0.0.1", "localhost", "[::1]", *local_addresses()}
    else:
        names = {host}
    names |= {f"[{n}]" for n in names if ":" in n and not n.startswith("[")}
    return {f"{n}:{port}" for n in names} | ({*names} if port == 80 else set())


def serve(root: Path, host: str = "127.0.0.1", port: int = 8765,
          echo: Callable[[str], None] = print, threads: int = 8) -> None:
    """Serve ``root`` until interrupted; off loopback with a printed access token."""
    root.mkdir(parents=True, exist_ok=True)
    (root / INBOX).mkdir(exist_ok=True)
    (root / RESULTS).mkdir(exist_ok=True)
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    app = create_app(root, token=token, hosts=host_names(host, port))
    suffix = f"?token={token}" if token else ""
    shown = [f"[{h}]" if ":" in h else h for h in (
        local_addresses() if host in WILDCARDS else [host])] or ["127.0.0.1"]
    echo(f"请在浏览器中打开：http://{shown[0]}:{port}/{suffix}")
    for other in shown[1:]:
        echo(f"　　或：http://{other}:{port}/{suffix}")
    if token:
        echo("（不是本机地址：凭上面带令牌的完整地址访问，令牌只在本次运行有效）")
    echo("按 Ctrl+C 结束。")
    import waitress.server

    server = waitress.server.create_server(app, host=host, port=port, threads=threads,
                                           ident="nianbao", _quiet=True, **WAITRESS)
    if not is_loopback(host) and hasattr(server, "channel_class"):  # one listening socket
        limit_per_client(server)
    try:
        server.run()
    finally:
        server.close()

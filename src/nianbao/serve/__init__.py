"""``nianbao serve``: a local web page over a round's folder, for clerks who never open a
terminal. Flask (routing, sessions, multipart limits from Werkzeug) with its Jinja2 templates,
served by waitress (a pure-Python production WSGI server); no CDN, no build step."""

from __future__ import annotations

import collections
import contextlib
import errno
import ipaddress
import json
import os
import secrets
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from ..errors import NianbaoError, OutputError
from ..outfile import cause, write_text_atomic
from ..round.publish import try_lock, unlock
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


#: In the round folder while a page serves it: the lock one serving process holds (released
#: by the operating system when it ends, however it ends) and the address it serves at.
INSTANCE, ADDRESS = ".nianbao-serve.lock", ".nianbao-serve.json"
#: Ports tried after the default one when it is taken and no port was asked for.
PORTS_TRIED = 20
DEFAULT_PORT = 8765


class AlreadyServing(NianbaoError):
    """Another nianbao already serves this round folder, at ``address`` (None if unknown)."""

    def __init__(self, root: Path, address: str | None) -> None:
        where = f"：{address}" if address else ""
        super().__init__(f"{root} 已经在另一个窗口中打开{where}。请使用那个页面，"
                         "或先关闭那个窗口再打开")
        self.address = address


def _folders(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / INBOX).mkdir(exist_ok=True)
        (root / RESULTS).mkdir(exist_ok=True)
        probe = root / f".nianbao-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"无法使用轮次文件夹 {root}：{cause(exc)}。请把 nianbao 解压到可以写入"
                          "的位置（如桌面或 D 盘），或换一个可以写入的文件夹") from exc


def _claim(root: Path):
    """The round folder's instance lock, or AlreadyServing with the holder's address."""
    try:
        handle = open(root / INSTANCE, "a+b")  # noqa: SIM115 - held while serving
    except OSError as exc:
        raise OutputError(f"无法使用轮次文件夹 {root}：{cause(exc)}") from exc
    if try_lock(handle):
        return handle
    handle.close()
    try:
        address = json.loads((root / ADDRESS).read_text(encoding="utf-8")).get("address")
    except (OSError, ValueError, AttributeError):
        address = None
    raise AlreadyServing(root, address if isinstance(address, str) else None)


#: Windows's WSAEADDRINUSE and WSAEACCES (a port another socket holds exclusively, or one
#: Windows reserves for Hyper-V); POSIX's EACCES is a privileged port, not a taken one.
_WINDOWS_IN_USE = (10048, 10013)


def _in_use(exc: OSError) -> bool:
    return exc.errno == errno.EADDRINUSE or exc.errno in _WINDOWS_IN_USE or \
        getattr(exc, "winerror", None) in _WINDOWS_IN_USE


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``. On Windows SO_EXCLUSIVEADDRUSE: waitress's own
    SO_REUSEADDR there lets a second server bind a port that is in use and steal half of its
    requests, so a taken port would never be noticed."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform == "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined]
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host.strip("[]"), port))
    except BaseException:
        sock.close()
        raise
    return sock


def _bind(host: str, port: int | None) -> socket.socket:
    """The asked-for port, or (none asked for) the default one or the next free one."""
    candidates = [port] if port else range(DEFAULT_PORT, DEFAULT_PORT + PORTS_TRIED)
    for candidate in candidates:
        try:
            return listening_socket(host, candidate)
        except OSError as exc:
            if not _in_use(exc):
                raise OutputError(f"无法在 {host}:{candidate} 启动：{exc.strerror or exc}") \
                    from exc
    if port:
        raise OutputError(f"端口 {port} 已被其他程序占用：请关闭占用它的程序，或用 --port "
                          "换一个端口（如 --port 8800）")
    raise OutputError(f"端口 {DEFAULT_PORT}–{DEFAULT_PORT + PORTS_TRIED - 1} 都已被占用：请用 "
                      "--port 指定一个空闲的端口")


def open_browser(url: str, echo: Callable[[str], None]) -> None:
    """The default browser at ``url`` (the server already listens: a request waits in the
    queue); where none can be started, the clerk is told to copy the address."""
    import webbrowser

    try:
        opened = webbrowser.open(url)
    except Exception:  # noqa: BLE001 - a browser that cannot start is not the page's failure
        opened = False
    if not opened:
        echo("未能自动打开浏览器：请把上面的地址复制到浏览器的地址栏中。")


def serve(root: Path, host: str = "127.0.0.1", port: int | None = DEFAULT_PORT,
          echo: Callable[[str], None] = print, threads: int = 8, browser: bool = False) -> None:
    """Serve ``root`` until interrupted; off loopback with a printed access token. ``port``
    None: the default port or, when it is taken, the next free one. ``browser``: open the
    default browser at the page once it listens."""
    root = Path(root)
    _folders(root)
    claim = _claim(root)
    try:
        sock = _bind(host, port)
        try:
            port = sock.getsockname()[1]
            token = None if is_loopback(host) else secrets.token_urlsafe(24)
            app = create_app(root, token=token, hosts=host_names(host, port))
            suffix = f"?token={token}" if token else ""
            shown = [f"[{h}]" if ":" in h else h for h in (
                local_addresses() if host in WILDCARDS else [host])] or ["127.0.0.1"]
            url = f"http://{shown[0]}:{port}/{suffix}"
            import waitress.server

            server = waitress.server.create_server(app, sockets=[sock], threads=threads,
                                                   ident="nianbao", **WAITRESS)
            with contextlib.suppress(OSError):
                write_text_atomic(root / ADDRESS, json.dumps(
                    {"address": f"http://{shown[0]}:{port}/",  # never the token
                     "pid": os.getpid()}, ensure_ascii=False))
            echo(f"请在浏览器中打开：{url}")
            for other in shown[1:]:
                echo(f"　　或：http://{other}:{port}/{suffix}")
            if token:
                echo("（不是本机地址：凭上面带令牌的完整地址访问，令牌只在本次运行有效）")
            echo("关闭本窗口或按 Ctrl+C 结束。")
            if not is_loopback(host) and hasattr(server, "channel_class"):  # one listening socket
                limit_per_client(server)
            if browser:
                open_browser(url, echo)
            try:
                server.run()
            finally:
                server.close()
                with contextlib.suppress(OSError):
                    (root / ADDRESS).unlink()
        finally:
            sock.close()  # the server closed it already, unless it never started
    finally:
        unlock(claim)
        claim.close()

"""serve under faults and abuse: an upload onto a full disk leaves nothing and answers in
Chinese; hundreds of idle connections do not deny the page; a NUL byte is a 400; the session
cookie expires after a working day; wrong tokens are slowed; off loopback the Host check
accepts the names the machine is reached by."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

import nianbao.serve as serve_module
from nianbao.serve import host_names
from nianbao.serve.app import MAX_TOKEN_FAILURES, SESSION_HOURS
from nianbao.serve.folder import INBOX
from test_serve import _server, client_of, post_files, returned


@pytest.fixture
def small_inbox(round_copy):
    """The round's 收件箱 on a tmpfs with room for almost nothing."""
    inbox = round_copy / INBOX
    shutil.rmtree(inbox)
    inbox.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(inbox)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("CI runs as root and must be able to mount a tmpfs")
        pytest.skip("needs root to mount a tmpfs")
    try:
        yield inbox
    finally:
        subprocess.run(["umount", "-l", str(inbox)], capture_output=True, check=False)


def test_an_upload_onto_a_full_disk_leaves_nothing_and_says_so(round_copy, small_inbox):
    before = sorted(p.name for p in small_inbox.iterdir())
    client = client_of(round_copy)
    status = {u["unit"]: u["status"] for u in client.get("/api/units").get_json()}
    body = returned(round_copy, 3)
    assert len(body) > 48 * 1024
    answer = post_files(client, [("研城街道.xlsx", body)])
    assert answer.status_code == 200
    row = answer.get_json()[0]
    assert "磁盘已满" in row["problem"] and "重新上传" in row["problem"], row
    assert sorted(p.name for p in small_inbox.iterdir()) == before  # no part, no half file
    assert {u["unit"]: u["status"] for u in client.get("/api/units").get_json()} == status


def test_a_nul_byte_anywhere_in_the_address_is_a_400(round_copy):
    client = client_of(round_copy)
    for url in ("/units/%00", "/files/%00", "/templates/a%00b", "/?status=%00"):
        answer = client.get(url)
        assert answer.status_code == 400, url
        assert "Traceback" not in answer.get_data(as_text=True)


def test_the_session_cookie_expires_after_a_working_day(round_copy):
    client = client_of(round_copy, token="secret-token")
    exchanged = client.get("/?token=secret-token")
    cookie = exchanged.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie
    expires = dt.datetime.strptime(cookie.split("Expires=")[1].split(";")[0],
                                   "%a, %d %b %Y %H:%M:%S GMT")
    hours = (expires - dt.datetime.utcnow()).total_seconds() / 3600
    assert SESSION_HOURS - 0.1 < hours <= SESSION_HOURS


def test_repeated_wrong_tokens_are_refused_for_a_while(round_copy):
    client = client_of(round_copy, token="secret-token")
    for _ in range(MAX_TOKEN_FAILURES):
        assert client.get("/?token=guess").status_code == 403
    assert client.get("/?token=guess").status_code == 429
    assert client.get("/?token=secret-token").status_code == 429  # guessing right is no way out
    other = client_of(round_copy, token="secret-token")
    assert other.get("/?token=secret-token").status_code == 302  # a new server: a fresh count


def test_listening_everywhere_answers_to_the_machines_names(monkeypatch):
    monkeypatch.setattr(serve_module, "local_addresses", lambda: ["192.0.2.7", "fe80::1", "pc-1"])
    names = host_names("0.0.0.0", 8765)
    assert {"192.0.2.7:8765", "[fe80::1]:8765", "pc-1:8765", "127.0.0.1:8765"} <= names
    assert "evil.example:8765" not in names
    assert host_names("192.0.2.7", 8765) == {"192.0.2.7:8765"}  # one address: only it


def test_the_addresses_to_open_are_printed_when_listening_everywhere(tmp_path, monkeypatch):
    class Idle:
        channel_class = object

        def accept(self):
            return None

        def run(self) -> None:
            pass

        def close(self) -> None:
            pass

    monkeypatch.setattr(serve_module, "local_addresses", lambda: ["192.0.2.7", "pc-1"])
    monkeypatch.setattr("waitress.server.create_server", lambda *a, **k: Idle())
    printed: list[str] = []
    serve_module.serve(tmp_path / "轮次", "0.0.0.0", 8765, echo=printed.append)
    text = "\n".join(printed)
    assert "http://192.0.2.7:8765/?token=" in text and "http://pc-1:8765/?token=" in text
    assert "0.0.0.0" not in text


def test_three_hundred_idle_connections_do_not_deny_the_page(round_copy):
    server, base = _server(round_copy)
    port = int(base.rsplit(":", 1)[1])
    idle = []
    try:
        for _ in range(300):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            idle.append(sock)
        for sock in idle[::3]:  # some of them slow: a request line that never ends
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        start = time.monotonic()
        with urllib.request.urlopen(f"{base}/api/units", timeout=30) as response:
            assert response.status == 200
        answered = time.monotonic() - start
        assert answered < 10, f"{answered:.1f} s with 300 idle connections"
    finally:
        for sock in idle:
            sock.close()
        server.close()


def test_one_address_cannot_take_every_connection(round_copy):
    """Off loopback each address holds at most PER_CLIENT connections; another address (here
    127.0.0.2, on the loopback range) is still answered."""
    import waitress.server

    from nianbao.serve import WAITRESS, limit_per_client
    from nianbao.serve.app import create_app

    app = create_app(round_copy)
    server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=4, **WAITRESS)
    limit_per_client(server, most=20)
    port = server.socket.getsockname()[1]
    import threading

    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    held = []
    try:
        for _ in range(40):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        refused = 0
        for sock in held:
            sock.settimeout(5)
            sock.sendall(b"GET /api/version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try:
                refused += sock.recv(64) == b""
            except (ConnectionResetError, BrokenPipeError):
                refused += 1
        assert refused == 20
        other = socket.socket()
        other.bind(("127.0.0.2", 0))
        other.settimeout(10)
        other.connect(("127.0.0.1", port))
        other.sendall(b"GET /api/version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert other.recv(64).startswith(b"HTTP/1.1 200")
        other.close()
    finally:
        for sock in held:
            sock.close()
        server.close()


# --- starting: ports, a second copy, a folder that cannot be written (#19) -------------------

def _serving(root, *args: str, env: dict | None = None) -> subprocess.Popen:
    import sys

    return subprocess.Popen([sys.executable, "-m", "nianbao", "serve", str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def _address(process: subprocess.Popen) -> str:
    line = process.stdout.readline()  # printed once the socket listens
    assert line.startswith("请在浏览器中打开："), line + process.stderr.read()
    return line.split("：", 1)[1].strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_taken_default_port_moves_on_and_an_asked_for_one_says_so(tmp_path, monkeypatch):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    monkeypatch.setattr(serve_module, "DEFAULT_PORT", port)
    try:
        sock = serve_module._bind("127.0.0.1", None)
        assert sock.getsockname()[1] not in (port, 0)
        sock.close()
        with pytest.raises(serve_module.OutputError, match=f"端口 {port} 已被其他程序占用"):
            serve_module._bind("127.0.0.1", port)
        monkeypatch.setattr(serve_module, "PORTS_TRIED", 1)
        with pytest.raises(serve_module.OutputError, match="都已被占用"):
            serve_module._bind("127.0.0.1", None)
    finally:
        taken.close()
    sock = serve_module._bind("127.0.0.1", port)  # free again: taken at once
    assert sock.getsockname()[1] == port
    sock.close()


def test_a_second_copy_on_the_same_round_opens_the_first_ones_page(tmp_path):
    root = tmp_path / "轮次 一"
    first = _serving(root, "--port", str(_free_port()))
    try:
        url = _address(first)
        with urllib.request.urlopen(url + "api/units", timeout=30) as response:
            assert response.status == 200
        log = tmp_path / "browser.txt"
        opener = tmp_path / "open.sh"
        opener.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\n', encoding="utf-8")
        opener.chmod(0o755)
        second = _serving(root, "--open", env={"BROWSER": f"{opener} %s"})
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        assert out.strip() == f"本轮次已经在另一个窗口中打开：{url}（已在浏览器中打开）"
        assert log.read_text(encoding="utf-8").strip() == url
        third = _serving(root)  # without --open: the same news as an error line, exit 3
        out, err = third.communicate(timeout=120)
        assert third.returncode == 3 and out == ""
        assert err.strip() == f"nianbao：{root} 已经在另一个窗口中打开：{url}。请使用那个页面，" \
                              "或先关闭那个窗口再打开"
    finally:
        first.kill()
        first.communicate()
    # the first copy is gone (killed, its lock released by the system): the folder is free
    again = _serving(root, "--port", str(_free_port()))
    try:
        assert _address(again)
    finally:
        again.kill()
        again.communicate()


def test_a_round_folder_that_cannot_be_written_is_one_line(tmp_path, monkeypatch):
    root = tmp_path / "只读"
    root.mkdir()

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(serve_module.Path, "write_bytes", refuse)
    with pytest.raises(serve_module.OutputError) as caught:
        serve_module.serve(root, "127.0.0.1", _free_port(), echo=lambda _: None)
    assert caught.value.message.startswith(f"无法使用轮次文件夹 {root}：权限不足。")
    assert "可以写入" in caught.value.message


def test_only_a_taken_port_is_called_taken():
    """A privileged port refused (EACCES on POSIX) is not "in use"; Windows's codes are."""
    import errno

    assert serve_module._in_use(OSError(errno.EADDRINUSE, "in use"))
    assert not serve_module._in_use(OSError(errno.EACCES, "permission denied"))
    assert serve_module._in_use(OSError(10048, "WSAEADDRINUSE"))
    assert serve_module._in_use(OSError(10013, "WSAEACCES"))

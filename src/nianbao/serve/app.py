"""The round in a browser: a Flask app over a round's folder, and the JSON API its pages use.

Every request is hostile until shown otherwise: the Host header must name this server (no DNS
rebinding), off loopback an access token (printed at start, exchanged once for a session
cookie, or sent as ``Authorization: Bearer``) is required, a state-changing request from a
browser must come from this origin and carry the session's CSRF token, uploads are bounded in
size and count, and a file name or URL never reaches a path outside the round's folder.
"""

from __future__ import annotations

import datetime as dt
import hmac
import io
import secrets
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from flask import (
    Flask,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..errors import OutputError
from ..outputs.formats import FORMATS
from ..round.results import FINDINGS, REPORTS, RETURNS, SUMMARY
from .folder import INBOX, RESULTS, ROSTER, STATUSES, RoundFolder, too_large

MAX_FILES = 200
#: A session cookie (after the token was shown once) lasts a working day.
SESSION_HOURS = 9
MAX_TOKEN_FAILURES, TOKEN_WINDOW = 10, 600.0
MAX_UPLOAD = 200 * 1024 * 1024
#: What may be downloaded from 结果/: the round's reports, returns, summary and findings.
DOWNLOADABLE = (f"{REPORTS}/", f"{RETURNS}/", SUMMARY, FINDINGS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
}


def create_app(root: Path, *, token: str | None = None,
               hosts: set[str] | None = None) -> Flask:
    """The app over ``root``. ``token``: required off loopback; ``hosts``: the Host header
    values this server answers to (None: any, for tests through the test client)."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=MAX_UPLOAD,
                      MAX_FORM_PARTS=MAX_FILES + 20, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict", JSON_AS_ASCII=False,
                      PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    folder = RoundFolder(root)
    app.extensions["nianbao.folder"] = folder

    failures = TokenFailures()

    @app.before_request
    def guard():
        if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
            abort(400, "地址无效")
        if hosts is not None and request.host not in hosts:
            abort(400, "主机名不符")
        if token is not None and not _authorised(token):
            client = request.remote_addr or ""
            if failures.blocked(client):
                abort(429, "访问令牌错误次数过多，请稍后再试")
            wanted = request.args.get("token", "")
            if wanted and hmac.compare_digest(wanted, token):
                session.permanent = True  # expires after a working day (SESSION_HOURS)
                session["auth"] = True
                args = {k: v for k, v in request.args.items() if k != "token"}
                return redirect(request.path + (f"?{urlencode(args)}" if args else ""))
            if wanted or request.headers.get("Authorization"):
                failures.add(client)
            abort(403, "需要访问令牌：请使用启动时显示的完整地址打开")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            _same_origin()
        if not request.path.startswith("/api/"):  # pages get a session; a script need not
            session.setdefault("csrf", secrets.token_urlsafe(24))
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.update(HEADERS)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = error.description or error.name
        if isinstance(error, RequestEntityTooLarge):
            message = (f"上传过大：一次最多 {MAX_UPLOAD // 1024 // 1024} MB、{MAX_FILES} 个文件，"
                       "请分几次上传")
        if request.path.startswith("/api/"):
            return jsonify({"error": message}), error.code
        return render_template("error.html", message=message, code=error.code), error.code

    @app.context_processor
    def common():
        return {"csrf": session.get("csrf", ""), "statuses": STATUSES, "folder": folder,
                "download_labels": [*((f.name, f.label) for f in FORMATS.values()),
                                    ("return", "退回件（.xlsx）")],
                "roster_name": ROSTER, "inbox_name": INBOX, "results_name": RESULTS}

    # ------------------------------------------------------------ pages
    @app.get("/")
    def overview():
        units = folder.units()
        roster = folder.roster()
        if not units and (roster is None or not roster.units):
            return render_template("setup.html", year=dt.date.today().year - 1,
                                   has_roster=folder.roster_path.exists(),
                                   roster_problem=folder.problem if roster is None else "")
        wanted = request.args.get("status", "")
        counts = {s: sum(1 for u in units if u["status"] == s) for s in STATUSES}
        shown = [u for u in units if not wanted or u["status"] == wanted]
        return render_template("overview.html", units=shown, counts=counts, wanted=wanted,
                               total=len(units), version=folder.version(),
                               problem=folder.problem, unreadable=folder.unreadable())

    @app.post("/roster")
    def create_roster():
        try:
            year = int(request.form.get("year", ""))
        except ValueError:
            abort(400, "年度应为四位数字")
        if not 2000 <= year <= 2100:
            abort(400, "年度应为四位数字")
        folder.create_roster(year)
        return redirect(url_for("overview"))

    @app.get("/roster.xlsx")
    def roster_file():
        if not folder.roster_path.is_file():
            abort(404, "还没有名单：请先在本轮概况页生成名单模板")
        return send_file(folder.roster_path, as_attachment=True, download_name=ROSTER)

    @app.post("/roster/upload")
    def roster_upload():
        upload = request.files.get("roster")
        data = upload.stream.read() if upload else b""
        if not data:
            abort(400, "没有收到名单文件")
        roster, problem, rows = folder.replace_roster(data)
        return render_template("roster.html", roster=roster, problem=problem, rows=rows)

    @app.get("/summary.xlsx")
    def summary_file():
        path = folder.result_file(SUMMARY, DOWNLOADABLE)
        if path is None:
            abort(404, "还没有汇总：收到第一份报送后自动生成")
        return send_file(path, as_attachment=True, download_name=SUMMARY)

    @app.get("/templates")
    def templates_page():
        roster = folder.roster()
        return render_template("templates.html", roster=roster)

    @app.get("/templates.zip")
    def templates_zip():
        try:
            data = folder.templates_zip()
        except LookupError:
            abort(404, "还没有名单，或名单中没有单位")
        return _download(data, "模板.zip", "application/zip")

    @app.get("/templates/<unit>.xlsx")
    def template_one(unit: str):
        try:
            name, data = folder.template_one(unit)
        except LookupError:
            abort(404, "名单中没有这个单位")
        return _download(data, name, XLSX)

    @app.get("/upload")
    def upload_page():
        return render_template("upload.html", answers=None)

    @app.post("/upload")
    def upload_form():  # without JavaScript: the same intake, answered as a page
        return render_template("upload.html", answers=_receive())

    @app.get("/units/<unit>")
    def unit_page(unit: str):
        detail = folder.unit(unit)
        if detail is None:
            abort(404, "没有这个单位")
        return render_template("unit.html", u=detail)

    @app.get("/files/<path:relative>")
    def result_file(relative: str):
        if "\x00" in relative or "\\" in relative:
            abort(400, "文件名无效")
        path = folder.result_file(relative, DOWNLOADABLE)
        if path is None:
            abort(404, "没有这个文件")
        return send_file(path, as_attachment=True, download_name=path.name)

    # ------------------------------------------------------------ the API
    @app.get("/api/units")
    def api_units():
        return jsonify([{k: u[k] for k in ("unit", "status", "errors", "warnings",
                                           "submissions", "latest")} for u in folder.units()])

    @app.get("/api/units/<unit>")
    def api_unit(unit: str):
        detail = folder.unit(unit)
        if detail is None:
            abort(404, "没有这个单位")
        downloads = {k: url_for("result_file", relative=v, _external=True)
                     for k, v in detail["downloads"].items()}
        return jsonify({"unit": detail["unit"], "status": detail["status"],
                        "result": detail["result"], "submissions": detail["submissions_list"],
                        "downloads": downloads, "notice": detail["notice"]})

    @app.post("/api/files")
    def api_files():
        return jsonify(_receive())

    @app.get("/api/version")
    def api_version():
        return jsonify({"version": folder.version()})

    @app.get("/api/summary.xlsx")
    def api_summary():
        path = folder.result_file(SUMMARY, DOWNLOADABLE)
        if path is None:
            abort(404, "还没有汇总（尚未收到任何文件）")
        return send_file(path, as_attachment=True, download_name=SUMMARY)

    def _receive() -> list[dict]:
        uploads = request.files.getlist("files")
        if not uploads:
            abort(400, "没有收到文件（表单字段应为 files）")
        if len(uploads) > MAX_FILES:
            abort(413)
        answers: list[dict | list[dict] | None] = []
        stored = []
        for upload in uploads:
            name = upload.filename or "未命名"
            data = upload.stream.read()
            if too_large(len(data)):
                answers.append({"file": name, "problem": "文件过大，不像年度报告，已拒收"})
                continue
            if not data:
                answers.append({"file": name, "problem": "文件是空的（0 字节），请重新选择"})
                continue
            try:
                stored.append((len(answers), folder.store(name, data)))
            except OutputError as exc:  # a full disk, a pulled USB stick: nothing was kept
                answers.append({"file": name, "problem": f"{exc.message}。未保存，请腾出空间后重新上传"})
                continue
            answers.append(None)
        if stored:
            folder.refresh()
        for index, item in stored:
            answers[index] = folder.outcomes(item)  # an archive: one answer per file in it
        flat: list[dict] = []
        for answer in answers:
            flat += answer if isinstance(answer, list) else [answer] if answer else []
        return flat

    return app


class TokenFailures:
    """Wrong tokens per client: after ``MAX_TOKEN_FAILURES`` within ``TOKEN_WINDOW`` seconds the
    client is refused (429) until the window has passed, so a token cannot be guessed."""

    def __init__(self) -> None:
        self.seen: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    def _recent(self, client: str, now: float) -> list[float]:
        times = [t for t in self.seen.get(client, []) if now - t < TOKEN_WINDOW]
        if times:
            self.seen[client] = times
        else:
            self.seen.pop(client, None)
        return times

    def blocked(self, client: str) -> bool:
        with self.lock:
            return len(self._recent(client, time.monotonic())) >= MAX_TOKEN_FAILURES

    def add(self, client: str) -> None:
        with self.lock:
            now = time.monotonic()
            self.seen[client] = [*self._recent(client, now), now]
            if len(self.seen) > 10_000:  # a flood of addresses does not grow memory without end
                self.seen.pop(next(iter(self.seen)))


def _authorised(token: str) -> bool:
    if session.get("auth"):
        return True
    header = request.headers.get("Authorization", "")
    return header.startswith("Bearer ") and hmac.compare_digest(header[7:], token)


def _same_origin() -> None:
    """A browser's state-changing request must come from this origin with the session's CSRF
    token; a script (no cookie, no Origin) is trusted as far as loopback or the token allow."""
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        abort(403, "拒绝来自其他网站的请求")
    if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        abort(403, "拒绝来自其他网站的请求")
    if request.cookies or origin is not None:
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            abort(403, "页面已过期，请刷新后重试")


def _download(data: bytes, name: str, mime: str):
    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True, download_name=name)

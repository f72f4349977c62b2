"""nianbao serve: the round in a browser — HTTP-level security and intake, and end to end in
headless Chromium (Debian's, driven by Selenium), with screenshots kept in test-artifacts/."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import make_zip, needs, with_figures
from nianbao.demo import prepare_round, sample
from nianbao.serve import WAITRESS, create_app, host_names, is_loopback
from nianbao.serve.folder import INBOX, RESULTS, ROSTER, RoundFolder
from nianbao.workbook import template
from nianbao.workbook.fill import fill_bytes
from nianbao.workbook.roster import read_roster
from test_html import chromium_driver

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "serve"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600


def returned(root: Path, index: int, saved=None, **figures) -> bytes:
    """The filled workbook of the roster's unit ``index`` (figures changed as given), saved
    at ``saved`` (default: the report's date)."""
    roster = read_roster(root / ROSTER)
    unit = roster.units[index]
    short = unit.name.removeprefix("井研县").removesuffix("人民政府")
    report = dataclasses.replace(with_figures(sample(), **figures), unit=unit.name,
                                 level=unit.level, title="", texts={
                                     k: v.replace("高凤镇", short) for k, v in sample().texts.items()})
    return fill_bytes(template.build_bytes(unit, roster.settings), report, saved=saved)


def client_of(root: Path, **options):
    app = create_app(root, **options)
    app.config["TESTING"] = True
    return app.test_client()


def multipart(files: list[tuple[str, bytes]], boundary: str = "----nianbao") -> tuple[bytes, str]:
    """A multipart body with one ``files`` part per file, as a browser or a script sends it."""
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
        for name, data in files) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post_files(client, files: list[tuple[str, bytes]], **headers):
    body, kind = multipart(files)
    return client.post("/api/files", data=body, content_type=kind, headers=headers)


# ---------------------------------------------------------------- the folder and the API


def test_a_fresh_folder_offers_the_roster_and_never_replaces_it(tmp_path):
    root = tmp_path / "新一轮"
    client = client_of(root)
    page = client.get("/").get_data(as_text=True)
    assert "生成名单模板" in page
    csrf = client.get_cookie("session") and _csrf(client)
    assert client.post("/roster", data={"year": "2024", "csrf": csrf}).status_code == 302
    first = (root / ROSTER).read_bytes()
    assert read_roster(root / ROSTER).settings.year == 2024
    client.post("/roster", data={"year": "2023", "csrf": csrf})
    assert (root / ROSTER).read_bytes() == first


def _csrf(client) -> str:
    page = client.get("/upload").get_data(as_text=True)
    return page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def test_units_list_every_roster_unit_with_its_status(round_copy):
    units = client_of(round_copy).get("/api/units").get_json()
    by = {u["unit"]: u for u in units}
    assert list(by) == [u.name for u in read_roster(round_copy / ROSTER).units]
    assert by["井研县高凤镇人民政府"]["status"] == "通过"
    assert by["井研县马踏镇人民政府"]["status"] == "有错误"
    assert by["井研县马踏镇人民政府"]["errors"] == 1
    assert by["井研县研城街道办事处"]["status"] == "未提交"
    assert set(units[0]) == {"unit", "status", "errors", "warnings", "submissions", "latest"}


def test_a_unit_has_its_findings_in_the_validate_schema_and_its_downloads(round_copy):
    client = client_of(round_copy)
    detail = client.get("/api/units/井研县马踏镇人民政府").get_json()
    assert set(detail["result"]) == {"file", "unit", "year", "ok", "findings"}
    assert [f["code"] for f in detail["result"]["findings"]] == ["REGULATION_NOT_ALLOWED"]
    assert detail["downloads"]["return"].endswith(".xlsx")
    assert detail["notice"].startswith("【井研县马踏镇人民政府】")
    with client.get(detail["downloads"]["return"].replace("http://localhost", "")) as download:
        assert download.status_code == 200 and download.data[:2] == b"PK"
    good = client.get("/api/units/井研县高凤镇人民政府").get_json()
    assert {"docx", "html"} <= set(good["downloads"])
    assert client.get("/api/units/不存在的单位").status_code == 404
    with client.get("/api/summary.xlsx") as summary:
        assert summary.data[:2] == b"PK"


def test_templates_for_the_whole_roster_in_one_zip(round_copy):
    client = client_of(round_copy)
    data = client.get("/templates.zip").data
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == [f"2024_{u.name}.xlsx" for u in read_roster(round_copy / ROSTER).units]
    one = client.get("/templates/井研县研城街道办事处.xlsx")
    assert one.status_code == 200 and "2024_" in one.headers["Content-Disposition"]


def test_uploads_are_stored_as_received_never_overwritten(round_copy):
    client = client_of(round_copy)
    body = returned(round_copy, 3)
    answers = post_files(client, [("研城街道.xlsx", body), ("研城街道.xlsx", body)]).get_json()
    assert answers[0] == {"file": "研城街道.xlsx", "unit": "井研县研城街道办事处", "status": "通过"}
    assert answers[1]["duplicate"] is True and answers[1]["file"] == "研城街道.xlsx"
    other = returned(round_copy, 3, T2_LICENSE=7)
    answers = post_files(client, [("研城街道.xlsx", other)]).get_json()
    assert answers[0]["file"] == "研城街道.xlsx" and answers[0]["stored"] == "研城街道 (2).xlsx"
    assert (round_copy / INBOX / "研城街道.xlsx").read_bytes() == body
    units = {u["unit"]: u for u in client.get("/api/units").get_json()}
    assert units["井研县研城街道办事处"]["submissions"] == 2


def test_hostile_and_broken_uploads_are_rows_not_crashes(round_copy):
    bomb = make_zip({"bomb.xlsx": b"\0" * (30 * 1024 * 1024)})
    answers = post_files(client_of(round_copy), [
        ("加密.xlsx", OLE), ("bomb.zip", bomb), ("坏.xlsx", b"PK\x03\x04junk"),
        ("空.xlsx", b""), ("网页.html", b"<html><body>hello</body></html>")]).get_json()
    assert [a["file"] for a in answers] == ["加密.xlsx", "bomb.zip/bomb.xlsx", "坏.xlsx", "空.xlsx",
                                            "网页.html"]  # an archive: one answer per file in it
    assert all("problem" in a and a["problem"] for a in answers), answers


def test_too_many_or_too_large_uploads_are_refused_with_a_message(round_copy):
    client = client_of(round_copy)
    client.application.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    big = post_files(client, [("大.xlsx", b"x" * (2 * 1024 * 1024))])
    assert big.status_code == 413 and "上传过大" in big.get_json()["error"]
    many = post_files(client_of(round_copy), [(f"{i}.xlsx", b"x") for i in range(201)])
    assert many.status_code == 413
    assert not any((round_copy / INBOX).glob("大*"))


def test_file_names_and_urls_never_leave_the_round_folder(round_copy, tmp_path):
    client = client_of(round_copy)
    answers = post_files(client, [("../../逃逸.xlsx", b"PK\x03\x04x"),
                                  ("..\\..\\逃逸2.xlsx", b"PK\x03\x04y")]).get_json()
    assert [a["file"] for a in answers] == ["逃逸.xlsx", "逃逸2.xlsx"]
    assert not list(tmp_path.glob("逃逸*")) and not list(round_copy.glob("逃逸*"))
    for url in ("/files/../名单.xlsx", "/files/reports/../../名单.xlsx",
                "/files/%2e%2e/%2e%2e/名单.xlsx", "/files/reports/%2e%2e/%2e%2e/名单.xlsx",
                "/files//etc/passwd", "/files/data/2024_井研县高凤镇人民政府.json",
                "/templates/..%2f名单.xlsx", "/units/..%2f..%2f名单.xlsx",
                "/files/reports/../round.json", "/files/reports/%2e%2e/round.json",
                "/files/退回/../data/2024_井研县高凤镇人民政府.json", "/files/reports/./../round.json"):
        assert client.get(url, follow_redirects=True).status_code in (400, 404), url
    (round_copy / RESULTS / "reports" / "链接.docx").symlink_to(round_copy / RESULTS / "round.json")
    assert client.get("/files/reports/链接.docx").status_code == 404  # not what it points at
    for url in ("/files/reports/%00.docx", "/files/reports/a%00/../../round.json",
                "/files/reports\\..\\round.json"):
        answer = client.get(url)
        assert answer.status_code == 400, url
        assert "Traceback" not in answer.get_data(as_text=True)
    allowed = client.get("/files/汇总.xlsx")
    assert allowed.status_code == 200
    allowed.close()


def test_off_loopback_a_token_is_required_and_exchanged_for_a_cookie(round_copy):
    client = client_of(round_copy, token="secret-token")
    assert client.get("/").status_code == 403
    assert client.get("/api/units").status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    exchanged = client.get("/?token=secret-token")
    assert exchanged.status_code == 302 and "token" not in exchanged.headers["Location"]
    assert client.get("/").status_code == 200  # the session cookie now
    script = client_of(round_copy, token="secret-token")
    assert script.get("/api/units", headers={"Authorization": "Bearer secret-token"}).status_code == 200
    assert script.get("/api/units", headers={"Authorization": "Bearer nope"}).status_code == 403


def test_only_this_servers_host_names_are_answered():
    assert host_names("127.0.0.1", 8765) == {"127.0.0.1:8765", "localhost:8765", "[::1]:8765"}
    assert is_loopback("::1") and is_loopback("localhost") and not is_loopback("0.0.0.0")


def test_host_header_of_another_site_is_refused(round_copy):
    client = client_of(round_copy, hosts=host_names("127.0.0.1", 8765))
    assert client.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example:8765"}).status_code == 400


def test_cross_site_posts_are_refused(round_copy):
    client = client_of(round_copy)
    body = [("x.xlsx", returned(round_copy, 3))]
    assert post_files(client, body, Origin="http://evil.example").status_code == 403
    assert post_files(client, body, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    client.get("/")  # a browser now: it has a session cookie
    assert post_files(client, body).status_code == 403  # without the page's CSRF token
    form = client.post("/roster", data={"year": "2030"})
    assert form.status_code == 403
    ok = post_files(client, body, **{"X-CSRF-Token": _csrf(client), "Origin": "http://localhost"})
    assert ok.status_code == 200, ok.get_data(as_text=True)
    assert not list((round_copy / INBOX).glob("x (*"))


def _server(root: Path):
    import socket

    import waitress.server

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    app = create_app(root, hosts=host_names("127.0.0.1", port))
    server = waitress.server.create_server(app, host="127.0.0.1", port=port, threads=8,
                                           **WAITRESS)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{port}"


def test_two_clients_uploading_50_files_at_once_lose_nothing(round_copy):
    import urllib.request

    roster = read_roster(round_copy / ROSTER)
    files = [(f"第{i}份.xlsx", returned(round_copy, i % len(roster.units), T2_LICENSE=100 + i))
             for i in range(50)]
    server, base = _server(round_copy)
    results: list = [None, None]

    def upload(slot: int, batch_files) -> None:
        body, kind = multipart(batch_files, f"----nianbao{slot}")
        request = urllib.request.Request(f"{base}/api/files", data=body, method="POST",
                                         headers={"Content-Type": kind})
        with urllib.request.urlopen(request, timeout=300) as response:
            results[slot] = json.loads(response.read())

    try:
        threads = [threading.Thread(target=upload, args=(k, files[k::2])) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        with urllib.request.urlopen(f"{base}/api/units", timeout=60) as response:
            units = json.loads(response.read())
    finally:
        server.close()
    answers = results[0] + results[1]
    assert len(answers) == 50 and all("status" in a for a in answers), answers
    assert {a["file"] for a in answers} == {name for name, _ in files}
    stored = {p.name for p in (round_copy / INBOX).iterdir()}
    assert {name for name, _ in files} <= stored
    demo_submissions = 3  # the demo round's two returns and 千佛镇's broken file (named for it)
    assert sum(u["submissions"] for u in units) == 50 + demo_submissions


# ---------------------------------------------------------------- end to end in Chromium


@pytest.mark.office
def test_a_clerk_runs_the_round_in_chromium(tmp_path):
    """Create a round, download templates, upload a mixed set, watch 状态 change, open a unit,
    download its report and 退回件; screenshots in test-artifacts/serve/."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    needs("chromium")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "2024年报"
    server, base = _server(root)
    downloads = tmp_path / "下载"
    downloads.mkdir()
    driver = chromium_driver(1366, 768)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow",
                                                        "downloadPath": str(downloads)})
    # the page replaces its table when the round changes: a row read mid-refresh is retried
    wait = WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,))
    try:
        # a fresh folder: the roster is offered, then filled (as the clerk does in WPS)
        driver.get(base + "/")
        driver.save_screenshot(str(ARTIFACTS / "1-新一轮.png"))
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait.until(lambda d: d.find_elements(By.ID, "roster-download"))
        driver.find_element(By.ID, "roster-download").click()
        wait.until(lambda d: (downloads / ROSTER).exists()
                   and not list(downloads.glob("*.crdownload")))
        prepare = tmp_path / "演示"
        prepare_round(prepare)
        filled = openpyxl.load_workbook(downloads / ROSTER)
        demo = openpyxl.load_workbook(prepare / ROSTER)
        for sheet, first in (("单位", 2), ("设置", 2)):  # typed in as the clerk would in WPS
            for row in demo[sheet].iter_rows(min_row=first, max_col=2 if sheet == "设置" else 5):
                for cell in row:
                    filled[sheet][cell.coordinate] = cell.value
        filled.save(tmp_path / "填好的名单.xlsx")
        driver.find_element(By.ID, "roster").send_keys(str(tmp_path / "填好的名单.xlsx"))
        driver.find_element(By.CSS_SELECTOR, "#roster-form button[type=submit]").click()
        wait.until(lambda d: "名单已保存" in d.find_element(By.TAG_NAME, "main").text)
        assert "4 个单位" in driver.find_element(By.ID, "roster-saved").text
        driver.save_screenshot(str(ARTIFACTS / "1b-名单已上传.png"))
        driver.get(base + "/templates")
        driver.find_element(By.LINK_TEXT, "下载全部模板（.zip）").click()
        wait.until(lambda d: (downloads / "模板.zip").exists())
        assert len(zipfile.ZipFile(downloads / "模板.zip").namelist()) == 4
        driver.save_screenshot(str(ARTIFACTS / "2-下发模板.png"))

        # upload a mixed set: valid, with 错误, broken, duplicate, a zip
        files = tmp_path / "报回"
        files.mkdir()
        good = returned(root, 0)
        (files / "高凤镇.xlsx").write_bytes(good)
        (files / "高凤镇-再发一次.xlsx").write_bytes(good)
        (files / "马踏镇.xlsx").write_bytes(returned(root, 1, T2_REG_INFORCE=3))
        (files / "千佛镇.xlsx").write_bytes(b"PK\x03\x04 broken")
        (files / "研城街道.zip").write_bytes(make_zip({"研城街道.xlsx": returned(root, 3)}))
        driver.get(base + "/upload")
        driver.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in sorted(files.iterdir())))
        driver.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
        wait.until(lambda d: "完成" in d.find_element(By.ID, "phase").text)
        driver.save_screenshot(str(ARTIFACTS / "3-接收报送.png"))
        rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.text
                for r in driver.find_elements(By.CSS_SELECTOR, "#answers tbody tr")}
        # files go in name order: 高凤镇-再发一次 is stored first, 高凤镇 is the same content
        assert "通过" in rows["高凤镇-再发一次.xlsx"] and "内容相同" in rows["高凤镇.xlsx"]
        assert "有错误" in rows["马踏镇.xlsx"] and "无法读取" in rows["千佛镇.xlsx"]
        assert "井研县研城街道办事处" in rows["研城街道.zip/研城街道.xlsx"]  # a row per file inside

        # the overview shows the new 状态, and follows a later upload without a refresh
        driver.get(base + "/")
        status = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")[1].text
                  for r in driver.find_elements(By.CSS_SELECTOR, "#units tbody tr")}
        assert status["井研县高凤镇人民政府"] == "通过" and status["井研县马踏镇人民政府"] == "有错误"
        assert status["井研县千佛镇人民政府"] == "无法读取"  # it sent a file: told, not asked for
        folder = RoundFolder(root)
        folder.store("马踏镇-改.xlsx", returned(root, 1, saved=dt.datetime(2025, 1, 20, 9, 30)))
        folder.refresh()
        wait.until(lambda d: "已更正" in d.find_element(By.ID, "units").text)
        driver.save_screenshot(str(ARTIFACTS / "4-本轮概况.png"))
        driver.find_element(By.LINK_TEXT, "有错误").click()
        assert "井研县马踏镇人民政府" not in driver.find_element(By.ID, "units").text

        # a unit: findings, downloads, the 通知 with its copy button
        folder.store("千佛镇-正确.xlsx", returned(root, 2, T2_REG_INFORCE=1))
        folder.refresh()
        driver.get(base + "/")
        driver.find_element(By.LINK_TEXT, "井研县千佛镇人民政府").click()
        page = driver.find_element(By.TAG_NAME, "main").text
        assert "REGULATION_NOT_ALLOWED" in page and "表二!D5" in page
        driver.find_element(By.CSS_SELECTOR, "button.copy").click()
        wait.until(lambda d: d.find_element(By.ID, "copied").text == "已复制")
        driver.save_screenshot(str(ARTIFACTS / "5-单位详情.png"))
        driver.find_element(By.LINK_TEXT, "退回件（.xlsx）").click()
        wait.until(lambda d: (downloads / "2024_井研县千佛镇人民政府.xlsx").exists())
        driver.get(base + "/units/井研县高凤镇人民政府")
        driver.find_element(By.LINK_TEXT, "报告（Word）").click()
        wait.until(lambda d: (downloads / "2024_井研县高凤镇人民政府.docx").exists())
        time.sleep(0.5)
        assert (downloads / "2024_井研县高凤镇人民政府.docx").read_bytes()[:2] == b"PK"
    finally:
        driver.quit()
        server.close()


@pytest.mark.office
def test_the_pages_have_no_accessibility_violations(round_copy, judges):
    axe = (Path(__file__).resolve().parents[1] / ".ci" / "web" / "node_modules" / "axe-core"
           / "axe.min.js")
    server, base = _server(round_copy)
    driver = chromium_driver(1366, 768)
    try:
        for path in ("/", "/templates", "/upload", "/units/井研县马踏镇人民政府"):
            driver.get(base + path)
            driver.execute_script(axe.read_text(encoding="utf-8"))
            violations = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})"
                ".then(r => done(r.violations.map(v => [v.id, v.nodes.length])));")
            assert violations == [], (path, violations)
    finally:
        driver.quit()
        server.close()

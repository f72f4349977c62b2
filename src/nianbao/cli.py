"""The command line: parse options, call one library function, report, map to exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from . import __version__, spec
from .errors import FileProblem, NianbaoError, OutputError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FILE, EXIT_INTERNAL = 0, 1, 2, 3, 4

#: The one place where what nianbao raises becomes an exit code (most specific class first).
EXIT_CODES: tuple[tuple[type[NianbaoError], int], ...] = ((NianbaoError, EXIT_FILE),)


def exit_code_of(error: NianbaoError) -> int:
    return next(code for kind, code in EXIT_CODES if isinstance(error, kind))


def _progress(enabled: bool, label: str) -> Callable[[int], Callable[[], None]] | None:
    if not enabled or not sys.stderr.isatty():
        return None

    def start(total: int) -> Callable[[], None]:
        bar = click.progressbar(length=total, label=label, file=sys.stderr)
        bar.__enter__()
        state = {"n": 0}

        def tick() -> None:
            state["n"] += 1
            bar.update(1)
            if state["n"] >= total:
                bar.__exit__(None, None, None)
        return tick
    return start


def _chinese_help(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = "显示帮助并退出。"
    return option


class _Command(click.Command):
    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _chinese_help(super().get_help_option(ctx))

    def invoke(self, ctx: click.Context):
        """A :class:`NianbaoError` is one line on stderr and its exit code, never a traceback."""
        try:
            return super().invoke(ctx)
        except NianbaoError as exc:
            click.echo(f"nianbao：{exc.message}", err=True)
            ctx.exit(exit_code_of(exc))


class _Group(click.Group):
    command_class = _Command

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _chinese_help(super().get_help_option(ctx))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="nianbao",
                      message="%(prog)s %(version)s（格式 " + spec.FORMAT_ID + "）",
                      help="显示版本并退出。")
def cli() -> None:
    """nianbao：政府信息公开工作年度报告的填报模板、校验、成文和批量汇总。

    \b
    退出码：0 无错误；1 有错误或有单位未提交；2 用法错误；3 文件无法处理；4 内部错误。
    """


# ---------------------------------------------------------------- template


@cli.command("template")
@click.option("--year", type=click.IntRange(2000, 2100), help="报告年度，如 2024。")
@click.option("--unit", help="机关全称，如 井研县高凤镇人民政府。")
@click.option("--parent", default="", help="上级，如 井研县。")
@click.option("--level", type=click.Choice(spec.LEVELS), default="其他", show_default=True,
              help="层级。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出的 .xlsx 文件。")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="名单 .xlsx：为其中每个单位各生成一个模板。")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="与 --roster 一起使用：输出文件夹。")
@click.option("--password", default=None, help="工作表保护密码（默认无密码）。")
@click.option("--website", default="", help="政府网站名称与网址（单个模板时）。")
@click.option("--deadline", default=None, help="报送截止日期，如 2025-01-31（单个模板时）。")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="与 --roster 一起使用：并行进程数（默认 CPU 核数）。")
def template_cmd(year, unit, parent, level, output, roster, out_dir, password, website, deadline,
                 jobs):
    """生成锁定的填报模板（单个单位，或按名单批量生成）。"""
    from .model.unit import Settings, Unit
    from .workbook import template

    if roster:
        if not out_dir:
            raise click.UsageError("使用 --roster 时须用 --out 指定输出文件夹")
        from .round.batch import default_jobs

        return _templates_from_roster(roster, out_dir, password, jobs or default_jobs())
    if not (year and unit and output):
        raise click.UsageError("请提供 --year、--unit 和 -o，或使用 --roster 和 --out")
    settings = Settings(year, _date_option(deadline, "--deadline"), website=website)
    template.write_template(output, Unit(unit, parent, level), settings, password)
    click.echo(f"已生成模板：{output}")


def _date_option(text: str | None, name: str):
    if not text:
        return None
    from .model.values import OK, parse_date

    date, status = parse_date(text)
    if status != OK:
        raise click.BadParameter(f"“{text}”不是日期，请按 2025-01-31 填写", param_hint=name)
    return date


def _templates_from_roster(path: Path, out_dir: Path, password: str | None, jobs: int) -> None:
    from .workbook import template
    from .workbook.roster import read_roster

    roster = read_roster(path)
    for note in roster.notes:
        click.echo(f"提示：{note}", err=True)
    for error in roster.errors:
        click.echo(f"错误：{error}", err=True)
    start = _progress(True, "生成模板")
    tick = start(len(roster.units)) if start else None
    template.write_many(list(roster.units), roster.settings, out_dir, password=password, jobs=jobs,
                        tick=tick)
    click.echo(f"已生成 {len(roster.units)} 个模板：{out_dir}")
    skipped = roster.skipped_rows
    if skipped:
        click.echo(f"名单中有 {skipped} 行未生成模板，原因见上。", err=True)
    if roster.errors:
        sys.exit(EXIT_FINDINGS)


@cli.command("roster-template")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出的名单 .xlsx。")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="预填的年度。")
def roster_template_cmd(output, year):
    """生成空白名单（设置 + 单位），填好后用于 template --roster 和 batch --roster。"""
    from .outfile import write_atomic
    from .workbook.roster import roster_template_bytes

    write_atomic(output, roster_template_bytes(year))
    click.echo(f"已生成名单模板：{output}")


# ---------------------------------------------------------------- validate


def format_text(results) -> str:
    lines = []
    for res in results:
        if res.problem:
            lines.append(f"无法读取 {res.file}：{res.problem}")
            continue
        verdict = "通过" if res.ok and not res.findings else ("通过（有提示）" if res.ok else "不通过")
        lines.append(f"{res.file}（{res.unit} {res.year} 年度）：{verdict}，"
                     f"错误 {res.errors} 条，提示 {res.warnings} 条")
        for f in res.findings:
            label = "提示（已说明）" if f.explained else spec.SEVERITY_LABEL[f.severity]
            note = f" 说明：{f.explained}" if f.explained else ""
            lines.append(f"  {label} [{f.code}] {f.message}{note}")
    return "\n".join(lines)


@cli.command("validate")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--previous", type=click.Path(exists=True, path_type=Path),
              help="上年度的工作簿、JSON 或已发布的报告（PDF/网页/Word），或放有它们的文件夹，"
                   "用于跨年度衔接检查。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式。")
@click.option("--strict", is_flag=True, help="有任何提示也以退出码 1 结束。")
def validate_cmd(files, previous, fmt, strict):
    """校验报回的工作簿（或报告 JSON），逐条列出问题。"""
    from .api import check_file

    last = _previous(previous)
    results = [check_file(path, last)[1] for path in files]
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(results))
    if any(r.problem for r in results):
        sys.exit(EXIT_FILE)
    if any(r.errors or (strict and r.findings) for r in results):
        sys.exit(EXIT_FINDINGS)


def _previous(previous: Path | None):
    """What --previous names: last year's report, or (a folder) a lookup of the unit's."""
    from .api import read_previous

    if previous is not None and previous.is_dir():
        from .round.batch import load_previous, previous_for

        found = load_previous(previous)
        return lambda report: previous_for(report, found)
    return read_previous(previous) if previous else None


# ---------------------------------------------------------------- render


def _fonts(pairs: tuple[str, ...]):
    if not pairs:
        return None
    from .outputs.docstyle import Fonts

    try:
        return Fonts.from_options(dict(p.split("=", 1) for p in pairs))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--font") from exc


def _formats(text: str, name: str = "--format") -> tuple[str, ...]:
    from .outputs.formats import parse_formats

    try:
        return parse_formats(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from exc


def _render_formats(fmt: str | None, pdf: bool, output: Path) -> tuple[str, ...]:
    """The formats to write: as given, else the one the output's suffix names (报告.pdf → a
    PDF), else docx; an output whose suffix names another format than the first is refused."""
    from .outputs.formats import FORMATS, by_suffix, with_companions

    suffixed = by_suffix(output)
    formats = _formats(fmt) if fmt else with_companions((suffixed or "docx",))
    if pdf and "pdf" not in formats:
        formats += ("pdf",)
    if suffixed is not None and suffixed != formats[0]:
        raise click.BadParameter(
            f"输出文件 {output.name} 的扩展名是 {output.suffix}，而第一种格式是 {formats[0]}"
            f"（{FORMATS[formats[0]].suffix}）：请改用 -o 报告{FORMATS[formats[0]].suffix}，"
            f"或去掉 --format", param_hint="-o")
    return formats


@cli.command("render")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件（多种格式时，其余格式放在旁边，扩展名各自不同）。")
@click.option("--format", "fmt", default=None, metavar="docx,html,pdf,tujie",
              help="输出格式，可多选，逗号分隔（默认按 -o 的扩展名，否则 docx）；tujie 为图解（SVG 和 PNG）。")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF（同 --format 加 pdf）。")
@click.option("--fragment", is_flag=True, help="HTML 只输出正文部分（内联样式），供粘贴到网站编辑器。")
@click.option("--draft", is_flag=True, help="有错误也生成，每页页眉标注“草稿（未通过校验）”。")
@click.option("--reference-docx", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="自定义样式文档（字体、字号、版头）。")
@click.option("--font", "fonts", multiple=True, metavar="项=字体",
              help="替换字体，如 --font body=仿宋 --font heading2=楷体。")
@click.option("--previous", type=click.Path(exists=True, path_type=Path),
              help="上年度的报告（工作簿、JSON、已发布的报告）或放有它们的文件夹：跨年度衔接检查，"
                   "图解中各主要数字旁标出上年数。")
def render_cmd(source, output, fmt, pdf, fragment, draft, reference_docx, fonts, previous):
    """校验后生成年度报告：GB/T 9704 版式的 .docx、网站用的 HTML、PDF，以及图解。"""
    from .api import check_file
    from .errors import FileProblem
    from .outputs.formats import FORMATS, Options, write

    formats = _render_formats(fmt, pdf, output)
    last = _previous(previous)
    read, result = check_file(source, last)
    if read is None:
        raise FileProblem(result.problem_code, f"无法读取 {source}：{result.problem}")
    if result.errors and not draft:
        click.echo(format_text([result]), err=True)
        click.echo("有错误，未生成报告；修改后重试，或加 --draft 生成草稿。", err=True)
        sys.exit(EXIT_FINDINGS)
    reference = reference_docx.read_bytes() if reference_docx else None
    before = last(read.report) if callable(last) else last
    options = Options(draft=bool(result.errors), fragment=fragment, reference=reference,
                      fonts=_fonts(fonts), previous=before)
    if "pdf" in formats:
        _say_font_substitutions(options)
    for name, path in write(read.report, output, formats, options).items():
        click.echo(f"已生成{FORMATS[name].label}：{path}")


def _say_font_substitutions(options) -> None:
    """Once per command: which statutory fonts the PDF replaces, and with what."""
    from .outputs.formats import pdf_substitutions

    changes = pdf_substitutions(options)
    if changes:
        click.echo("PDF 字体：本机未安装规定字体，改用同类字体：" + "；".join(changes) + "。"
                   "正式印发前请在装有规定字体的电脑上用 Word 版核对。", err=True)


# ---------------------------------------------------------------- batch and demo


@cli.command("batch")
@click.argument("inbox", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹。")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="名单 .xlsx，用于列出未提交的单位。")
@click.option("--previous", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="上年度的 data/ 文件夹或工作簿文件夹。")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="并行进程数（默认 CPU 核数）。")
@click.option("--draft", is_flag=True, help="有错误的单位也生成草稿报告。")
@click.option("--formats", default="docx", show_default=True, metavar="docx,html,pdf",
              help="报告格式，可多选，逗号分隔（html 为网站发布用的网页，pdf 需要 LibreOffice）。")
@click.option("--return-warnings", is_flag=True, help="只有提示的单位也生成退回件。")
@click.option("--since", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="上一次 batch 的输出文件夹：与当时的结果比较哪些问题已改、哪些是新的。")
def batch_cmd(inbox, out_dir, roster, previous, jobs, draft, formats, return_warnings, since):
    """一次处理收到的全部文件（文件夹或 .zip）：校验、成文、汇总。"""
    from .round import batch
    from .workbook.roster import read_roster

    campaign = read_roster(roster) if roster else None
    chosen = _formats(formats, "--formats")
    if "pdf" in chosen:
        from .outputs.formats import Options

        _say_font_substitutions(Options())
    result = batch.run(inbox, out_dir, roster=campaign, previous=previous,
                       jobs=jobs or batch.default_jobs(), draft=draft,
                       formats=chosen,
                       return_warnings=return_warnings, since=since,
                       progress=_progress(True, "处理中"))
    from .round.results import SUMMARY, UNIT_STATES

    counts = {state: sum(1 for row in result.rows if row.status == state) for state in UNIT_STATES}
    shown = "，".join(f"{k} {v}" for k, v in counts.items() if v)
    click.echo(f"共 {len(result.files)} 个文件，{len(result.rows)} 个单位：{shown or '无'}")
    stray = [o.file for o in result.files if not o.unit]
    if stray:
        click.echo(f"另有 {len(stray)} 个文件无法读取，也看不出是哪个单位的："
                   + "、".join(stray[:5]) + ("……" if len(stray) > 5 else ""))
    refused = [o.file for o in result.files if o.result.problem_code == "TOO_MANY_FILES"]
    if refused:
        from .round.inbox import MAX_INBOX_FILES

        click.echo(f"收件箱中的文件超过 {MAX_INBOX_FILES:,} 个：{len(refused)} 个未处理（在汇总和 "
                   "findings.json 中逐个列出），请把收件箱分成几批分别运行 batch")
    click.echo(f"汇总：{out_dir / SUMMARY}")
    sys.exit(result.exit_code)


@cli.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out_dir", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="写入 {年度}_{单位}.json 的文件夹。")
@click.option("--unit", default="", help="机关全称（默认从标题读取）。")
@click.option("--year", type=int, default=None, help="报告年度（默认从标题读取）。")
@click.option("--level", type=click.Choice(spec.LEVELS), default=None,
              help="层级（默认从机关名称推断）。")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="并行读取的进程数。")
def import_cmd(files, out_dir, unit, year, level, jobs):
    """读取已发布的年度报告（PDF、网页、Word），写成报告 JSON，并注明每个数字印在哪里。"""
    from .api import import_many
    from .outfile import unit_stem, write_text_atomic
    from .published.export import to_json

    failed = False
    written: dict[Path, Path] = {}  # target → the file it was imported from, in this run
    for path, parsed in zip(files, import_many(files, unit=unit, year=year, level=level or "",
                                               jobs=jobs), strict=True):
        if isinstance(parsed, FileProblem):
            click.echo(f"无法导入 {path}：{parsed.message}", err=True)
            failed = True
            continue
        report = parsed.report
        target = out_dir / f"{unit_stem(report.year, report.unit)}.json"
        if target in written:
            click.echo(f"无法导入 {path}：与 {written[target]} 是同一单位（{report.unit}）同一年度"
                       f"（{report.year}）的报告，{target} 已由后者写入；请只导入其中一份", err=True)
            failed = True
            continue
        written[target] = path
        write_text_atomic(target, to_json(parsed))
        note = "" if level or parsed.level_inferred else "（层级无法从名称判断，记为“其他”，可用 --level 指定）"
        click.echo(f"{path} → {target}：{report.unit} {report.year} 年度，{report.level}{note}，"
                   f"{len(report.figures)} 个数字")
    if failed:
        sys.exit(EXIT_FILE)


@cli.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("nianbao-demo"), show_default=True, help="输出文件夹。")
@click.option("--round", "round_dir", type=click.Path(file_okay=False, path_type=Path),
              help="改为准备一个演示轮次文件夹（名单、收件箱、结果），供 nianbao serve 打开。")
def demo_cmd(out_dir, round_dir):
    """用内置的高凤镇 2024 年报告演示全流程：模板 → 填报 → 批量校验、成文、汇总。"""
    from .demo import prepare_round, run_demo

    if round_dir is not None:
        prepare_round(round_dir)
        click.echo(f"演示轮次：{round_dir}（用 nianbao serve {round_dir} 打开）")
        return
    paths = run_demo(out_dir)
    for label, path in paths.items():
        click.echo(f"{label}：{path}")


@cli.command("serve")
@click.argument("round_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；不是本机地址时需凭启动时显示的令牌访问。")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="端口；不指定时用 8765，被占用时依次换用后面空闲的端口。")
@click.option("--open", "browser", is_flag=True,
              help="启动后在默认浏览器中打开页面；本轮次已在另一个窗口中打开时，直接打开那个页面。")
def serve_cmd(round_dir, host, port, browser):
    """在浏览器中处理一轮收集：名单、下发模板、接收报送、查看状态和问题、下载汇总。"""
    from .serve import AlreadyServing, open_browser, serve

    try:
        serve(round_dir, host, port, echo=click.echo, browser=browser)
    except AlreadyServing as exc:
        if not (browser and exc.address):
            raise
        click.echo(f"本轮次已经在另一个窗口中打开：{exc.address}（已在浏览器中打开）")
        open_browser(exc.address, click.echo)
    except OSError as exc:
        raise OutputError(f"无法在 {host} 上启动网页：{exc.strerror or exc}") from exc


@cli.command("build-assets")
@click.option("--check", is_flag=True, help="只检查已提交的文件是否为当前代码生成的内容。")
def build_assets_cmd(check):
    """（维护者）重新生成 workbook_templates/ 中的空白母版和内置样式文档。"""
    from .assets import build_assets

    stale = build_assets(check=check)
    for path in stale:
        click.echo(("过期：" if check else "已更新：") + str(path))
    if check and stale:
        sys.exit(EXIT_FINDINGS)


#: click's own messages (English) as a clerk reads them; what is not here is shown as it is.
_CLICK_WORDS = (
    (r"^(?:Path|File|Directory) '(.+)' does not exist\.$", r"“\1”不存在，请检查路径"),
    (r"^File '(.+)' is a directory\.$", r"“\1”是文件夹，这里要的是文件"),
    (r"^Directory '(.+)' is a file\.$", r"“\1”是文件，这里要的是文件夹"),
    (r"^(?:Path|File|Directory) '(.+)' is not readable\.$", r"“\1”无法读取（权限不足）"),
    (r"^'(.*)' is not one of (.+)\.$", r"“\1”不是可选的值，可选：\2"),
    (r"^'(.*)' is not a valid integer(?: range)?\.$", r"“\1”不是整数"),
    (r"^(.+) is not in the range (.+)\.$", r"\1 不在允许的范围 \2 内"),
    (r"^Got unexpected extra arguments? \((.+)\)$", r"多余的参数：\1"),
    (r"^No such command '(.+)'\.$", r"没有命令“\1”"),
    (r"^Option '(.+)' requires an argument\.$", r"选项 \1 后面要有一个值"),
    (r"^Option '(.+)' does not take a value\.$", r"选项 \1 后面不能跟值"),
)


def usage_message(exc: click.UsageError) -> str:
    """A usage error in Chinese, with the command's own help hint (click's are English)."""
    import re

    def hint(param: click.Parameter | None) -> str:
        return param.get_error_hint(exc.ctx).replace("'", "") if param and exc.ctx else "参数"

    if isinstance(exc, click.MissingParameter):
        what = "参数" if exc.param is not None and exc.param.param_type_name == "argument" \
            else "选项"
        text = f"缺少{what} {hint(exc.param)}"
    elif isinstance(exc, click.NoSuchOption):
        text = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            text += f"，是否想用 {'、'.join(sorted(exc.possibilities))}"
    else:
        text = exc.message
        for pattern, chinese in _CLICK_WORDS:
            text = re.sub(pattern, chinese, text)
        text = text.replace("', '", "、").replace("'", "")
        if isinstance(exc, click.BadParameter) and exc.param is not None:
            text = f"{hint(exc.param)} 无效：{text}"
    command = exc.ctx.command_path if exc.ctx else "nianbao"
    if command == "nianbao":  # an error raised before the command's context was made
        named = next((a for a in sys.argv[1:] if a in cli.commands), None)  # type: ignore[attr-defined]
        command = f"nianbao {named}" if named else command
    return f"nianbao：用法错误：{text}。\n查看帮助：{command} -h"


def _console() -> None:
    """Chinese on any console: a GBK (cp936) console or a redirect into a file keeps its
    encoding, and a character it cannot show (an emoji in a file name) becomes '?' instead of
    ending the run in UnicodeEncodeError. An encoding with no Chinese at all (a redirect on a
    Western Windows, cp1252) would make every line '?': such a stream writes UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            "中文".encode(stream.encoding or "ascii")
            chinese = True
        except (UnicodeEncodeError, LookupError):
            chinese = False
        try:
            if chinese:
                reconfigure(errors="replace")
            else:
                reconfigure(encoding="utf-8", errors="replace")
        except (ValueError, OSError):  # a stream that cannot be reconfigured is left as is
            pass


def main() -> None:
    """Entry point: no traceback ever reaches a user."""
    _console()
    try:
        # Outside standalone mode click *returns* the code of ctx.exit(code) instead of
        # exiting with it: dropping that value is how a failed write once exited 0.
        code = cli.main(prog_name="nianbao", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已中断。", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        click.echo(usage_message(exc), err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except NianbaoError as exc:  # raised outside a command (none today): same line, same code
        click.echo(f"nianbao：{exc.message}", err=True)
        sys.exit(exit_code_of(exc))
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: one line, documented code
        click.echo(f"nianbao：内部错误（{type(exc).__name__}: {exc}），请将此信息反馈给维护者。",
                   err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)

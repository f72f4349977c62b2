"""What cannot be processed: one exception base, and the catalogue of file problems as data.

Findings are data and never raised; an exception means a file could not be read, a setting
could not be used or an output could not be written. Each carries one Chinese line for the user.
The command line maps these classes to exit codes in one place (``cli.EXIT_CODES``).
"""

from __future__ import annotations

#: code → what the user is told (and what to do). Codes are stable and never reused.
FILE_PROBLEMS = {
    "LOCK_FILE": "这是 Excel/WPS 打开文件时留下的临时锁文件（~$ 开头），不是报表，请忽略",
    "EMPTY": "文件是空的（0 字节），请重新发送",
    "TOO_LARGE": "文件过大，不像填报模板，请检查后重新保存为 .xlsx",
    "ENCRYPTED": "文件设置了打开密码，请取消密码后重新保存为 .xlsx",
    "LEGACY_XLS": "这是旧版 .xls/.et 格式，请在 WPS 或 Excel 中“另存为” .xlsx 后重新发送",
    "OLE_OTHER": "文件为加密或不支持的格式，请取消加密后另存为 .xlsx",
    "ODS": "这是 .ods 格式，请另存为 .xlsx 后重新发送",
    "MACRO": "文件含宏（.xlsm），请另存为不含宏的 .xlsx 后重新发送",
    "TRUNCATED": "文件不完整或已损坏（可能没有下载完），请重新发送",
    "NOT_EXCEL": "不是有效的 Excel 文件，请用县里下发的模板填写并保存为 .xlsx",
    "STRICT": "这是“Strict Open XML”格式，请另存为普通的“Excel 工作簿 (*.xlsx)”后重新发送",
    "BOMB": "文件内部数据异常膨胀（疑似压缩炸弹），已拒绝读取",
    "UNSAFE_XML": "文件含有不安全的 XML 内容（实体或 DTD），已拒绝读取",
    "TOO_MANY_ROWS": "工作表行数异常（超过 5000 行），不像填报模板，请使用原模板填写",
    "CORRUPT": "文件内容已损坏，无法解析，请重新保存为 .xlsx",
    "NOT_NIANBAO": "不是 nianbao 生成的填报模板，请使用县里下发的模板填写",
    "FORMAT_UNKNOWN": "模板格式未知或版本比本程序新，请升级 nianbao 或使用本年度下发的模板",
    "JSON_INVALID": "不是 nianbao 报告 JSON 文件",
    "UNREADABLE": "文件无法打开",
    "TOO_MANY_FILES": "收件箱中的文件超过 5,000 个，此文件未处理：请把收件箱分成几批，分别运行 batch",
    "NESTED_TOO_DEEP": "压缩包里的压缩包嵌套超过两层，请解压后直接发送其中的 .xlsx",
    "NOT_A_REPORT": "不是政府信息公开工作年度报告（找不到年报的部分标题和三张表），请确认文件",
    "NOT_PUBLISHED": "不是 PDF、网页或 Word 文件，不能作为已发布的报告导入",
    "NO_FIGURES": "报告的表格中没有任何数字（空白表格），不能当作全为 0 读取，请使用已填写的报告",
    "NO_TEXT_LAYER": "PDF 没有文字层（扫描件或图片），无法读取数字，请找可复制文字的 PDF、网页或 Word 版本",
    "TABLE_AS_IMAGE": "报告的表格是图片，无法读取数字，请找表格为文字的版本（网页、Word 或可复制文字的 PDF）",
    "YEAR_UNKNOWN": "无法从标题和正文判断报告年度，请用 --year 指定",
    "UNIT_UNKNOWN": "无法从标题判断机关名称，请用 --unit 指定",
    "PDF_ENCRYPTED": "PDF 设置了打开密码，请取消密码后重试",
    "PDF_CORRUPT": "PDF 已损坏，无法打开，请重新下载",
    "TOO_MANY_PAGES": "PDF 页数异常（超过 300 页），不像年度报告",
    "PUBLISHED_TOO_LARGE": "文件过大，不像一份年度报告，请检查文件",
    "ENCODING_BROKEN": "网页的文字编码已损坏（既不是 UTF-8 也不是 GBK），请重新保存网页",
    "HTML_CORRUPT": "网页无法解析，请重新保存网页",
    "TIMEOUT": "读取用时过长（文件可能被构造得异常复杂），已放弃",
    "MEMORY": "读取占用内存过多（文件可能被构造得异常庞大），已放弃",
    "NUMBER_INVALID": "文件中有办公软件写不出的数字（过长或超出范围），文件可能已损坏或被篡改，请用原模板重新填写保存",
    "TOO_COMPLEX": "文件结构异常复杂（表格格子或公式过多），不像一份年度报告或填报模板，已拒绝读取",
    "INTERNAL": "处理此文件时程序出错（已跳过，其他文件照常处理），请将此文件反馈给维护者",
}


class NianbaoError(Exception):
    """Base of everything nianbao raises on purpose; ``message`` is one Chinese line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FileProblem(NianbaoError):
    """An input file that cannot be processed; ``code`` is a key of :data:`FILE_PROBLEMS`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self):  # crosses process boundaries (import --jobs) intact
        return (FileProblem, (self.code, self.message))


def problem(code: str, detail: str = "") -> FileProblem:
    """The catalogued problem ``code``, with an optional detail in brackets."""
    return FileProblem(code, FILE_PROBLEMS[code] + (f"（{detail}）" if detail else ""))


class ReportFormatError(NianbaoError):
    """A JSON document that is not a report in nianbao's JSON form."""


class RosterError(NianbaoError):
    """A roster (名单) that cannot be used."""


class OutputError(NianbaoError):
    """An output file could not be written."""


class TemplateError(NianbaoError):
    """xlsxwriter refused part of the template (it reports by return code, not exception)."""


class StyleError(NianbaoError):
    """A reference .docx or font option that cannot be used for rendering."""


class ConversionError(NianbaoError):
    """LibreOffice could not convert a document (PDF, recalculation)."""

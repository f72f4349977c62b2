"""The national report format (国办公开办函〔2021〕30号) as data: parts, tables, codes, labels, rules."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from .expr import Condition, Equal, Filled, InRange, NoPlaceholder, Numbers, Ref, Sum, ZeroUnless

FORMAT_ID = "gov-2021"
FORMAT_TITLE = "中华人民共和国政府信息公开工作年度报告格式（国办公开办函〔2021〕30号）"

ERROR = "error"
WARNING = "warning"
SEVERITY_LABEL = {ERROR: "错误", WARNING: "提示"}

COUNT = "count"
AMOUNT = "amount"
AMOUNT_PLACES = 6


@dataclass(frozen=True)
class Label:
    """A printed cell of a statutory table, 0-based position in the table's grid, with its span."""

    text: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1
    note: bool = False


@dataclass(frozen=True)
class Figure:
    """A number cell of a statutory table."""

    code: str
    row: int
    col: int
    row_name: str
    col_name: str
    short: str
    kind: str = COUNT
    cols: int = 1
    computed: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    name: str
    title: str
    n_rows: int
    n_cols: int
    labels: tuple[Label, ...]
    figures: tuple[Figure, ...]
    header_rows: int
    col_weights: tuple[float, ...]


@dataclass(frozen=True)
class TextField:
    """An identity or narrative field; ``part`` and ``heading`` place it in the report."""

    code: str
    label: str
    guidance: str = ""
    part: str = ""
    heading: str = ""
    editable: bool = True


# ---------------------------------------------------------------- 表二
_T2_LABELS = (
    Label("第二十条第（一）项", 0, 0, cols=4),
    Label("信息内容", 1, 0), Label("本年制发件数", 1, 1), Label("本年废止件数", 1, 2),
    Label("现行有效件数", 1, 3),
    Label("规章", 2, 0), Label("行政规范性文件", 3, 0),
    Label("第二十条第（五）项", 4, 0, cols=4),
    Label("信息内容", 5, 0), Label("本年处理决定数量", 5, 1, cols=3),
    Label("行政许可", 6, 0),
    Label("第二十条第（六）项", 7, 0, cols=4),
    Label("信息内容", 8, 0), Label("本年处理决定数量", 8, 1, cols=3),
    Label("行政处罚", 9, 0), Label("行政强制", 10, 0),
    Label("第二十条第（八）项", 11, 0, cols=4),
    Label("信息内容", 12, 0), Label("本年收费金额（单位：万元）", 12, 1, cols=3),
    Label("行政事业性收费", 13, 0),
)


def _t2_figures() -> tuple[Figure, ...]:
    figures = []
    for row, key, name in ((2, "REG", "规章"), (3, "NORM", "行政规范性文件")):
        for col, ckey, cname in ((1, "ISSUED", "本年制发件数"), (2, "REPEALED", "本年废止件数"),
                                 (3, "INFORCE", "现行有效件数")):
            figures.append(Figure(f"T2_{key}_{ckey}", row, col, name, cname, f"{name}{cname}"))
    for row, code, name in ((6, "T2_LICENSE", "行政许可"), (9, "T2_PENALTY", "行政处罚"),
                            (10, "T2_COERCION", "行政强制")):
        figures.append(Figure(code, row, 1, name, "本年处理决定数量", name, cols=3))
    figures.append(Figure("T2_FEES", 13, 1, "行政事业性收费", "本年收费金额（单位：万元）",
                          "行政事业性收费金额", kind=AMOUNT, cols=3))
    return tuple(figures)


T2 = Table("T2", "表二", "二、主动公开政府信息情况", 14, 4, _T2_LABELS, _t2_figures(),
           header_rows=0, col_weights=(1.6, 1.0, 1.0, 1.0))

# ---------------------------------------------------------------- 表三
T3_COLUMNS = (
    ("NATURAL", "自然人"), ("COMMERCIAL", "商业企业"), ("RESEARCH", "科研机构"),
    ("NONPROFIT", "社会公益组织"), ("LEGAL", "法律服务机构"), ("OTHER", "其他"), ("TOTAL", "总计"),
)
T3_APPLICANTS = T3_COLUMNS[:-1]

#: (row key, group label or None, item label); the order of the printed table.
_T3_ROWS = (
    ("NEW", None, "一、本年新收政府信息公开申请数量"),
    ("CARRIED_IN", None, "二、上年结转政府信息公开申请数量"),
    ("GRANTED", None, "（一）予以公开"),
    ("PARTIAL", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    *((f"DENIED_{i}", "（三）不予公开", text) for i, text in enumerate((
        "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
        "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
        "7.属于行政执法案卷", "8.属于行政查询事项"), start=1)),
    *((f"UNABLE_{i}", "（四）无法提供", text) for i, text in enumerate((
        "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
        "3.补正后申请内容仍不明确"), start=1)),
    *((f"DECLINED_{i}", "（五）不予处理", text) for i, text in enumerate((
        "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
        "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"), start=1)),
    *((f"MISC_{i}", "（六）其他处理", text) for i, text in enumerate((
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "3.其他"), start=1)),
    ("TOTAL", None, "（七）总计"),
    ("CARRIED_FORWARD", None, "四、结转下年度继续办理"),
)
T3_RESULT_ROWS = tuple(key for key, _, _ in _T3_ROWS[2:-2])
#: The group labels of 表三's result rows: （三）不予公开 … （六）其他处理.
T3_GROUPS = tuple(dict.fromkeys(group for _, group, _ in _T3_ROWS if group))
#: Each group's row keys, in order (（三）不予公开 → DENIED_1 … DENIED_8).
T3_GROUP_ROWS = {g: tuple(k for k, group, _ in _T3_ROWS if group == g) for g in T3_GROUPS}
#: The words a printed row of 表三 is found by, any one (printed labels are wrapped, spaced,
#: renumbered and shortened: 不予公开 rows lose their group, 危及“三安全一稳定” its quotes).
#: Each word is in the row's own label or is how reports print it (合计 for 总计).
T3_PRINTED_WORDS = {
    "NEW": ("新收",), "CARRIED_IN": ("上年结转",), "GRANTED": ("予以公开",),
    "PARTIAL": ("部分公开",), "DENIED_1": ("国家秘密",), "DENIED_2": ("禁止公开", "其他法律行政"),
    "DENIED_3": ("三安全一稳定", "危及"), "DENIED_4": ("第三方",), "DENIED_5": ("内部事务",),
    "DENIED_6": ("过程性",), "DENIED_7": ("执法案卷",), "DENIED_8": ("行政查询",),
    "UNABLE_1": ("不掌握",), "UNABLE_2": ("另行制作", "没有现成"),
    "UNABLE_3": ("仍不明确", "补正后申请"), "DECLINED_1": ("信访", "举报投诉"),
    "DECLINED_2": ("重复申请",), "DECLINED_3": ("出版物",), "DECLINED_4": ("大量反复",),
    "DECLINED_5": ("重新出具", "行政机关确认"), "MISC_1": ("理由逾期", "不补正"),
    "MISC_2": ("收费通知", "缴纳费用", "逾期未按"), "MISC_3": ("其他",),
    "TOTAL": ("总计", "合计"), "CARRIED_FORWARD": ("结转下年", "下年度继续"),
}
T3_RESULTS_LABEL = "三、本年度办理结果"
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_T3_SHORT = {"NEW": "本年新收", "CARRIED_IN": "上年结转", "TOTAL": "（七）总计",
             "CARRIED_FORWARD": "结转下年度"}
_T3_FIRST_ROW = 3


def _t3_labels() -> tuple[Label, ...]:
    labels = [
        Label(T3_NOTE, 0, 0, rows=3, cols=3, note=True),
        Label("申请人情况", 0, 3, cols=7),
        Label("自然人", 1, 3, rows=2),
        Label("法人或其他组织", 1, 4, cols=5),
        Label("总计", 1, 9, rows=2),
        *(Label(name, 2, 4 + i) for i, (_, name) in enumerate(T3_APPLICANTS[1:])),
        Label(T3_RESULTS_LABEL, _T3_FIRST_ROW + 2, 0, rows=len(T3_RESULT_ROWS) + 1),
    ]
    seen_groups: set[str] = set()
    for i, (key, group, text) in enumerate(_T3_ROWS):
        row = _T3_FIRST_ROW + i
        if key in ("NEW", "CARRIED_IN", "CARRIED_FORWARD"):
            labels.append(Label(text, row, 0, cols=3))
        elif group is None:
            labels.append(Label(text, row, 1, cols=2))
        else:
            if group not in seen_groups:
                seen_groups.add(group)
                size = sum(1 for _, g, _ in _T3_ROWS if g == group)
                labels.append(Label(group, row, 1, rows=size))
            labels.append(Label(text, row, 2))
    return tuple(labels)


def _t3_row_name(group: str | None, text: str) -> str:
    return f"{group} {text}" if group else text


def _t3_figures() -> tuple[Figure, ...]:
    figures = []
    for i, (key, group, text) in enumerate(_T3_ROWS):
        for j, (ckey, cname) in enumerate(T3_COLUMNS):
            row_short = _T3_SHORT.get(key, _t3_row_name(group, text))
            figures.append(Figure(
                f"T3_{key}_{ckey}", _T3_FIRST_ROW + i, 3 + j, _t3_row_name(group, text), cname,
                row_short, computed=(key == "TOTAL" or ckey == "TOTAL")))
    return tuple(figures)


T3 = Table("T3", "表三", "三、收到和处理政府信息公开申请情况", 3 + len(_T3_ROWS), 10,
           _t3_labels(), _t3_figures(), header_rows=3,
           col_weights=(0.9, 1.5, 4.6, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0))

# ---------------------------------------------------------------- 表四
T4_GROUPS = (
    ("REVIEW", "行政复议"),
    ("SUIT_DIRECT", "行政诉讼·未经复议直接起诉"),
    ("SUIT_AFTER_REVIEW", "行政诉讼·复议后起诉"),
)
T4_COLUMNS = (("UPHELD", "结果维持"), ("CORRECTED", "结果纠正"), ("OTHER", "其他结果"),
              ("PENDING", "尚未审结"), ("TOTAL", "总计"))


def _t4_labels() -> tuple[Label, ...]:
    names = [name for _, name in T4_COLUMNS]
    return (
        Label("行政复议", 0, 0, cols=5),
        Label("行政诉讼", 0, 5, cols=10),
        *(Label(name, 1, i, rows=2) for i, name in enumerate(names)),
        Label("未经复议直接起诉", 1, 5, cols=5),
        Label("复议后起诉", 1, 10, cols=5),
        *(Label(name, 2, 5 + i) for i, name in enumerate(names)),
        *(Label(name, 2, 10 + i) for i, name in enumerate(names)),
    )


def _t4_figures() -> tuple[Figure, ...]:
    return tuple(
        Figure(f"T4_{gkey}_{ckey}", 3, 5 * g + c, gname, cname, f"{gname}{cname}",
               computed=(ckey == "TOTAL"))
        for g, (gkey, gname) in enumerate(T4_GROUPS)
        for c, (ckey, cname) in enumerate(T4_COLUMNS)
    )


T4 = Table("T4", "表四", "四、政府信息公开行政复议、行政诉讼情况", 4, 15, _t4_labels(),
           _t4_figures(), header_rows=3, col_weights=(1.0,) * 15)

TABLES = (T2, T3, T4)

#: Where a label may break across lines, as the national table breaks it (商业/企业): a
#: renderer breaks a label only here, and makes its column wide enough for the longest piece.
LABEL_BREAKS = {
    "商业企业": "商业\n企业", "科研机构": "科研\n机构", "社会公益组织": "社会\n公益\n组织",
    "法律服务机构": "法律\n服务\n机构", T3_RESULTS_LABEL: "三、\n本年度\n办理\n结果",
    "（三）不予公开": "（三）\n不予公开", "（四）无法提供": "（四）\n无法提供",
    "（五）不予处理": "（五）\n不予处理", "（六）其他处理": "（六）\n其他处理",
    "结果维持": "结果\n维持", "结果纠正": "结果\n纠正", "其他结果": "其他\n结果",
    "尚未审结": "尚未\n审结",
}

#: The words a printed row of 表二 is found by (row key → words, any one; the codes of its
#: figures in order).
T2_PRINTED_ROWS = (
    ("REG", ("规章",), ("T2_REG_ISSUED", "T2_REG_REPEALED", "T2_REG_INFORCE")),
    ("NORM", ("规范性文件",), ("T2_NORM_ISSUED", "T2_NORM_REPEALED", "T2_NORM_INFORCE")),
    ("LICENSE", ("行政许可",), ("T2_LICENSE",)),
    ("PENALTY", ("行政处罚",), ("T2_PENALTY",)),
    ("COERCION", ("行政强制",), ("T2_COERCION",)),
    ("FEES", (next(f.row_name for f in T2.figures if f.code == "T2_FEES"), "收费"), ("T2_FEES",)),
)

# ---------------------------------------------------------------- the superseded 2019 form
#: 国办公开办函〔2019〕60号《格式（试行）》, still printed by some organs after 2021.
FORMAT_2019_ID = "gov-2019"
#: The first report year the 2021 format (国办公开办函〔2021〕30号) applies to.
FORMAT_2021_FROM = 2021
#: Header words only the 2019 table 二 has.
T2_2019_HEADERS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减",
                   "本年增减", "政府集中采购", "其他对外管理服务事项", "采购总金额")
#: The 2019 table 二's rows (a word of the label, another way it is printed) and the code of
#: each of its columns in the 2021 model: only 处理决定数量 has one; None: no place.
T2_2019_ROWS = (
    (("规章",), (None, None, None)),
    (("规范性文件",), (None, None, None)),
    (("行政许可",), (None, None, "T2_LICENSE")),
    (("其他对外管理服务事项", "对外管理服务"), (None, None, None)),
    (("行政处罚",), (None, None, "T2_PENALTY")),
    (("行政强制",), (None, None, "T2_COERCION")),
    ((next(f.row_name for f in T2.figures if f.code == "T2_FEES"), "收费"), (None, None)),
    (("政府集中采购", "集中采购"), (None, None)),
)

# ---------------------------------------------------------------- identity and text
LEVELS = ("乡镇", "街道", "县级政府", "县级部门", "市级政府", "市级部门", "省级政府", "省级部门",
          "国务院部门", "其他")

#: 立法法 第九十一条、第九十三条: who may make 规章. error: must be 0; warning: usually 0.
REGULATION_POLICY = {
    "乡镇": ERROR, "街道": ERROR, "县级政府": ERROR, "县级部门": ERROR,
    "市级部门": WARNING, "省级部门": WARNING, "其他": WARNING,
}

#: 万元 above which a 收费金额 was probably typed in 元 (a township collecting 1,000 万元 a year is
#: implausible; 县级部门 real reports print up to ~7,545).
FEE_PLAUSIBLE_MAX = {
    "乡镇": 1_000, "街道": 1_000, "县级部门": 100_000, "县级政府": 500_000, "市级部门": 500_000,
    "市级政府": 2_000_000, "省级部门": 2_000_000, "省级政府": 10_000_000,
    "国务院部门": 10_000_000, "其他": 2_000_000,
}

META_FIELDS = (
    TextField("META_UNIT", "机关全称", editable=False),
    TextField("META_PARENT", "上级", editable=False),
    TextField("META_LEVEL", "层级", editable=False),
    TextField("META_YEAR", "年度", editable=False),
    TextField("META_DATE", "成文日期", "填写本报告的成文日期，如 2025-01-09。"),
    TextField("META_TITLE", "标题", "报告标题，可按本单位惯例修改。"),
)

PART_ONE = "一、总体情况"
PART_PROBLEMS = "五、存在的主要问题及改进情况"
PART_OTHER = "六、其他需要报告的事项"

TEXT_FIELDS = (
    TextField("TEXT_PREAMBLE", "导语", "简述编制依据、报告结构、统计期限等；可沿用预填内容。"),
    TextField("TEXT_PROACTIVE", "（一）主动公开", "主动公开信息的数量、重点领域、公开渠道等。",
              PART_ONE, "（一）主动公开"),
    TextField("TEXT_ON_REQUEST", "（二）依申请公开",
              "收到和办理申请的数量、办理情况；数字须与表三一致。", PART_ONE, "（二）依申请公开"),
    TextField("TEXT_MANAGEMENT", "（三）政府信息管理", "信息发布审核、保密审查、动态调整等。",
              PART_ONE, "（三）政府信息管理"),
    TextField("TEXT_PLATFORM", "（四）政府信息公开平台建设", "政府网站、政务新媒体、公开专栏建设等。",
              PART_ONE, "（四）政府信息公开平台建设"),
    TextField("TEXT_OVERSIGHT", "（五）监督保障",
              "组织领导、培训、考核；各级人民政府还须写明工作考核、社会评议和责任追究结果情况。",
              PART_ONE, "（五）监督保障"),
    TextField("TEXT_PROBLEMS", PART_PROBLEMS, "本年度存在的主要问题、上年度问题的改进情况及下一步措施。",
              PART_PROBLEMS),
    TextField("TEXT_OTHER", PART_OTHER,
              "须写明信息处理费收取情况（未收取也应写明），以及其他需要报告的事项。", PART_OTHER),
)
NARRATIVE_CODES = tuple(f.code for f in TEXT_FIELDS if f.part)


@dataclass(frozen=True)
class Part:
    heading: str
    table: Table | None = None


PARTS = (
    Part(PART_ONE), Part(T2.title, T2), Part(T3.title, T3), Part(T4.title, T4),
    Part(PART_PROBLEMS), Part(PART_OTHER),
)

# ---------------------------------------------------------------- rules


#: The kinds of input a rule applies to (``Rule.kinds``).
WORKBOOK, PUBLISHED = "workbook", "published"


@dataclass(frozen=True)
class Rule:
    """A declared rule: stable code, severity, what it checks, how to fix it, where it comes from."""

    code: str
    severity: str
    title: str
    fix: str
    source: str
    table: str = ""
    checks: tuple[Check, ...] = field(default=())
    #: Its checks only drive the workbook's panel; Python's findings come from reading the file.
    panel_only: bool = False
    #: The kinds of input it can find something in: a nianbao workbook, a published report.
    kinds: frozenset[str] = frozenset({WORKBOOK, PUBLISHED})


@dataclass(frozen=True)
class Check:
    """One instance of a declared rule: a condition at one row, column or field."""

    rule_code: str
    table: Table | None
    row: str
    column: str
    condition: Condition
    prefix: str
    defines: str | None = None


def _figure(code: str) -> Figure:
    return FIGURES[code]


def _ref(code: str, name: str | None = None) -> Ref:
    return Ref(code, name or _figure(code).short)


def _t3_balance(ckey: str, cname: str) -> Check:
    left = Sum((_ref(f"T3_NEW_{ckey}"), _ref(f"T3_CARRIED_IN_{ckey}")))
    right = Sum((_ref(f"T3_TOTAL_{ckey}"), _ref(f"T3_CARRIED_FORWARD_{ckey}")))
    return Check("T3_BALANCE", T3, "", cname, Equal(left, right), f"表三 {cname}列")


def _t3_result_total(ckey: str, cname: str) -> Check:
    terms = tuple(_ref(f"T3_{r}_{ckey}") for r in T3_RESULT_ROWS)
    return Check("T3_RESULT_TOTAL", T3, "（七）总计", cname,
                 Equal(_ref(f"T3_TOTAL_{ckey}"), Sum(terms, "（一）至（六）各项之和")),
                 f"表三 {cname}列", defines=f"T3_TOTAL_{ckey}")


def _t3_applicant_total(rkey: str, row_name: str) -> Check:
    terms = tuple(_ref(f"T3_{rkey}_{c}", name) for c, name in T3_APPLICANTS)
    return Check("T3_APPLICANT_TOTAL", T3, row_name, "总计",
                 Equal(_ref(f"T3_{rkey}_TOTAL", "总计"), Sum(terms, "六类申请人之和")),
                 f"表三 “{row_name}”行", defines=None if rkey == "TOTAL" else f"T3_{rkey}_TOTAL")


def _t4_group_total(gkey: str, gname: str) -> Check:
    terms = tuple(_ref(f"T4_{gkey}_{c}", name) for c, name in T4_COLUMNS[:-1])
    return Check("T4_GROUP_TOTAL", T4, gname, "总计",
                 Equal(_ref(f"T4_{gkey}_TOTAL", "总计"), Sum(terms)), f"表四 {gname}",
                 defines=f"T4_{gkey}_TOTAL")


def _row_checks(table: Table, kinds: tuple[str, ...], rule_code: str,
                condition: Callable[[tuple[Ref, ...]], Condition]) -> tuple[Check, ...]:
    """One check per printed row of a table's input figures of the given kinds."""
    rows: dict[int, list[Figure]] = {}
    for fig in table.figures:
        if fig.kind in kinds and not fig.computed:
            rows.setdefault(fig.row, []).append(fig)
    checks = []
    for figs in rows.values():
        names = {f.row_name for f in figs}
        row_name = figs[0].row_name if len(names) == 1 else ""
        prefix = f"{table.name} “{row_name}”行" if row_name else table.name
        refs = tuple(_ref(f.code) for f in figs)
        checks.append(Check(rule_code, table, row_name, "", condition(refs), prefix))
    return tuple(checks)


def _range_checks(table: Table, kind: str, rule_code: str) -> tuple[Check, ...]:
    places = AMOUNT_PLACES if kind == AMOUNT else 0
    return _row_checks(table, (kind,), rule_code, lambda refs: InRange(refs, places))


FIGURES: dict[str, Figure] = {f.code: f for t in TABLES for f in t.figures}
FIGURE_TABLE: dict[str, Table] = {f.code: t for t in TABLES for f in t.figures}
INPUT_CODES = tuple(code for code, f in FIGURES.items() if not f.computed)

def _text_checks(rule_code: str, condition: Callable[[str, str], Condition]) -> tuple[Check, ...]:
    return tuple(Check(rule_code, None, "", "", condition(f.code, f.label), f.label)
                 for f in TEXT_FIELDS)


_REGULATION = tuple(_ref(f"T2_REG_{k}") for k in ("ISSUED", "REPEALED", "INFORCE"))
_NOT_RULE_MAKERS = tuple(level for level, severity in REGULATION_POLICY.items() if severity == ERROR)

#: Rules declared as conditions: Python evaluates them, and the template writes each check as a
#: line of its 校验 panel, the highlight of its cells and (for ``defines``) a total's formula.
DECLARED_RULES = (
    Rule("T3_BALANCE", ERROR, "表三 每列：第一项 + 第二项 = 第三项（七）总计 + 第四项",
         "请逐项核对该列的新收、结转和办理结果数字。", "表三表头注（本列数据的勾稽关系）", "表三",
         tuple(_t3_balance(k, n) for k, n in T3_COLUMNS)),
    Rule("T3_RESULT_TOTAL", ERROR, "表三 每列：（七）总计 = （一）至（六）各项之和",
         "（七）总计由公式计算，请勿改动；请核对各项办理结果。", "表三（七）总计", "表三",
         tuple(_t3_result_total(k, n) for k, n in T3_COLUMNS)),
    Rule("T3_APPLICANT_TOTAL", ERROR, "表三 每行：总计 = 六类申请人之和",
         "总计列由公式计算，请勿改动；请核对该行各申请人数字。", "表三 总计列", "表三",
         tuple(_t3_applicant_total(rkey, _figure(f"T3_{rkey}_TOTAL").row_name)
               for rkey, _, _ in _T3_ROWS)),
    Rule("T4_GROUP_TOTAL", ERROR, "表四 每组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
         "总计由公式计算，请勿改动；请核对该组各项数字。", "表四 总计列", "表四",
         tuple(_t4_group_total(k, n) for k, n in T4_GROUPS)),
    Rule("COUNT_RANGE", ERROR, "件数为不小于 0 的整数",
         "请填写不小于 0 的整数（没有发生的填 0）。", "表二、表三、表四 件数", "",
         tuple(c for t in TABLES for c in _range_checks(t, COUNT, "COUNT_RANGE"))),
    Rule("FEE_RANGE", ERROR, "收费金额为不小于 0 的数，单位万元，最多 6 位小数",
         "请以万元为单位填写，最多保留 6 位小数（即精确到分）。", "表二 第二十条第（八）项", "表二",
         _range_checks(T2, AMOUNT, "FEE_RANGE")),
    Rule("VALUE_NOT_NUMBER", ERROR, "数字单元格中填了非数字内容",
         "请只填写阿拉伯数字（没有发生的填 0），不要加单位或文字。", "单元格取值", "",
         tuple(c for t in TABLES for c in _row_checks(t, (COUNT, AMOUNT), "VALUE_NOT_NUMBER",
                                                      Numbers)), panel_only=True),
    Rule("REGULATION_NOT_ALLOWED", ERROR, "本级机关无权制定规章，规章数字应为 0",
         "乡镇、街道、县级政府及其部门不能制定规章；内部规章制度不计入此处。",
         "立法法第九十一条、第九十三条", "表二",
         (Check("REGULATION_NOT_ALLOWED", T2, "规章", "", ZeroUnless("META_LEVEL", _NOT_RULE_MAKERS,
                                                                 _REGULATION), "表二 “规章”行"),)),
    Rule("TEXT_EMPTY", ERROR, "正文部分为空", "请填写该部分内容。", "年度报告格式 报告内容", "",
         _text_checks("TEXT_EMPTY", Filled)),
    Rule("TEXT_PLACEHOLDER", ERROR, "正文含有占位符", "请将占位符替换为实际内容。",
         "年度报告格式 报告内容", "", _text_checks("TEXT_PLACEHOLDER", NoPlaceholder)),
)

CHECKS: tuple[Check, ...] = tuple(c for r in DECLARED_RULES for c in r.checks)
#: computed code → the sum that defines it (from the rules marked ``defines``).
COMPUTED: dict[str, Sum] = {
    c.defines: c.condition.right  # type: ignore[misc]
    for c in CHECKS if c.defines and isinstance(c.condition, Equal)
    and isinstance(c.condition.right, Sum)
}


def _other(code: str, severity: str, title: str, fix: str, source: str, table: str = "",
           kinds: tuple[str, ...] = (WORKBOOK, PUBLISHED)) -> Rule:
    return Rule(code, severity, title, fix, source, table, kinds=frozenset(kinds))


#: Rules checked in Python only (identity, values, domain, text, dates, cross-year, files).
OTHER_RULES = (
    _other("TEMPLATE_OUTDATED", WARNING, "模板版本较旧", "可继续使用；下次请使用新版模板。",
           "模板元数据", kinds=(WORKBOOK,)),
    _other("META_MISSING", ERROR, "单位、年度或层级缺失", "请使用为本单位生成的模板。",
           "基本信息", kinds=(WORKBOOK,)),
    _other("TEMPLATE_ALTERED", ERROR, "模板已被修改", "请勿改动锁定的标签和公式；请在原模板中重新填报。",
           "模板指纹", kinds=(WORKBOOK,)),
    _other("EXTRA_SHEET", WARNING, "工作簿中添加了模板以外的工作表",
           "县里只读取模板自带的工作表；需要说明的情况请写入正文。", "模板结构", kinds=(WORKBOOK,)),
    _other("CACHED_MISMATCH", WARNING, "文件中保存的计算结果与重新计算不一致",
           "以重新计算的数字为准；请在办公软件中打开、重新计算后保存。", "公式缓存值", kinds=(WORKBOOK,)),
    _other("VALUE_NORMALISED", WARNING, "数字单元格中有全角数字、千位分隔符或空格",
           "已按数字读取；请改为直接填写数字。", "单元格取值"),
    _other("INPUT_FORMULA", WARNING, "填报单元格中是公式而不是数值或文字",
           "县里不执行填报单元格中的公式，只读取其计算结果；请直接填写数字或文字。", "单元格取值", kinds=(WORKBOOK,)),
    _other("VALUE_BLANK", WARNING, "数字单元格为空", "已按 0 处理；没有发生的请填 0。", "单元格取值"),
    _other("REGULATION_UNUSUAL", WARNING, "部门一般不制定规章",
           "规章由本级人民政府制定；部门起草的规章请确认是否应由政府报告。",
           "立法法第九十一条、第九十三条", "表二"),
    _other("FEE_IMPLAUSIBLE", WARNING, "收费金额异常偏大", "单位为万元，请确认是否误按元填写。",
           "表二 第二十条第（八）项", "表二"),
    _other("FEE_NOT_STATED", WARNING, "未说明信息处理费收取情况",
           "请在“六、其他需要报告的事项”中写明是否收取信息处理费（未收取也应写明）。",
           "政府信息公开信息处理费管理办法（国办函〔2020〕109号）"),
    _other("TEXT_OTHER_UNIT", WARNING, "正文写的是名单中的另一个单位",
           "请确认使用的是本单位的模板；如果填错了模板，请在本单位的模板中重新填写。",
           "名单与正文"),
    _other("TEXT_FIGURE_MISMATCH", WARNING, "正文中的数字与表格不一致", "请核对正文与表格数字。",
           "正文与表格"),
    _other("TEXT_NO_REQUESTS", WARNING, "正文称未收到申请，但表三本年新收大于 0",
           "请核对正文与表三。", "正文与表三"),
    _other("DATE_UNREADABLE", ERROR, "成文日期无法识别", "请按 2025-01-09 或 2025年1月9日 填写。",
           "基本信息 成文日期"),
    _other("DATE_MISSING", WARNING, "成文日期未填写", "请填写成文日期。", "基本信息 成文日期"),
    _other("DATE_OUT_OF_RANGE", WARNING, "成文日期不在报送期限内",
           "成文日期应在报告年度的次年、报送截止日期之前。", "条例第四十九条"),
    _other("PREVIOUS_CARRIED", ERROR, "上年结转与上年度报告的结转下年度不一致",
           "二、上年结转应等于上年度报告的四、结转下年度继续办理。", "表三 跨年度", "表三"),
    _other("PREVIOUS_INFORCE", WARNING, "现行有效件数与上年度不衔接",
           "现行有效件数一般等于上年现行有效 + 本年制发 − 本年废止。", "表二 跨年度", "表二"),
    _other("PRINTED_TOTAL_MISMATCH", ERROR, "印出的合计不等于各项之和",
           "请核对该合计及其各项数字，更正后重新发布。", "已发布报告的表格", kinds=(PUBLISHED,)),
    _other("PRINTED_PLACE_UNSURE", WARNING, "印出的数字无法确定属于哪一行或哪一列",
           "这些数字未读取；请核对原文件，或改用网页版、Word 版导入。", "已发布报告的表格",
           kinds=(PUBLISHED,)),
    _other("FORMAT_OUTDATED", ERROR, "仍在使用已废止的 2019 年试行表格格式",
           "2021 年度起应使用国办公开办函〔2021〕30号规定的格式。", "国办公开办函〔2021〕30号", kinds=(PUBLISHED,)),
    _other("YEAR_MISMATCH", ERROR, "报表的年度不是本轮收集的年度",
           "请使用本年度下发的模板（退回件就是本年度的模板，已填的内容已带入）重新填报。",
           "本轮的年度"),
    _other("PREVIOUS_UNIT", WARNING, "上年度数据不是同一单位", "请核对作为上年度报告的文件是否为本单位的。",
           "跨年度"),
)

RULES: dict[str, Rule] = {r.code: r for r in DECLARED_RULES + OTHER_RULES}

#: Words with which part 六 states the 信息处理费 (“未发生收费情况” states it too).
FEE_WORDS = ("信息处理费", "收费", "收取费用")

#: 提示 a unit may explain instead of changing a true figure (情况说明): each has an input in the
#: workbook named NOTE_<CODE>. A 错误 is never explained away.
EXPLAINABLE = ("FEE_IMPLAUSIBLE", "REGULATION_UNUSUAL", "PREVIOUS_INFORCE", "TEXT_FIGURE_MISMATCH",
               "TEXT_NO_REQUESTS", "DATE_OUT_OF_RANGE")
NOTE_PREFIX = "NOTE_"
NOTE_CODES = tuple(NOTE_PREFIX + code for code in EXPLAINABLE)


# ---------------------------------------------------------------- how the text says figures
@functools.cache
def wording() -> dict:
    """``wording.toml``: the words the narrative checks read claims by (checks/narrative.py)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib.loads(resources.files(__name__).joinpath("wording.toml").read_text("utf-8"))


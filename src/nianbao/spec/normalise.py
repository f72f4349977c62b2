"""How numbers typed as text and report text are normalised, as data with two interpreters.

The workbook's own 校验 must say 不通过 exactly when ``validate`` reports an error the workbook
can know, so a number typed as text (" 1,234 ", "１２") and a placeholder ("ＸＸ条") must be
recognised by the same rules in Python and in a spreadsheet formula. These tables are those
rules; :func:`number_text`, :func:`visible`, :func:`marks_form`, :func:`bare` apply them in
Python and the ``*_formula`` functions write them with SUBSTITUTE, which WPS, Excel and
LibreOffice all have (no regular expressions, no ASC, no UNICHAR).
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- numbers typed as text

#: Removed from a number typed as text: spaces of every width clerks type, line breaks, and
#: thousands separators.
NUMBER_STRIP = (" ", "\u3000", "\xa0", "\t", "\n", "\r", ",", "，")
#: Full-width digits and signs → ASCII.
HALFWIDTH = tuple((chr(0xFF10 + d), str(d)) for d in range(10)) + (
    ("．", "."), ("＋", "+"), ("－", "-"))
NUMBER_SHAPE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_NUMBER_TABLE = str.maketrans({**dict.fromkeys(NUMBER_STRIP, None), **dict(HALFWIDTH)})


def number_text(text: str) -> str:
    """A number typed as text with spaces and separators removed and digits made half-width."""
    return text.translate(_NUMBER_TABLE)


# ---------------------------------------------------------------- report text

#: Characters that show nothing: spaces of every width, line breaks, zero-width characters,
#: direction marks, soft hyphen, byte-order mark.
INVISIBLE = (" \t\n\r\xa0\xad" + "".join(map(chr, range(0x2000, 0x2010)))
             + "\u2028\u2029\u202f\u205f\u2060\u3000\ufeff")
#: After upper-casing: look-alikes folded so that one mark matches every way it is typed.
MARK_FOLD = (("Ｘ", "X"), ("×", "X"), ("＿", "_"), ("（", "("), ("）", ")"), ("［", "["),
             ("］", "]"), ("【", "["), ("】", "]"), ("“", '"'), ("”", '"'))
#: Ordinary text that looks like a mark: 信息公开 in web addresses (…/xxgk/).
BENIGN = ("XXGK",)
#: A blank left to be filled (matched in the folded text, spaces removed).
PLACEHOLDER_MARKS = (
    "XX", *(f"X{unit}" for unit in "年月日号件条个次项名人份万%余"),
    *(f"某某{word}" for word in ("镇", "乡", "县", "区", "市", "局", "委", "办", "村", "街道",
                                "社区", "单位", "部门", "公司", "机关", "政府", "学校", "医院")),
    '"某某', "[]", "()", "__", *(f"{b}{w}" for b in "[(" for w in ("待补充", "待填写", "待定",
                                                                  "请填写", "此处填写")),
    *(f"N{unit}" for unit in "件条个次项名人份%"), "某月", "某日",
)
#: A name left to fill: 某某 where a name belongs (由某某某负责, 联系人：某某, 某某同志). A
#: person named the anonymised way has a surname before it (申请人张某某, 王某某诉…): each
#: 某某 is a blank unless one of these surnames stands right before it.
NAME_SLOT = "某某"
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
            "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
            "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
            "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
            "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
            "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
ANONYMISED = tuple(surname + NAME_SLOT for surname in dict.fromkeys(SURNAMES))
#: Punctuation removed before asking whether a section is nothing but a blank.
PUNCTUATION = "。，、；：？！…—·‘’\"'《》〈〉「」『』〔〕．～,.;:?!()[]{}<>-_~/|*#"
#: A whole section (punctuation removed) that is only a blank; "" is a section of only
#: punctuation, such as “……”.
PLACEHOLDER_WHOLE = ("", "待补充", "待填写", "待定", "请填写", "此处填写")

_DELETE_INVISIBLE = str.maketrans("", "", INVISIBLE)
_DELETE_PUNCTUATION = str.maketrans("", "", PUNCTUATION)


def visible(text: str) -> str:
    """The text without anything that shows nothing."""
    return text.translate(_DELETE_INVISIBLE)


def marks_form(text: str) -> str:
    """Visible text, upper-cased and folded, with benign look-alikes removed."""
    folded = visible(text).upper()
    for old, new in MARK_FOLD:
        folded = folded.replace(old, new)
    for word in BENIGN:
        folded = folded.replace(word, "")
    return folded


def bare(text: str) -> str:
    """The folded text without punctuation."""
    return marks_form(text).translate(_DELETE_PUNCTUATION)


def placeholders(text: str) -> list[str]:
    """The blanks left in ``text``, as the marks that found them."""
    if not visible(text):
        return []
    form = marks_form(text)
    found = [mark for mark in PLACEHOLDER_MARKS if mark in form]
    if form.count(NAME_SLOT) > sum(form.count(name) for name in ANONYMISED):
        found.append(NAME_SLOT)
    if bare(text) in PLACEHOLDER_WHOLE:
        found.append(visible(text) if bare(text) else "只有标点")
    return found


# ---------------------------------------------------------------- the same, as formulas


def string(text: str) -> str:
    """A spreadsheet string literal; line-break characters as CHAR() (not typed literally)."""
    special = {"\t": "CHAR(9)", "\n": "CHAR(10)", "\r": "CHAR(13)"}
    if text in special:
        return special[text]
    return '"' + text.replace('"', '""') + '"'


def substitute_all(expr: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """Nested SUBSTITUTE: each ``old`` replaced by ``new``, in order."""
    for old, new in pairs:
        expr = f"SUBSTITUTE({expr},{string(old)},{string(new)})"
    return expr


def number_text_formula(cell: str) -> str:
    return substitute_all(cell, tuple((ch, "") for ch in NUMBER_STRIP) + HALFWIDTH)


def visible_formula(cell: str) -> str:
    return substitute_all(cell, tuple((ch, "") for ch in INVISIBLE))


def marks_formula(visible_cell: str) -> str:
    return substitute_all(f"UPPER({visible_cell})", MARK_FOLD + tuple((w, "") for w in BENIGN))


def bare_formula(marks_cell: str) -> str:
    return substitute_all(marks_cell, tuple((ch, "") for ch in PUNCTUATION))

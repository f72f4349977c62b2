"""WordprocessingML property elements in the order the schema requires.

`w:pPr`, `w:rPr`, `w:tblPr` and `w:tcPr` are `xsd:sequence`s: a child out of order makes the
file invalid OOXML, which Word repairs or rejects depending on its version and strict consumers
refuse. python-docx orders the children it knows (`get_or_add_*`); :func:`put` orders the rest
from the sequences of ECMA-376 (Transitional, wml.xsd).
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

_SEQUENCES: dict[str, tuple[str, ...]] = {
    "w:pPr": (
        "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
        "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
        "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
        "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
        "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"),
    "w:rPr": (
        "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
        "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
        "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
        "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
        "specVanish", "oMath", "rPrChange"),
    "w:tblPr": (
        "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
        "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
        "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange"),
    "w:tcPr": (
        "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
        "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel",
        "cellMerge", "tcPrChange"),
    "w:style": (
        "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
        "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
        "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"),
}
#: Clark names: the parent's tag → its children's tags in schema order.
ORDER: dict[str, tuple[str, ...]] = {
    qn(parent): tuple(qn(f"w:{name}") for name in names) for parent, names in _SEQUENCES.items()}


def put(parent, tag: str, **attrs: str):
    """The child `tag` (e.g. ``"w:jc"``) of a property element, made or replaced, at its place in
    the schema's sequence; `attrs` are its ``w:`` attributes."""
    order = ORDER[parent.tag]
    child = OxmlElement(tag)
    for name, value in attrs.items():
        child.set(qn(f"w:{name}"), value)
    for old in parent.findall(child.tag):
        parent.remove(old)
    later = set(order[order.index(child.tag) + 1:])
    for sibling in parent:
        if sibling.tag in later:
            sibling.addprevious(child)
            return child
    parent.append(child)
    return child


def reorder(root) -> None:
    """Put the children of every property element and style under `root` in schema order (a
    stable sort; children the sequence does not name keep their order, after the named ones).
    For a reference document made by another program: WPS writes ``w:uiPriority`` after
    ``w:qFormat``, and its styles become the report's."""
    for parent in root.iter(*ORDER):
        order = ORDER[parent.tag]
        children = list(parent)
        ranked = sorted(children, key=lambda c: order.index(c.tag) if c.tag in order
                        else len(order))
        if ranked != children:
            for child in children:
                parent.remove(child)
            parent.extend(ranked)


def misordered(root) -> list[str]:
    """Every property element under `root` whose children are out of schema order, as
    ``parent: child``; empty when the tree is in order (the writer's own self-check in tests)."""
    found = []
    for parent in root.iter(*ORDER):
        order = ORDER[parent.tag]
        ranks = [order.index(c.tag) for c in parent if c.tag in order]
        if ranks != sorted(ranks):
            found.append(parent.tag)
    return found

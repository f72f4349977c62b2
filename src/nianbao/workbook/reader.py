"""Sniff an untrusted workbook, then read its cells, names and properties in one bounded pass.

Only the parts nianbao needs are parsed, with a hardened lxml parser (no entity expansion, no
network, no DTD loading; any DOCTYPE refused) after the zip's declared sizes were checked, so a
returned workbook costs a few milliseconds instead of a full object model.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import olefile
from lxml import etree

from ..errors import FileProblem, problem
from ..model.values import fmt_number, stored_number
from ..spec.expr import column_letter

if TYPE_CHECKING:  # openpyxl is imported only for a workbook with shared formulas (a tenth
    # of a second of start-up that our own templates never need)
    from openpyxl.formula.translate import Translator

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
MAX_FILE = 20 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_MEMBER = 8 * 1024 * 1024
MAX_TOTAL = 80 * 1024 * 1024
MAX_RATIO = 100
MAX_ROWS = 5000
MAX_CELLS = 200_000
#: Excel's own limit on a formula's length; a longer one no office program wrote.
MAX_FORMULA = 8192
#: All formula text of a workbook, shared formulas expanded (a template has ~240,000): the
#: bound on translation work, whatever one shared formula's dependants number.
MAX_FORMULA_TOTAL = 4_000_000

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
STRICT_NS = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"


@dataclass(frozen=True)
class RawCell:
    """A cell as stored: the typed cached value (``None`` when absent) and the formula, if any."""

    value: Any
    formula: str | None = None
    error: bool = False

    @property
    def text(self) -> str:
        """The cell as text, the way a person reads it (a number without trailing zeros)."""
        if self.value is None or self.error:
            return ""
        return self.display.replace("\r\n", "\n").replace("\r", "\n").strip()

    @property
    def display(self) -> str:
        """What the office program shows in the cell: ``#VALUE!``, ``TRUE``, ``3``, the text."""
        if self.value is None:
            return ""
        if isinstance(self.value, bool):
            return "TRUE" if self.value else "FALSE"
        if isinstance(self.value, Decimal):
            return fmt_number(self.value)
        return str(self.value)


@dataclass
class Workbook:
    sheets: list[tuple[str, str]] = field(default_factory=list)  # (name, state)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (sheet, A1)
    cells: dict[str, dict[str, RawCell]] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    modified: str = ""
    date1904: bool = False

    def cell(self, sheet: str, a1: str) -> RawCell | None:
        return self.cells.get(sheet, {}).get(a1)


def sniff(path: Path, head: bytes, size: int) -> None:
    """Refuse what is not a plain, sane .xlsx before any XML is parsed."""
    if path.name.startswith("~$"):
        raise problem("LOCK_FILE")
    if size == 0:
        raise problem("EMPTY")
    if size > MAX_FILE:
        raise problem("TOO_LARGE", f"{size // 1024 // 1024} MB")
    if head.startswith(OLE_MAGIC):
        raise _classify_ole(path)
    if not head.startswith(ZIP_MAGIC):
        raise problem("NOT_EXCEL")


def _classify_ole(path: Path) -> FileProblem:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage"):
                return problem("ENCRYPTED")
            if ole.exists("Workbook") or ole.exists("Book"):
                return problem("LEGACY_XLS")
    except (OSError, ValueError):
        return problem("TRUNCATED")
    return problem("OLE_OTHER")


def check_members(zf: zipfile.ZipFile) -> None:
    """Zip-bomb and type checks from the declared sizes (CPython stops inflating at them)."""
    infos = zf.infolist()
    names = {i.filename.lower() for i in infos}
    if "mimetype" in names and "content.xml" in names:
        raise problem("ODS")
    if any(n.endswith("vbaproject.bin") for n in names):
        raise problem("MACRO")
    if "[content_types].xml" not in names or "_rels/.rels" not in names:
        raise problem("NOT_EXCEL")
    if len(infos) > MAX_MEMBERS:
        raise problem("BOMB", f"{len(infos)} 个部件")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise problem("BOMB", info.filename)
        if info.file_size > MAX_MEMBER:
            raise problem("TOO_LARGE", info.filename)
    if total > MAX_TOTAL:
        raise problem("BOMB")


#: What opening or reading an untrusted zip raises besides :class:`FileProblem`: a damaged
#: directory (BadZipFile, EOFError, struct.error), a field Python's zipfile does not support
#: (NotImplementedError: a "version needed" past 6.3, a compression method, strong encryption),
#: an encrypted member (RuntimeError), a damaged stream (zlib.error), absurd sizes or offsets
#: (ValueError, OverflowError, LargeZipFile) and the disk (OSError). Every place that opens a
#: file it did not write catches this one tuple.
ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
    ValueError, OverflowError, struct.error, zlib.error, OSError)


def read(path: Path, skip: frozenset[str] | set[str] = frozenset()) -> Workbook:
    """Sniff and read ``path``, leaving out the sheets named in ``skip``; raises
    :class:`FileProblem` for anything it cannot read safely."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
            sniff(path, head, size)
            fh.seek(0)
            return _read_zip(fh, skip)
    except FileProblem:
        raise
    except zipfile.BadZipFile as exc:
        raise problem("TRUNCATED") from exc
    except OSError as exc:
        raise problem("UNREADABLE", exc.strerror or str(exc)) from exc
    except (etree.XMLSyntaxError, KeyError, IndexError, InvalidOperation, *ZIP_ERRORS) as exc:
        raise problem("CORRUPT", type(exc).__name__) from exc


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=True)
Element = Any


def read_bytes(data: bytes) -> Workbook:
    """Read an in-memory workbook the same way (used for the committed master's content)."""
    return _read_zip(io.BytesIO(data))


class Package:
    """The zip's parts by name; part names are case-insensitive (ECMA-376 Part 2, §9.1.1.1),
    so ``xl/SharedStrings.xml`` is the shared strings part, as Excel and LibreOffice read it."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.names = {info.filename.lower(): info.filename for info in zf.infolist()}

    def __contains__(self, name: str) -> bool:
        return bool(name) and name.lower() in self.names

    def read(self, name: str) -> bytes:
        return self.zf.read(self.names[name.lower()])


def parse_part(pkg: Package, name: str, data: bytes | None = None) -> Element:
    """One part, parsed safely: a DOCTYPE (the carrier of entity bombs and XXE) is refused."""
    root = etree.fromstring(pkg.read(name) if data is None else data, _PARSER)
    if root.getroottree().docinfo.doctype:
        raise problem("UNSAFE_XML", name)
    return root


def _read_zip(fh: IO[bytes], skip: frozenset[str] | set[str] = frozenset()) -> Workbook:
    with zipfile.ZipFile(fh) as zf:
        check_members(zf)
        pkg = Package(zf)
        package = _relationships(pkg, "_rels/.rels", "")
        book_path = _typed(package, "/officeDocument")
        if book_path not in pkg:
            raise problem("NOT_EXCEL")
        wb = Workbook()
        root = parse_part(pkg, book_path)
        if root.tag.startswith(STRICT_NS):
            raise problem("STRICT")
        pr = root.find(f"{NS}workbookPr")
        wb.date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        folder, base = posixpath.split(book_path)
        rels = f"{folder}/_rels/{base}.rels"
        targets = _relationships(pkg, rels, folder) if rels in pkg else {}
        sheet_paths = []
        for sh in root.iter(f"{NS}sheet"):
            name = sh.get("name", "")
            wb.sheets.append((name, sh.get("state", "visible")))
            sheet_paths.append((name, targets.get(sh.get(f"{REL_NS}id", ""), ("", ""))[0]))
        for dn in root.iter(f"{NS}definedName"):
            if dn.get("localSheetId") is None and dn.text:
                dest = _destination(dn.text)
                if dest:
                    wb.names[dn.get("name", "")] = dest
        strings_path = _typed(targets, "/sharedStrings")
        strings = _shared_strings(pkg, strings_path) if strings_path in pkg else []
        budget = [MAX_CELLS, MAX_FORMULA_TOTAL]
        for name, target in sheet_paths:
            if target in pkg and name not in skip:
                wb.cells[name] = _sheet(pkg, target, strings, budget)
        custom, core = _typed(package, "/custom-properties"), _typed(package, "/core-properties")
        if custom in pkg:
            wb.properties = _custom(parse_part(pkg, custom))
        if core in pkg:
            wb.modified = _modified(parse_part(pkg, core))
        return wb


def _relationships(zf: Package, name: str, base: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (part path inside the zip, relationship type)."""
    rels = {}
    for rel in parse_part(zf, name).iter(f"{PKG_REL}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(base, target))
        rels[rel.get("Id", "")] = (path, rel.get("Type", ""))
    return rels


def _typed(rels: dict[str, tuple[str, str]], suffix: str) -> str:
    """The first part whose relationship type ends with ``suffix`` ('' when there is none)."""
    return next((path for path, kind in rels.values() if kind.endswith(suffix)), "")


_DEST = re.compile(r"^(?:'((?:[^']|'')+)'|([^!']+))!\$?([A-Z]{1,3})\$?(\d+)$")


def _destination(text: str) -> tuple[str, str] | None:
    match = _DEST.match(text.strip().lstrip("="))
    if not match:
        return None
    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
    return sheet, f"{match.group(3)}{match.group(4)}"


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes (ST_Xstring) decoded in one pass: ``_x000D_`` is a carriage
    return, ``_x005F_x0041_`` the literal text ``_x0041_``; a surrogate pair becomes its
    character and a lone surrogate U+FFFD."""
    if "_x" not in text:
        return text
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _text_of(si: Element) -> str:
    """A string item's text: its own ``<t>``, or its rich-text runs; phonetic runs left out."""
    direct = si.find(f"{NS}t")
    if direct is not None:
        return unescape(direct.text or "")
    return unescape("".join(t.text or "" for r in si.iter(f"{NS}r") for t in r.iter(f"{NS}t")))


def _shared_strings(zf: Package, path: str) -> list[str]:
    return [_text_of(si) for si in parse_part(zf, path).iter(f"{NS}si")]


_A1 = re.compile(r"^([A-Z]{1,3})(\d+)$")


def column_index(letters: str) -> int:
    """Spreadsheet letters → 0-based column index (A → 0, AA → 26)."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _sheet(zf: Package, name: str, strings: list[str], budget: list[int]
           ) -> dict[str, RawCell]:
    """The cells that hold something. Work is bounded by those cells (MAX_ROWS, MAX_CELLS)
    and their formula text (MAX_FORMULA_TOTAL), not by row elements: thousands of formatted
    empty rows cost nothing."""
    cells: dict[str, RawCell] = {}
    shared: dict[str, tuple[str, Translator]] = {}
    for ref, row_number, el in _filled(parse_part(zf, name, _cells_only(zf.read(name)))):
        if row_number > MAX_ROWS:
            raise problem("TOO_MANY_ROWS")
        budget[0] -= 1
        if budget[0] < 0:
            raise problem("TOO_MANY_ROWS")
        cell = _cell(el, ref, strings, shared)
        if cell is not None:
            if cell.formula is not None:
                budget[1] -= len(cell.formula)
                if budget[1] < 0:
                    raise problem("TOO_COMPLEX", "公式过多")
            cells[ref] = cell
    return cells


_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData>")
_ROOT_END = re.compile(rb"</(?:[\w.-]+:)?worksheet>\s*$")


def _cells_only(data: bytes) -> bytes:
    """The worksheet without what follows its cells (conditional formats, validations, …):
    nothing there is read, and a template carries a lot of it."""
    end, root = _SHEET_DATA_END.search(data), _ROOT_END.search(data)
    return data[:end.end()] + root.group() if end and root else data


def _filled(root: Element):
    """(A1, row number, element) of every cell with a value or formula. A cell or row without
    ``r`` (allowed, and written by some generators) takes the next position."""
    row_number = 0
    for row in root.iter(_ROW):
        given = row.get("r")
        row_number = int(given) if given and given.isdigit() else row_number + 1
        last, skipped = "", 0  # the last cell that had its address, and how many followed it
        for el in row.iter(_C):
            ref = el.get("r")
            if ref is None:
                skipped += 1
            else:
                last, skipped = ref, 0
            if not len(el):  # a styled blank cell has no value and no formula
                continue
            match = _A1.match(last) if last else None
            if ref is not None and match and int(match.group(2)) == row_number:
                yield ref, row_number, el
                continue
            col = column_index(match.group(1)) + skipped if match else skipped - 1
            yield f"{column_letter(col)}{row_number}", row_number, el


_F, _V, _IS, _ROW, _C = f"{NS}f", f"{NS}v", f"{NS}is", f"{NS}row", f"{NS}c"


def _cell(el: Element, ref: str, strings: list[str], shared: dict) -> RawCell | None:
    kind = el.get("t", "n")
    f = v = node = None
    for child in el:  # one pass over the few children instead of three searches
        tag = child.tag
        if tag == _V:
            v = child
        elif tag == _F:
            f = child
        elif tag == _IS:
            node = child
    formula = _formula(f, ref, shared) if f is not None else None
    raw = v.text if v is not None else None
    if kind == "inlineStr":
        value: Any = _text_of(node) if node is not None else ""
    elif raw is None or raw == "":
        value = None
    elif kind == "s":
        index = int(raw)
        if not 0 <= index < len(strings):
            raise problem("CORRUPT", f"{ref} 引用了不存在的共享字符串 {index}")
        value = strings[index]
    elif kind == "str":
        value = unescape(raw)
    elif kind == "d":
        value = raw
    elif kind == "b":
        value = raw in ("1", "true")
    elif kind == "e":
        return RawCell(raw, formula, error=True)
    else:
        value = stored_number(raw)
    if value is None and formula is None:
        return None
    return RawCell(value, formula)


def _formula(f: Element, ref: str, shared: dict[str, tuple[str, Translator]]) -> str | None:
    """The cell's formula; a shared formula's dependants are translated from its master cell,
    tokenised once for all of them (a formula is at most Excel's 8,192 characters)."""
    if f.text and len(f.text) > MAX_FORMULA:
        raise problem("TOO_COMPLEX", f"{ref} 的公式有 {len(f.text)} 个字符")
    if f.get("t") == "shared" and f.get("si") is not None:
        si = f.get("si", "")
        if f.text:
            from openpyxl.formula.translate import Translator

            shared[si] = (ref, Translator("=" + f.text, origin=ref))
            return "=" + f.text
        if si in shared:
            return shared[si][1].translate_formula(ref)
        return None
    return "=" + f.text if f.text else None


def _custom(root: Element) -> dict[str, str]:
    props = {}
    for prop in root.iter(f"{CUSTOM_NS}property"):
        value = next(iter(prop), None)
        if value is not None and value.text is not None:
            props[prop.get("name", "")] = value.text
    return props


def _modified(root: Element) -> str:
    for el in root.iter():
        if el.tag.endswith("}modified") and el.text:
            return el.text.strip()
    return ""

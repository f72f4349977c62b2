"""Source: a report model in its JSON form (``data/*.json`` of an earlier round, or a script's)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ReportFormatError, problem
from ..model.jsonform import loads
from .base import Reading

MAX_JSON = 5 * 1024 * 1024


class ReportJsonSource:
    name = "report-json"
    emits: frozenset[str] = frozenset()

    def claims(self, head: bytes, path: Path) -> bool:
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")

    def read(self, path: Path) -> Reading:
        try:
            if path.stat().st_size > MAX_JSON:
                raise problem("TOO_LARGE")
            report = loads(path.read_text(encoding="utf-8"))
        except ReportFormatError as exc:
            raise problem("JSON_INVALID", exc.message) from exc
        except UnicodeDecodeError as exc:
            raise problem("JSON_INVALID", "不是 UTF-8 文本") from exc
        except OSError as exc:
            raise problem("UNREADABLE", exc.strerror or str(exc)) from exc
        return Reading(report, source=self.name)


SOURCE = ReportJsonSource()

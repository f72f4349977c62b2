"""nianbao: 政府信息公开工作年度报告的模板、校验、成文与汇总。

``nianbao.validate(path, previous=None)`` returns a :class:`~nianbao.checks.findings.CheckResult`.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "check_file", "validate"]


def __getattr__(name: str) -> Any:
    """The library API, imported on first use so that ``nianbao --version`` stays instant."""
    if name in ("validate", "check_file"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'nianbao' has no attribute {name!r}")

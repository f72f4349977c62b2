"""The workbook's metadata contract: property names and the template version, shared by the
template writer and every reader (a change here is a change of the published contract)."""

from __future__ import annotations

#: The template's version; a reader refuses a newer one and flags an older one (TEMPLATE_OUTDATED).
TEMPLATE_VERSION = "3"
#: Custom document properties carry this prefix (strings: LibreOffice turns integers into floats).
PROP_PREFIX = "nianbao_"
#: The metadata keys, in the order they are written (also the rows of the hidden ``_meta`` sheet).
META_KEYS = ("format", "template_version", "generator", "unit", "parent", "level", "year",
             "deadline", "website", "contact", "fingerprint")

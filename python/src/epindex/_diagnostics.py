"""One diagnostics type: code, severity, file, line, message (docs/spec.md §7).

The codes and severities are the TypeScript side's (src/diagnostics.ts); both readers emit
the same codes for the same input.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

SEVERITY = {
    "EP101": "error", "EP102": "warning", "EP103": "warning", "EP104": "error", "EP105": "warning",
    "EP106": "warning", "EP107": "warning", "EP108": "warning", "EP109": "warning", "EP110": "warning",
    "EP111": "error", "EP112": "warning",
    "EP201": "info", "EP202": "warning", "EP203": "warning", "EP204": "warning", "EP205": "warning",
    "EP206": "warning", "EP207": "info", "EP208": "warning", "EP209": "warning",
    "EP301": "warning", "EP302": "warning", "EP303": "warning", "EP304": "warning", "EP305": "info",
    "EP306": "warning", "EP307": "warning", "EP308": "info",
    "EP401": "error",
    # check and the accelerator (EP801-EP849)
    "EP801": "error",    # an entry point failed to load under `check`
    "EP802": "error",    # a check worker died, exited or hung (the entry is reported as failed)
    "EP803": "warning",  # the accelerator failed and disabled itself for this process
    "EP804": "info",     # the accelerator fell back to importlib (a deviation or an unsupported case)
}


class Diagnostic(NamedTuple):
    """What a reader, discoverer or cache path noticed. ``file`` is relative to the path
    entry inside scans and caches (``''`` being the entry itself) and absolute in results."""

    code: str
    message: str
    file: Optional[str] = None
    line: Optional[int] = None

    @property
    def severity(self) -> str:
        return SEVERITY[self.code]

    def __str__(self) -> str:
        at = "" if self.file is None else (f"{self.file}: " if self.line is None else f"{self.file}:{self.line}: ")
        return f"{at}{self.severity} {self.code} {self.message}"

    def to_json(self) -> dict:
        d: dict = {"code": self.code, "severity": self.severity}
        if self.file is not None:
            d["file"] = self.file
        if self.line is not None:
            d["line"] = self.line
        d["message"] = self.message
        return d

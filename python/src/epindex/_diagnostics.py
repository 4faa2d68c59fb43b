"""One diagnostics type: code, severity, file, line, message (docs/spec.md §7).

The codes and severities are the TypeScript side's (src/diagnostics.ts); both readers emit
the same codes for the same input. A code neither table knows (a newer writer's, read from a
cache) is a warning.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional

#: Every code of src/diagnostics.ts ``DIAGNOSTIC_CODES`` with its fixed severity (docs/spec.md §7),
#: in the same order. test/python/diagnostics-table.test.ts compares the two tables.
SEVERITY: Dict[str, str] = {
    # entry_points.txt content
    "EP101": "error", "EP102": "warning", "EP103": "warning", "EP104": "error", "EP105": "warning",
    "EP106": "warning", "EP107": "warning", "EP108": "warning", "EP109": "warning", "EP110": "warning",
    "EP111": "error", "EP112": "warning", "EP113": "error",
    # discovery
    "EP201": "info", "EP202": "warning", "EP203": "warning", "EP204": "warning", "EP205": "warning",
    "EP206": "warning", "EP207": "info", "EP208": "warning", "EP209": "warning", "EP210": "warning",
    "EP211": "warning", "EP212": "warning", "EP213": "warning", "EP214": "warning", "EP215": "error",
    "EP216": "warning", "EP217": "warning", "EP219": "warning",
    # cache
    "EP301": "warning", "EP302": "warning", "EP303": "warning", "EP304": "warning", "EP305": "info",
    "EP306": "warning", "EP307": "warning", "EP308": "info", "EP309": "warning",
    # interpreter
    "EP401": "error",
    # npm packages: package.json declarations
    "EP701": "error", "EP702": "error", "EP703": "error", "EP704": "error", "EP705": "error",
    "EP706": "error", "EP707": "warning", "EP708": "error", "EP709": "error", "EP710": "warning",
    "EP711": "info", "EP712": "warning", "EP713": "error",
    # npm packages: discovery
    "EP720": "info", "EP721": "warning", "EP722": "warning", "EP723": "warning", "EP725": "info",
    # environment choice
    "EP402": "warning", "EP403": "warning", "EP404": "warning", "EP405": "info",
    # scripts (launchers)
    "EP501": "error", "EP502": "error", "EP503": "error", "EP504": "warning", "EP505": "warning",
    "EP506": "warning", "EP507": "error", "EP508": "error", "EP509": "warning", "EP510": "warning",
    "EP511": "warning", "EP512": "warning", "EP513": "info", "EP514": "error",
    "EP515": "error", "EP516": "error", "EP517": "warning",
    # check and the accelerator
    "EP801": "error",    # an entry point failed to load under `check`
    "EP802": "error",    # a check worker died, exited or hung (the entry is reported as failed)
    "EP803": "warning",  # the accelerator failed and disabled itself for this process
    "EP804": "info",     # the accelerator fell back to importlib (a deviation or an unsupported case)
}

#: What a code this table does not know (one a newer writer put into a cache) counts as: a
#: reader never fails on it.
UNKNOWN_SEVERITY = "warning"


class Diagnostic(tuple):
    """What a reader, discoverer or cache path noticed. ``file`` is relative to the path
    entry inside scans and caches (``''`` being the entry itself) and absolute in results.
    A named tuple ``(code, message, file=None, line=None)`` — written out rather than made by
    ``typing.NamedTuple`` or ``collections.namedtuple``: importing those costs a first lookup
    more than the lookup."""

    __slots__ = ()
    _fields = ("code", "message", "file", "line")

    def __new__(cls, code: str, message: str, file: Optional[str] = None, line: Optional[int] = None) -> "Diagnostic":
        return tuple.__new__(cls, (code, message, file, line))

    def __getnewargs__(self) -> tuple:
        return tuple(self)

    @property
    def code(self) -> str:
        return self[0]  # type: ignore[no-any-return]

    @property
    def message(self) -> str:
        return self[1]  # type: ignore[no-any-return]

    @property
    def file(self) -> Optional[str]:
        return self[2]  # type: ignore[no-any-return]

    @property
    def line(self) -> Optional[int]:
        return self[3]  # type: ignore[no-any-return]

    def _replace(self, **changes: object) -> "Diagnostic":
        made = Diagnostic(*(changes.pop(f, v) for f, v in zip(self._fields, self)))  # type: ignore[arg-type]
        if changes:
            raise ValueError(f"Got unexpected field names: {list(changes)!r}")
        return made

    def _asdict(self) -> dict:
        return dict(zip(self._fields, self))

    def __repr__(self) -> str:
        return f"Diagnostic(code={self[0]!r}, message={self[1]!r}, file={self[2]!r}, line={self[3]!r})"

    @property
    def severity(self) -> str:
        return SEVERITY.get(self.code, UNKNOWN_SEVERITY)

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

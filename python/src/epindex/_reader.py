"""entry_points.txt, read as importlib.metadata's ``Sectioned`` reader reads it, but total.

A port of src/format/entry-points-txt.ts with Python's own ``str.splitlines``, ``str.strip``
and ``\\w`` (the rules the TypeScript side emulates). Where importlib raises or silently loses
data, the reader decides and says so with a diagnostic (docs/spec.md §2).
"""
from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Tuple, Union

from ._diagnostics import Diagnostic
from ._reference import parse_reference
from ._text import GROUP_NAME, quote


class Line(NamedTuple):
    """One ``name = value`` line with its group and 1-based line number."""

    group: str
    name: str
    value: str
    line: int


def read_entry_points(content: Union[bytes, str], file: Optional[str] = None) -> Tuple[List[Line], List[Diagnostic]]:
    """Entries in file order, and diagnostics. Never raises."""
    diagnostics: List[Diagnostic] = []
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as e:
            offset = e.start
            line = len((content[:offset].decode("utf-8", "replace") + "x").splitlines())
            diagnostics.append(Diagnostic("EP101", f"invalid UTF-8 at byte {offset}; no entry points are read from this file", file, line))
            return [], diagnostics
    else:
        text = content
    if text.startswith("\ufeff"):
        text = text[1:]
        diagnostics.append(Diagnostic("EP102", "UTF-8 byte order mark removed (importlib.metadata would silently drop the first group)", file, 1))

    entries: List[Line] = []
    group: Optional[str] = None
    add = diagnostics.append
    for i, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if not s or s[0] == "#":
            continue
        if s[0] == ";" and "=" not in s:
            add(Diagnostic("EP103", '";" comment line treated as a comment (importlib.metadata raises TypeError here)', file, i))
            continue
        if s[0] == "[" and s[-1] == "]":
            group = s.strip("[]")
            if not re.fullmatch(GROUP_NAME, group):
                add(Diagnostic("EP107", f"invalid group name {quote(group)} (must match ^\\w+(\\.\\w+)*$); its entry points are kept", file, i))
            continue
        if group is None:
            add(Diagnostic("EP109", f"line before the first [group] header skipped: {quote(s)}", file, i))
            continue
        name, eq, value = s.partition("=")
        if not eq:
            add(Diagnostic("EP104", f'line without "=" skipped: {quote(s)} (importlib.metadata raises TypeError here)', file, i))
            continue
        name = name.strip()
        value = value.strip()
        entries.append(Line(group, name, value, i))
        if name == "":
            add(Diagnostic("EP105", f"entry point with an empty name in [{group}]; kept", file, i))
        elif name[0] == "[":
            add(Diagnostic("EP110", f'entry point name {quote(name)} starts with "["; kept', file, i))
        if value == "":
            add(Diagnostic("EP106", f"entry point {quote(name)} in [{group}] has an empty value; kept", file, i))
        else:
            ref = parse_reference(value)
            if isinstance(ref, str):
                add(Diagnostic("EP108", f"invalid object reference {quote(value)} for {quote(name)} in [{group}]: {ref}; kept", file, i))
    return entries, diagnostics

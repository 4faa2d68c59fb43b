"""The two facts discovery takes from METADATA / PKG-INFO: the ``Name`` and ``Version`` headers.

As ``email.message_from_string`` reads headers: they end at the first empty line, a header
continues on lines starting with a space or a tab, the first occurrence wins. A port of
src/python/metadata.ts (including its ``trim``), so both sides read the same name.
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from ._diagnostics import Diagnostic
from ._text import js_trim

#: A scan reads a metadata file only this far (cache-v3 A.1).
HEADER_LIMIT = 64 * 1024

_LINES = re.compile(r"\r\n|\n|\r")


def read_name_version(text: str) -> Tuple[Optional[str], Optional[str]]:
    name: Optional[str] = None
    version: Optional[str] = None
    lines = _LINES.split(text)
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if line == "":
            break
        colon = line.find(":")
        if colon <= 0 or line[0] in " \t":
            i += 1
            continue
        key = line[:colon].lower()
        if key != "name" and key != "version":
            i += 1
            continue
        value = line[colon + 1 :]
        while i + 1 < n and lines[i + 1][:1] in (" ", "\t") and lines[i + 1] != "":
            i += 1
            value += lines[i]
        value = js_trim(value)
        if key == "name" and name is None:
            name = value
        elif key == "version" and version is None:
            version = value
        i += 1
    return (name or None, version or None)


def decode_headers(data: bytes, truncated: bool) -> str:
    """Strict UTF-8; a multi-byte character cut by the read limit is dropped. Raises
    UnicodeDecodeError for anything else."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        if truncated and e.end == len(data) and e.reason == "unexpected end of data":
            return data[: e.start].decode("utf-8")
        raise


# NUL, the other C0 controls but tab, DEL and the C1 controls: never part of a name or version.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _js_prefix(s: str, units: int) -> str:
    """``s.slice(0, units)`` of JavaScript: the first ``units`` UTF-16 code units (a pair cut in
    half leaves a lone surrogate, as there)."""
    return s.encode("utf-16-le", "surrogatepass")[: 2 * units].decode("utf-16-le", "surrogatepass")


def read_core_metadata(data: bytes, file: str) -> Tuple[Optional[str], Optional[str], List[Diagnostic]]:
    """Name, Version and the diagnostics of METADATA / PKG-INFO bytes, as src/python/metadata.ts
    ``readCoreMetadata`` (docs/spec.md §4.1.2): strict UTF-8 as importlib reads them, else U+FFFD
    for the bad bytes with EP211; a Name or Version holding a control character kept with EP212.
    A byte order mark is kept (TextDecoder with ignoreBOM), as there. The messages are the
    TypeScript side's, byte for byte: they are part of the cache."""
    from ._text import quote

    diagnostics: List[Diagnostic] = []
    base = file[max(file.rfind("/"), file.rfind("\\")) + 1:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
        diagnostics.append(Diagnostic("EP211", f"{base} is not valid UTF-8 (importlib.metadata raises UnicodeDecodeError reading it); "
                                               "its Name and Version are read with U+FFFD for the bad bytes", file))
    name, version = read_name_version(text)
    for key, value in (("Name", name), ("Version", version)):
        if value is not None and _CONTROL.search(value):
            shown = _js_prefix(value, 80) + "\u2026" if len(value.encode("utf-16-le", "surrogatepass")) > 160 else value
            diagnostics.append(Diagnostic("EP212", f"{base} {key} {quote(shown)} holds a control character; kept, as importlib.metadata keeps it", file))
    return name, version, diagnostics


#: email.feedparser.headerRE: a field name and a colon, a continuation, or a ``From `` line.
_HEADER_LINE = re.compile(r"^(From |[\041-\071\073-\176]*:|[\t ])")


def importlib_headers(text: str) -> Tuple[Optional[str], Optional[str]]:
    """``dist.metadata['Name']`` and ``['Version']`` exactly as importlib.metadata returns them
    from ``text`` (the whole METADATA / PKG-INFO, strictly decoded), or None where that cannot
    be stated from the text alone (absent, or continued on further lines). The rules of
    ``email.message_from_string`` (compat32) for these two fields — src/python/metadata.ts
    ``importlibHeaders``, which must give the same answers (docs/spec.md §5.2)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    match = _HEADER_LINE.match
    # Not str.splitlines, which also splits at \v, \f, \x1c-\x1e, \x85, \u2028, \u2029: email does not.
    at = 0
    n = len(text)
    while at < n:
        nl = text.find("\n", at)
        line = text[at:] if nl < 0 else text[at : nl + 1]
        if not match(line):
            break
        lines.append(line)
        at = n if nl < 0 else nl + 1
    found = {}
    field = ""
    value: List[str] = []

    def emit() -> None:
        key = field.lower()
        if key in ("name", "version") and key not in found:
            found[key] = None if len(value) > 1 else value[0][len(field) + 1 :].lstrip(" \t").rstrip("\r\n")

    last = len(lines) - 1
    for i, line in enumerate(lines):
        if line[0] in " \t":
            if field:
                value.append(line)
            continue
        if field:
            emit()
            field, value = "", []
        if line.startswith("From "):
            if i == last and i > 0:
                break  # email pushes it back: the body's first line
            continue
        colon = line.find(":")
        if colon == 0:
            continue
        field, value = line[:colon], [line]
    if field:
        emit()
    return found.get("name"), found.get("version")

"""The two facts discovery takes from METADATA / PKG-INFO: the ``Name`` and ``Version`` headers.

As ``email.message_from_string`` reads headers: they end at the first empty line, a header
continues on lines starting with a space or a tab, the first occurrence wins. A port of
src/python/metadata.ts (including its ``trim``), so both sides read the same name.
"""
from __future__ import annotations

import re
from typing import Optional, Tuple

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

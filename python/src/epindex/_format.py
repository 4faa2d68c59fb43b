"""The cache file, format v3 (docs/spec.md §5; coord/cache-v3.md §C): serialization and the
lazily parsed, lazily verified reading of one file.

JSON Lines: a header, then one line per section. The header gives each section's byte range
and CRC-32, and ends with the CRC-32 of its own bytes, so a group lookup parses and verifies
only what it reads. The same directory state gives the same bytes as the TypeScript writer.
"""
from __future__ import annotations

import json
import zlib
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from ._diagnostics import Diagnostic
from ._discover import Dist, Scan, Stamp, stamp_time_ns, RACY_WINDOW_NS
from ._reference import parse_reference
from ._text import js_json, utf16_key
from ._view import DistRef, Row, View

FORMAT = "epindex-cache"
VERSION = 3
SOURCE = "python"


class CacheError(Exception):
    """A cache that cannot be believed: ``code`` is EP301 (corrupt), EP302 (foreign) or EP303 (checksum)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _ref(value: str) -> Any:
    r = parse_reference(value)
    return r if isinstance(r, str) else [r.module, r.attr, list(r.extras)]


def _flat(stamps: List[Stamp]) -> List[int]:
    out: List[int] = []
    for s in stamps:
        out.extend(s)
    return out


def _racy(stamps: List[Stamp], scanned_ns: int) -> List[int]:
    return [i for i, s in enumerate(stamps) if stamp_time_ns(s) >= scanned_ns - RACY_WINDOW_NS]


def content_sections(scan: Scan) -> List[Tuple[str, Any]]:
    """The sections that depend only on what the files say (not on their stamps)."""
    groups: Dict[str, Tuple[List[Any], List[Any], Dict[int, int]]] = {}
    for i, r in enumerate(scan.dists):
        if not r.winner:
            continue
        for e in r.entries:
            g = groups.get(e.group)
            if g is None:
                g = groups[e.group] = ([], [], {})
            k = g[2].get(i)
            if k is None:
                k = g[2][i] = len(g[0])
                g[0].append([i, r.child, r.name, r.normalized_name, r.version, r.layout, 1 if r.real else 0])
            g[1].append([k, e.name, e.value, e.line, _ref(e.value)])
    winners = [r for r in scan.dists if r.winner]
    sections: List[Tuple[str, Any]] = [
        ("dists", [[r.child, r.name, r.normalized_name, r.version, r.layout, 1 if r.real else 0, 1 if r.winner else 0] for r in scan.dists]),
        ("names", {"real": sorted(r.normalized_name for r in winners if r.real), "leftover": sorted(r.normalized_name for r in winners if not r.real)}),
        ("diagnostics", [[i, d.code, d.file, d.line, d.message] for i, d in scan.all_diagnostics()]),
    ]
    for name in sorted(groups, key=utf16_key):
        sections.append(("g:" + name, {"dists": groups[name][0], "eps": groups[name][1]}))
    return sections


def serialize(scan: Scan, real_path: str, scanned_ns: int) -> bytes:
    """The whole file for a scan made with stamps."""
    assert scan.stamp is not None
    checks_paths: List[str] = []
    checks_stamps: List[Stamp] = []
    full_paths: List[str] = []
    full_stamps: List[Stamp] = []
    for r in scan.dists:
        if r.stamps is not None:
            for p, s in r.stamps[0]:
                checks_paths.append(p)
                checks_stamps.append(s)
            for p, s in r.stamps[1]:
                full_paths.append(p)
                full_stamps.append(s)
    content = content_sections(scan)
    sections: List[Tuple[str, Any]] = [
        content[0],
        content[1],
        ("listing", {"names": scan.listing, "stamps": _flat(scan.listing_stamps)}),
        ("checks", {"paths": checks_paths, "stamps": _flat(checks_stamps), "racy": _racy(checks_stamps, scanned_ns)}),
        ("full", {"paths": full_paths, "stamps": _flat(full_stamps), "racy": _racy(full_stamps, scanned_ns)}),
        *content[2:],
    ]
    index: Dict[str, List[int]] = {}
    body: List[bytes] = []
    offset = 0
    for name, value in sections:
        line = js_json(value).encode("utf-8", "surrogatepass")
        index[name] = [offset, len(line) + 1, zlib.crc32(line)]
        body.append(line)
        body.append(b"\n")
        offset += len(line) + 1
    diags = scan.all_diagnostics()
    counts = {"error": 0, "warning": 0, "info": 0}
    for _, d in diags:
        counts[d.severity] += 1
    header: Dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "source": SOURCE,
        "kind": scan.kind,
        "realPath": real_path,
        "dev": scan.dev,
        "entry": list(scan.stamp),
        "scanned": [scanned_ns // 1_000_000_000, scanned_ns % 1_000_000_000],
        "distributions": len(scan.dists),
        "entryPoints": sum(len(r.entries) for r in scan.dists if r.winner),
        "counts": counts,
        "codes": sorted({d.code for _, d in diags}),
        "bodyBytes": offset,
        "sections": index,
    }
    head = js_json(header)
    crc = zlib.crc32((head[:-1] + "}").encode("utf-8", "surrogatepass"))
    head = head[:-1] + ',"crc":' + str(crc) + "}"
    return head.encode("utf-8", "surrogatepass") + b"\n" + b"".join(body)


def _loads(b: bytes) -> Any:
    return json.loads(b.decode("utf-8", "surrogatepass"))


class CachedEntry(View):
    """One cache file, read and verified section by section, as a lookup needs it."""

    def __init__(self, data: bytes, path_entry: str) -> None:
        nl = data.find(b"\n")
        if nl < 0:
            raise CacheError("EP301", "no header line")
        head = data[:nl]
        try:
            header = _loads(head)
        except (ValueError, UnicodeDecodeError) as e:
            raise CacheError("EP301", f"the header is not JSON ({e})") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise CacheError("EP301", "not an epindex cache")
        if header.get("version") != VERSION:
            raise CacheError("EP302", f"format version {header.get('version')!r}, expected {VERSION}")
        if header.get("source") != SOURCE:
            raise CacheError("EP302", f"a cache of {header.get('source')!r} path entries, not {SOURCE!r}")
        cut = head.rfind(b',"crc":')
        if cut < 0 or zlib.crc32(head[:cut] + b"}") != header.get("crc"):
            raise CacheError("EP303", "the header's checksum does not match")
        try:
            self.body_bytes = int(header["bodyBytes"])
            self.sections: Dict[str, List[int]] = header["sections"]
            self.kind: str = header["kind"]
            self.real_path: str = header["realPath"]
            self.dev: int = header["dev"]
            self.entry: Stamp = tuple(header["entry"])  # type: ignore[assignment]
            s = header["scanned"]
            self.scanned_ns: int = s[0] * 1_000_000_000 + s[1]
            self.distributions: int = header["distributions"]
            self.codes: FrozenSet[str] = frozenset(header["codes"])
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise CacheError("EP301", f"the header lacks {e}") from None
        if len(data) - nl - 1 < self.body_bytes:
            raise CacheError("EP301", f"truncated: {len(data) - nl - 1} of {self.body_bytes} body bytes")
        if len(data) - nl - 1 > self.body_bytes:
            raise CacheError("EP303", "longer than its header says")
        self.header = header
        self.path_entry = path_entry
        self._data = data
        self._base = nl + 1
        self._parsed: Dict[str, Any] = {}
        self._raw: Dict[str, bytes] = {}
        self._rows: Dict[str, List[Row]] = {}
        self._names: Optional[Tuple[FrozenSet[str], FrozenSet[str]]] = None
        self._dists: Optional[List[Tuple[DistRef, bool]]] = None

    def raw(self, name: str) -> Optional[bytes]:
        """A section's line (verified), None when the cache has no such section."""
        got = self._raw.get(name)
        if got is not None:
            return got
        ref = self.sections.get(name)
        if ref is None:
            return None
        try:
            off, length, crc = ref
            line = self._data[self._base + off : self._base + off + length - 1]
        except (TypeError, ValueError):
            raise CacheError("EP301", f"section {name} is malformed in the header") from None
        if len(line) != length - 1 or self._data[self._base + off + length - 1 : self._base + off + length] != b"\n":
            raise CacheError("EP301", f"section {name} is out of bounds")
        if zlib.crc32(line) != crc:
            raise CacheError("EP303", f"section {name}'s checksum does not match")
        self._raw[name] = line
        return line

    def section(self, name: str) -> Any:
        if name in self._parsed:
            return self._parsed[name]
        line = self.raw(name)
        try:
            value = None if line is None else _loads(line)
        except (ValueError, UnicodeDecodeError) as e:
            raise CacheError("EP301", f"section {name} is not JSON ({e})") from None
        self._parsed[name] = value
        return value

    def prepare(self, group: Optional[str]) -> None:
        """Parse and verify what a lookup of ``group`` (None: everything) reads, so that a
        damaged section makes the cache ignored now rather than failing the lookup later."""
        try:
            self.names()
            if group is None:
                self.rows(None)
                self.dists()
                self.diagnostics()
            else:
                self.rows(group)
        except CacheError:
            raise
        except (TypeError, ValueError, IndexError, KeyError, AttributeError) as e:
            raise CacheError("EP301", f"a section is malformed ({type(e).__name__}: {e})") from None

    # -- View

    def names(self) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        if self._names is None:
            n = self.section("names")
            self._names = (frozenset(n["real"]), frozenset(n["leftover"]))
        return self._names

    def rows(self, group: Optional[str]) -> List[Row]:
        if group is None:
            got = self._rows.get("\0all")
            if got is None:
                every: List[Row] = []
                for name in self.sections:
                    if name.startswith("g:"):
                        every.extend(self.rows(name[2:]))
                every.sort(key=lambda r: (r.dist.index, r.line))
                got = self._rows["\0all"] = every
            return got
        got = self._rows.get(group)
        if got is None:
            sec = self.section("g:" + group)
            if sec is None:
                got = []
            else:
                refs = [DistRef(d[0], d[1], d[2], d[3], d[4], d[5], bool(d[6])) for d in sec["dists"]]
                got = [Row(refs[e[0]], group, e[1], e[2], e[3]) for e in sec["eps"]]
            self._rows[group] = got
        return got

    def dists(self) -> List[Tuple[DistRef, bool]]:
        if self._dists is None:
            self._dists = [(DistRef(i, d[0], d[1], d[2], d[3], d[4], bool(d[5])), bool(d[6])) for i, d in enumerate(self.section("dists"))]
        return self._dists

    def diagnostics(self) -> List[Tuple[int, Diagnostic]]:
        return [(d[0], Diagnostic(d[1], d[4], d[2], d[3])) for d in self.section("diagnostics")]

    def stamp_table(self, name: str) -> Tuple[List[str], List[Tuple[int, int, int, int]], List[int]]:
        """A stamps section (``checks`` or ``full``) as (native paths, (ino, size, mtime_ns,
        ctime_ns) per path, racy indices), converted once per cache."""
        key = "\0stamps:" + name
        got = self._parsed.get(key)
        if got is None:
            import os

            c = self.section(name)
            st = c["stamps"]
            paths = c["paths"] if os.sep == "/" else [p.replace("/", os.sep) for p in c["paths"]]
            table = [(st[k], st[k + 1], st[k + 2] * 1_000_000_000 + st[k + 3], st[k + 4] * 1_000_000_000 + st[k + 5]) for k in range(0, len(st), 6)]
            got = self._parsed[key] = (paths, table, c["racy"])
        return got

    def several_of_one_name(self) -> bool:
        got = self._parsed.get("\0several")
        if got is None:
            real, leftover = self.names()
            got = self._parsed["\0several"] = self.distributions != len(real) + len(leftover)
        return bool(got)

    def same_content(self, scan: Scan) -> bool:
        """Whether a new scan says what this cache says (the racy rule's re-read)."""
        sections = content_sections(scan)
        if {n for n, _ in sections} != {n for n in self.sections if n not in ("listing", "checks", "full")}:
            return False
        for name, value in sections:
            if self.raw(name) != js_json(value).encode("utf-8", "surrogatepass"):
                return False
        return True

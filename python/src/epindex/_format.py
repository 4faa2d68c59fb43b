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
from ._discover import Dist, Scan, Stamp, is_racy
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
    from ._reference import parse_reference

    r = parse_reference(value)
    if isinstance(r, str):
        return r
    if not r.extras and value == (r.module if r.attr is None else f"{r.module}:{r.attr}"):
        return 0  # the canonical form: a reader splits the value at its colon
    return [r.module, r.attr, list(r.extras)]


_DIST_COLUMNS = ("child", "name", "normalizedName", "version", "layout", "real")


def _dist_columns(rows: List[Dist], index: bool) -> Dict[str, List[Any]]:
    cols: Dict[str, List[Any]] = {"index": []} if index else {}
    for k in _DIST_COLUMNS:
        cols[k] = []
    for r in rows:
        cols["child"].append(r.child)
        cols["name"].append(r.name)
        cols["normalizedName"].append(r.normalized_name)
        cols["version"].append(r.version)
        cols["layout"].append(r.layout)
        cols["real"].append(1 if r.real else 0)
    return cols


def _columns(obj: Any, keys: Tuple[str, ...], what: str) -> int:
    """The common length of ``obj``'s columns ``keys``; CacheError when they are not lists of one length."""
    if not isinstance(obj, dict):
        raise CacheError("EP301", f"{what} is not an object")
    n = -1
    for k in keys:
        c = obj.get(k)
        if not isinstance(c, list) or (n >= 0 and len(c) != n):
            raise CacheError("EP301", f"{what}: column {k} is missing or of another length")
        n = len(c)
    return n


def _flat(stamps: List[Stamp]) -> List[int]:
    out: List[int] = []
    for st in stamps:
        out.extend(st)
    return out


def unit_digest(r: Dist) -> int:
    """CRC-32 of the compact JSON of [name, normalizedName, version, layout, real,
    [[group, name, value, line]...], [[code, file, line, message]...]] (docs/spec.md §5.2)."""
    doc = [r.name, r.normalized_name, r.version, r.layout, 1 if r.real else 0,
           [[e.group, e.name, e.value, e.line] for e in r.entries],
           [[d.code, d.file, d.line, d.message] for d in r.diagnostics]]
    return zlib.crc32(js_json(doc).encode("utf-8", "surrogatepass"))


def serialize(scan: Scan, real_path: str) -> bytes:
    """The whole file for a scan made with stamps (deterministic: no time in the bytes)."""
    assert scan.stamp is not None
    groups: Dict[str, Tuple[List[Dist], Dict[str, List[Any]], Dict[int, int], List[int]]] = {}
    checks: List[Tuple[str, Stamp]] = []
    full: List[Tuple[str, Stamp]] = []
    real: List[str] = []
    leftover: List[str] = []
    entry_points = 0
    for i, r in enumerate(scan.dists):
        for path, level, stamp in r.watches:
            (checks if level == "stat" else full).append((path, stamp))
        if not r.winner:
            continue
        (real if r.real else leftover).append(r.normalized_name)
        for e in r.entries:
            g = groups.get(e.group)
            if g is None:
                g = groups[e.group] = ([], {"dist": [], "name": [], "value": [], "line": [], "ref": []}, {}, [])
            k = g[2].get(i)
            if k is None:
                k = g[2][i] = len(g[0])
                g[0].append(r)
                g[3].append(i)
            eps = g[1]
            eps["dist"].append(k)
            eps["name"].append(e.name)
            eps["value"].append(e.value)
            eps["line"].append(e.line)
            eps["ref"].append(_ref(e.value))
            entry_points += 1
    diags = scan.all_diagnostics()
    dists = _dist_columns(scan.dists, False)
    dists["winner"] = [1 if r.winner else 0 for r in scan.dists]
    dists["digest"] = [unit_digest(r) for r in scan.dists]
    sections: List[Tuple[str, Any]] = [
        ("dists", dists),
        ("names", {"real": sorted(real), "leftover": sorted(leftover)}),
        ("listing", {"names": scan.listing, "stamps": _flat(scan.listing_stamps), "dirs": [], "dirStamps": []}),
        ("checks", {"paths": [p for p, _ in checks], "stamps": _flat([st for _, st in checks])}),
        ("full", {"paths": [p for p, _ in full], "stamps": _flat([st for _, st in full])}),
        ("diagnostics", [[i, d.code, d.file, d.line, d.message] for i, d in diags]),
    ]
    for name in sorted(groups):  # code point order, as compareCodePoints
        members, eps, _, indexes = groups[name]
        cols = _dist_columns(members, True)
        cols["index"] = indexes
        sections.append(("g:" + name, {"dists": cols, "eps": eps}))
    index: List[str] = []
    body: List[bytes] = []
    offset = 0
    for name, value in sections:
        line = js_json(value).encode("utf-8", "surrogatepass")
        index.append(f"{js_json(name)}:[{offset},{len(line) + 1},{zlib.crc32(line)}]")
        body.append(line)
        body.append(b"\n")
        offset += len(line) + 1
    counts = {"error": 0, "warning": 0, "info": 0}
    for _, d in diags:
        counts[d.severity] += 1
    head = (f'{{"format":"{FORMAT}","version":{VERSION},"source":"{SOURCE}","kind":{js_json(scan.kind)}'
            f',"realPath":{js_json(real_path)},"dev":{js_json(scan.dev)},"entry":{js_json(list(scan.stamp))}'
            f',"distributions":{len(scan.dists)},"entryPoints":{entry_points},"counts":{js_json(counts)}'
            f',"codes":{js_json(sorted({d.code for _, d in diags}, key=utf16_key))}'
            f',"bodyBytes":{offset},"sections":{{{",".join(index)}}}')
    head_bytes = head.encode("utf-8", "surrogatepass")
    crc = zlib.crc32(b"}", zlib.crc32(head_bytes))
    return head_bytes + f',"crc":{crc}}}\n'.encode() + b"".join(body)


def _loads(b: bytes) -> Any:
    return json.loads(b.decode("utf-8", "surrogatepass"))


class CachedEntry(View):
    """One cache file, read and verified section by section, as a lookup needs it."""

    def __init__(self, data: bytes, path_entry: str, scanned: Tuple[int, int] = (0, 0)) -> None:
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
            self.source: str = header["source"]
            #: The scan's start: the cache file's mtime (sec, nsec).
            self.scanned: Tuple[int, int] = scanned
            self.scanned_ns: int = scanned[0] * 1_000_000_000 + scanned[1]
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
                ds, eps = sec["dists"], sec["eps"]
                n = _columns(ds, ("index",) + _DIST_COLUMNS, f"g:{group} dists")
                _columns(eps, ("dist", "name", "value", "line", "ref"), f"g:{group} eps")
                refs = [DistRef(*t) for t in zip(ds["index"], ds["child"], ds["name"], ds["normalizedName"], ds["version"], ds["layout"], map(bool, ds["real"]))]
                if any(not isinstance(k, int) or k < 0 or k >= n for k in eps["dist"]):
                    raise CacheError("EP301", f"g:{group}: an entry point of no distribution")
                got = [Row(refs[k], group, name, value, line) for k, name, value, line in zip(eps["dist"], eps["name"], eps["value"], eps["line"])]
            self._rows[group] = got
        return got

    def dists(self) -> List[Tuple[DistRef, bool]]:
        if self._dists is None:
            ds = self.section("dists")
            _columns(ds, _DIST_COLUMNS + ("winner", "digest"), "dists")
            self._dists = [
                (DistRef(i, *t[:5], bool(t[5])), bool(t[6]))
                for i, t in enumerate(zip(ds["child"], ds["name"], ds["normalizedName"], ds["version"], ds["layout"], ds["real"], ds["winner"]))
            ]
            self._digests = dict(zip(ds["child"], ds["digest"]))
        return self._dists

    def diagnostics(self) -> List[Tuple[int, Diagnostic]]:
        return [(d[0], Diagnostic(d[1], d[4], d[2], d[3])) for d in self.section("diagnostics")]

    def stamp_table(self, name: str) -> Tuple[List[str], List[Tuple[int, int, int, int]], List[str]]:
        """A stamps section (``checks`` or ``full``) as (native paths, (ino, size, mtime_ns,
        ctime_ns) per path, the candidates of racy stamps), converted once per cache."""
        key = "\0stamps:" + name
        got = self._parsed.get(key)
        if got is None:
            import os

            c = self.section(name)
            st = c["stamps"]
            paths = c["paths"] if os.sep == "/" else [p.replace("/", os.sep) for p in c["paths"]]
            table = [(st[k], st[k + 1], st[k + 2] * 1_000_000_000 + st[k + 3], st[k + 4] * 1_000_000_000 + st[k + 5]) for k in range(0, len(st), 6)]
            # The racy rule in integer nanoseconds (the TypeScript side compares milliseconds as
            # doubles; the two can differ only below 0.3 µs, and a racy stamp only costs a re-read).
            limit = self.scanned_ns - 2_000_000_000
            racy = sorted({c["paths"][i].split("/", 1)[0] for i, t in enumerate(table) if t[2] >= limit or t[3] >= limit})
            got = self._parsed[key] = (paths, table, racy)
        return got

    def several_of_one_name(self) -> bool:
        got = self._parsed.get("\0several")
        if got is None:
            real, leftover = self.names()
            got = self._parsed["\0several"] = self.distributions != len(real) + len(leftover)
        return bool(got)

    def digests(self) -> Dict[str, int]:
        """child -> the unit's digest (from ``dists``)."""
        self.dists()
        return self._digests

    def same_units(self, units: List[Dist]) -> bool:
        """Whether a rescan's units are this cache's (children and digests, in order)."""
        ds = self.section("dists")
        n = _columns(ds, ("child", "digest"), "dists")
        return n == len(units) and all(child == u.child and digest == unit_digest(u) for child, digest, u in zip(ds["child"], ds["digest"], units))

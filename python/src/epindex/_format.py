"""Writing the cache file, format v4 (docs/spec.md §5.2): the same bytes as the TypeScript
writer (src/cache/format.ts serializeCache) for the same directory state. Reading is
_cachefile.py's.

JSON Lines: a header, then one line per section. The header gives each section's byte range
and CRC-32, and ends with the CRC-32 of its own bytes, so a group lookup parses and verifies
only what it reads.
"""
from __future__ import annotations

import re
import zlib
from typing import Any, Dict, List, Optional, Tuple

from ._cachefile import FORMAT, VERSION
from ._discover import Dist, Scan, Stamp
from ._text import js_json, utf16_key

SOURCE = "python"


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


def _flat(stamps: List[Stamp]) -> List[int]:
    out: List[int] = []
    for st in stamps:
        out.extend(st)
    return out


def unit_digest(r: Dist) -> int:
    """CRC-32 of the compact JSON of [name, normalizedName, version, layout, real,
    [[group, name, value, line]...], [[code, file, line, message]...]], with the unit's extra
    ([Name, Version] as importlib reads them) appended when the scan recorded it (docs/spec.md §5.2)."""
    doc: List[Any] = [r.name, r.normalized_name, r.version, r.layout, 1 if r.real else 0,
                      [[e.group, e.name, e.value, e.line] for e in r.entries],
                      [[d.code, d.file, d.line, d.message] for d in r.diagnostics]]
    if r.extra is not None:
        doc.append(list(r.extra))
    return zlib.crc32(js_json(doc).encode("utf-8", "surrogatepass"))


def lookup_key(child: str) -> str:
    """importlib's ``Lookup`` key of a ``*.dist-info`` / ``*.egg-info`` name: ``Prepared.normalize``
    of the text before the first ``-`` of the lowercased name without its suffix."""
    low = child.lower()
    return re.sub(r"[-_.]+", "_", low[: low.rfind(".")].partition("-")[0])


def importlib_section(scan: Scan) -> Dict[str, Any]:
    """The ``importlib`` section (docs/spec.md §5.2; src/python/importlib.ts, same bytes)."""
    from ._discover import entry_is_egg

    egg = entry_is_egg(scan.path_entry or ".")
    unit_of = {r.child: i for i, r in enumerate(scan.dists)}
    listing = scan.listing
    grouped = all(n.isascii() for n in listing)
    if grouped:
        infos: Dict[str, List[str]] = {}
        eggs: List[str] = []
        for n in listing:
            if egg and n.lower() == "egg-info":
                eggs.append(n)
            else:
                infos.setdefault(lookup_key(n), []).append(n)
        child: List[str] = []
        key: List[Optional[str]] = []
        for k, members in infos.items():
            child.extend(members)
            key.extend([k] * len(members))
        child.extend(eggs)
        key.extend([None] * len(eggs))
    else:
        child = list(listing)
        key = [None] * len(listing)
    name: List[Optional[str]] = []
    version: List[Optional[str]] = []
    start = [0]
    ep_group: List[str] = []
    ep_name: List[str] = []
    ep_value: List[str] = []
    for r in scan.dists:
        facts = r.extra or (None, None)
        name.append(facts[0])
        version.append(facts[1])
        for e in r.entries:
            ep_group.append(e.group)
            ep_name.append(e.name)
            ep_value.append(e.value)
        start.append(len(ep_name))
    groups = sorted(set(ep_group))
    index = {g: i for i, g in enumerate(groups)}
    return {"egg": 1 if egg else 0, "grouped": 1 if grouped else 0, "child": child, "key": key, "unit": [unit_of.get(n, -1) for n in child],
            "name": name, "version": version, "start": start, "groups": groups, "group": [index[g] for g in ep_group], "epName": ep_name, "epValue": ep_value}


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
    if scan.kind == "directory":
        sections.append(("importlib", importlib_section(scan)))
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

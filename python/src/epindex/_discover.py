"""Discovery in ONE search-path entry: a directory (site-packages, an ``.egg`` directory, a
source checkout with ``*.egg-info``) or a zip archive. The result is plain data, what the
cache stores. A port of src/python/discover.ts with the v3 rules (coord/cache-v3.md §A):
names from the metadata's ``Name`` header, importlib's in-directory order.

Only the children of the path entry are examined (never recursively); nothing raises for
anything the filesystem does: problems become diagnostics.
"""
from __future__ import annotations

import errno
import os
import stat as S
from functools import cmp_to_key
from typing import Dict, List, NamedTuple, Optional, Tuple

from ._diagnostics import Diagnostic
from ._metadata import HEADER_LIMIT, decode_headers, read_name_version
from ._reader import Line, read_entry_points
from ._text import utf16_key
from ._versions import compare_versions_descending

Stamp = Tuple[int, int, int, int, int, int]
ZERO_STAMP: Stamp = (0, 0, 0, 0, 0, 0)
RACY_WINDOW_NS = 2_000_000_000


def _split_ns(ns: int) -> Tuple[int, int]:
    # Truncating division, as the TypeScript side's BigInt arithmetic does.
    q = abs(ns) // 1_000_000_000
    r = abs(ns) - q * 1_000_000_000
    return (q, r) if ns >= 0 else (-q, -r)


def stamp_of(st: os.stat_result) -> Stamp:
    ms, mn = _split_ns(st.st_mtime_ns)
    cs, cn = _split_ns(st.st_ctime_ns)
    return (st.st_ino, st.st_size, ms, mn, cs, cn)


def stamp_time_ns(s: Stamp) -> int:
    """``max(mtime, ctime)`` of a stamp, what the racy rule compares."""
    return max(s[2] * 1_000_000_000 + s[3], s[4] * 1_000_000_000 + s[5])


def errno_code(e: OSError) -> str:
    return errno.errorcode.get(e.errno or 0, "EIO") if e.errno else "EIO"


def normalize_name(name: str) -> str:
    """PEP 503: runs of ``-_.`` become ``-``, lower case (as the TypeScript side)."""
    out = []
    run = False
    for ch in name:
        if ch in "-_.":
            if not run:
                out.append("-")
            run = True
        else:
            out.append(ch)
            run = False
    return "".join(out).lower()


class Dist:
    """One candidate that is a distribution. ``real``: has METADATA/PKG-INFO (else a leftover)."""

    __slots__ = ("child", "name", "normalized_name", "version", "layout", "real", "winner", "entries", "diagnostics", "stamps")

    def __init__(self, child: str, name: str, normalized_name: str, version: Optional[str], layout: str, real: bool,
                 entries: List[Line], diagnostics: List[Diagnostic]) -> None:
        self.child = child
        self.name = name
        self.normalized_name = normalized_name
        self.version = version
        self.layout = layout
        self.real = real
        self.winner = False
        self.entries = entries
        self.diagnostics = diagnostics
        #: (checks, full): lists of (relative path, stamp), when the scan records stamps.
        self.stamps: Optional[Tuple[List[Tuple[str, Stamp]], List[Tuple[str, Stamp]]]] = None

    def key(self) -> tuple:
        return (self.layout, self.name, self.version, self.real, tuple(self.entries), tuple(self.diagnostics))


class Scan(NamedTuple):
    path_entry: str
    #: ``directory``, ``zip``, ``missing`` or ``unsearchable``.
    kind: str
    #: In importlib's in-directory order, each name's winner first (cache-v3 A.2).
    dists: List[Dist]
    #: About the path entry itself and candidates that gave no distribution.
    diagnostics: List[Diagnostic]
    #: Candidate names in listing order.
    listing: List[str]
    #: One per listing name (zero for zips and unstat-able candidates); empty without stamps.
    listing_stamps: List[Stamp]
    #: The entry's own stamp and dev, when stamps were recorded.
    stamp: Optional[Stamp]
    dev: int

    def all_diagnostics(self) -> List[Tuple[int, Diagnostic]]:
        out = [(-1, d) for d in self.diagnostics]
        for i, r in enumerate(self.dists):
            out.extend((i, d) for d in r.diagnostics)
        return out


def candidate_layout(child: str, entry_is_egg: bool) -> Optional[str]:
    """Classify a child as importlib's ``Lookup`` does (case-insensitive suffix)."""
    low = child.lower()
    if low.endswith(".dist-info"):
        return "dist-info"
    if low.endswith(".egg-info"):
        return "egg-info"
    if entry_is_egg and low == "egg-info":
        return "egg"
    return None


def entry_is_egg(path_entry: str) -> bool:
    return os.path.basename(path_entry).lower().endswith(".egg")


def split_stem(stem: str) -> Tuple[str, Optional[str]]:
    name, dash, rest = stem.partition("-")
    if not dash:
        return stem, None
    version = rest.partition("-")[0]
    return name, (version or None)


_LAYOUT_RANK = {"dist-info": 0, "egg-info": 1, "egg": 2, "egg-info-file": 3}


def compare_preference(a: Dist, b: Dist) -> int:
    """Among candidates of one normalized name in one path entry: real before leftover, higher
    PEP 440 version, dist-info > egg-info > egg > egg-info file, then child name. <0: ``a`` first."""
    if a.real != b.real:
        return -1 if a.real else 1
    v = 0 if a.version == b.version else compare_versions_descending(a.version, b.version)
    if v:
        return v
    l = _LAYOUT_RANK[a.layout] - _LAYOUT_RANK[b.layout]
    if l:
        return l
    ka, kb = utf16_key(a.child), utf16_key(b.child)
    return -1 if ka < kb else (1 if ka > kb else 0)


def order_dists(records: List[Dist]) -> List[Dist]:
    """importlib's in-directory order: names by their first candidate's listing position
    (records arrive in listing order); within a name, by preference; the first is the winner."""
    by_name: Dict[str, List[Dist]] = {}
    for r in records:
        by_name.setdefault(r.normalized_name, []).append(r)
    out: List[Dist] = []
    for group in by_name.values():
        if len(group) > 1:
            group.sort(key=cmp_to_key(compare_preference))
        group[0].winner = True
        out.extend(group)
    return out


def _stat(p: str) -> Optional[os.stat_result]:
    try:
        return os.stat(p)
    except OSError:
        return None


def scan_path_entry(path_entry: str, stamps: bool = False) -> Scan:
    """Scan one search-path entry. Never raises for anything the filesystem does."""
    root = path_entry or "."
    try:
        st = os.stat(root)
    except OSError as e:
        code = errno_code(e)
        if code in ("ENOENT", "ENOTDIR"):
            return Scan(path_entry, "missing", [], [], [], [], None, 0)
        if code == "ELOOP":
            return Scan(path_entry, "unsearchable", [], [Diagnostic("EP204", "path entry is a symbolic link loop", "")], [], [], None, 0)
        return Scan(path_entry, "unsearchable", [], [Diagnostic("EP203", f"path entry cannot be read ({code})", "")], [], [], None, 0)
    stamp = stamp_of(st) if stamps else None
    if S.S_ISDIR(st.st_mode):
        return _scan_directory(path_entry, root, stamp, st.st_dev, stamps)
    if S.S_ISREG(st.st_mode):
        from ._zip import scan_zip

        return scan_zip(path_entry, root, stamp, st.st_dev)
    return Scan(path_entry, "unsearchable", [], [], [], [], stamp, st.st_dev)


def list_candidates(root: str, is_egg: bool) -> List[os.DirEntry]:
    """The candidate children of a directory, in listing order; raises the listing's OSError."""
    with os.scandir(root) as it:
        return [d for d in it if candidate_layout(d.name, is_egg) is not None]


def list_candidate_names(root: str) -> List[str]:
    is_egg = entry_is_egg(root)
    return [n for n in os.listdir(root) if candidate_layout(n, is_egg) is not None]


def _scan_directory(path_entry: str, root: str, stamp: Optional[Stamp], dev: int, stamps: bool) -> Scan:
    is_egg = entry_is_egg(root)
    try:
        dirents = list_candidates(root, is_egg)
    except OSError as e:
        return Scan(path_entry, "unsearchable", [], [Diagnostic("EP203", f"path entry cannot be listed ({errno_code(e)})", "")], [], [], stamp, dev)
    diagnostics: List[Diagnostic] = []
    records: List[Dist] = []
    listing_stamps: List[Stamp] = []
    for d in dirents:
        try:
            kind = "unknown" if d.is_symlink() else ("dir" if d.is_dir(follow_symlinks=False) else ("file" if d.is_file(follow_symlinks=False) else "unknown"))
        except OSError:
            kind = "unknown"
        record, diags, self_stamp = scan_candidate(root, d.name, kind, is_egg, stamps)
        if stamps:
            listing_stamps.append(self_stamp or ZERO_STAMP)
        if record is not None:
            records.append(record)
        diagnostics.extend(diags)
    return Scan(path_entry, "directory", order_dists(records), diagnostics, [d.name for d in dirents], listing_stamps, stamp, dev)


def _read_metadata(path: str, stamps: bool) -> Tuple[Optional[str], Optional[str], Optional[Stamp]]:
    """Name and Version headers of one metadata file; raises OSError / UnicodeDecodeError."""
    with open(path, "rb") as f:
        data = f.read(HEADER_LIMIT + 1)
        st = os.fstat(f.fileno()) if stamps else None
    truncated = len(data) > HEADER_LIMIT
    text = decode_headers(data[:HEADER_LIMIT], truncated)
    name, version = read_name_version(text)
    return name, version, (stamp_of(st) if st is not None else None)


def scan_candidate(root: str, child: str, kind: str, is_egg: bool, stamps: bool = False) -> Tuple[Optional[Dist], List[Diagnostic], Optional[Stamp]]:
    """Scan one candidate child: (the distribution or None, diagnostics about a candidate that
    gave none, the candidate's own stamp when recorded)."""
    full = os.path.join(root, child)
    layout0 = candidate_layout(child, is_egg)
    if layout0 is None:
        return None, [], None
    self_st: Optional[os.stat_result] = None
    if kind == "unknown" or stamps:
        try:
            self_st = os.stat(full)
        except OSError as e:
            code = errno_code(e)
            if code == "ELOOP":
                return None, [Diagnostic("EP204", "symbolic link loop; ignored", child)], None
            if code == "ENOENT":
                return None, [Diagnostic("EP203", "dangling symbolic link; ignored", child)], None
            return None, [Diagnostic("EP203", f"cannot be read ({code}); ignored", child)], None
        kind = "dir" if S.S_ISDIR(self_st.st_mode) else ("file" if S.S_ISREG(self_st.st_mode) else "unknown")
    self_stamp = stamp_of(self_st) if (stamps and self_st is not None) else None
    if kind == "unknown":
        return None, [], self_stamp
    if kind == "file" and layout0 != "egg-info":
        return None, [Diagnostic("EP209", "is a file, not a directory; ignored", child)], self_stamp
    layout = "egg-info-file" if kind == "file" else layout0
    stem = os.path.basename(root)[: -len(".egg")] if layout == "egg" else child[: child.rfind(".")]
    stem_name, version = split_stem(stem)
    diagnostics: List[Diagnostic] = []
    checks: List[Tuple[str, Stamp]] = []
    full_level: List[Tuple[str, Stamp]] = []

    metadata_file: Optional[str] = None
    metadata_rel: Optional[str] = None
    if layout == "egg-info-file":
        metadata_file, metadata_rel = full, child
    else:
        for f in (("METADATA", "PKG-INFO") if layout == "dist-info" else ("PKG-INFO", "METADATA")):
            p = os.path.join(full, f)
            s = _stat(p)
            if s is not None and S.S_ISREG(s.st_mode):
                metadata_file, metadata_rel = p, child + "/" + f
                break
    real = metadata_file is not None
    md_name: Optional[str] = None
    md_stamp: Optional[Stamp] = None
    if metadata_file is not None:
        try:
            md_name, md_version, md_stamp = _read_metadata(metadata_file, stamps)
            if version is None:
                version = md_version
        except OSError as e:
            diagnostics.append(Diagnostic("EP203", f"metadata cannot be read ({errno_code(e)})", metadata_rel))
        except UnicodeDecodeError as e:
            diagnostics.append(Diagnostic("EP203", f"metadata is not valid UTF-8 at byte {e.start}; the directory name gives the name", metadata_rel))
    name = md_name or stem_name
    # Identity: importlib's, from the stem; eggs and empty stems from Name.
    ident = md_name if (layout == "egg" or stem_name == "") and md_name else stem_name
    if name == "" or ident == "":
        return None, [Diagnostic("EP208", "no distribution name in the directory name or the metadata; ignored", child)], self_stamp

    entries: List[Line] = []
    ep_stamp: Optional[Stamp] = None
    if layout != "egg-info-file":
        rel = child + "/entry_points.txt"
        data, ep_stamp, problem = _read_entry_points_file(os.path.join(full, "entry_points.txt"), stamps)
        if data is not None:
            entries, diags = read_entry_points(data, rel)
            diagnostics.extend(diags)
        elif problem == "not a regular file":
            diagnostics.append(Diagnostic("EP112", "entry_points.txt is not a regular file; ignored", rel))
        elif problem is not None:
            diagnostics.append(Diagnostic("EP111", f"entry_points.txt cannot be read ({problem}); no entry points are read from it", rel))
    if not real:
        diagnostics.append(Diagnostic("EP202", "no METADATA or PKG-INFO: a leftover metadata directory", child))
    record = Dist(child, name, normalize_name(ident), version, layout, real, entries, diagnostics)
    if stamps:
        legacy = layout in ("egg-info", "egg")
        if layout == "egg-info-file":
            if self_stamp is not None:
                checks.append((child, self_stamp))
        else:
            if legacy and self_stamp is not None:
                checks.append((child, self_stamp))
            if legacy and md_stamp is not None and metadata_rel is not None:
                checks.append((metadata_rel, md_stamp))
            if ep_stamp is not None:
                checks.append((child + "/entry_points.txt", ep_stamp))
            if not legacy and md_stamp is not None and metadata_rel is not None:
                full_level.append((metadata_rel, md_stamp))
            if not legacy and self_stamp is not None:
                full_level.append((child, self_stamp))
        record.stamps = (checks, full_level)
    return record, [], self_stamp


def _read_entry_points_file(path: str, stamps: bool) -> Tuple[Optional[bytes], Optional[Stamp], Optional[str]]:
    """(bytes or None, stamp when recorded and present, problem or None when simply absent)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        code = errno_code(e)
        if code in ("ENOENT", "ENOTDIR"):
            return None, None, None
        if code == "EISDIR":
            return None, None, "not a regular file"
        return None, None, code
    try:
        st = os.fstat(fd)
        stamp = stamp_of(st) if stamps else None
        if not S.S_ISREG(st.st_mode):
            return None, stamp, "not a regular file"
        chunks = []
        while True:
            b = os.read(fd, 1 << 16)
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks), stamp, None
    except OSError as e:
        return None, None, errno_code(e)
    finally:
        os.close(fd)

"""Reading one cache file, format v4 (docs/spec.md §5.2, §5.5, §10): the header, then only the
sections a lookup needs, each read by offset, bounded, CRC-checked and validated (types,
ranges, shapes, lengths, nesting) before any of its values is used. Whatever is wrong is a
CacheError (EP301 corrupt, EP302 foreign version, EP303 checksum): the cache is ignored and the
directory scanned. The same rules as src/cache/format.ts; test/vectors/caches.json holds the
cases both readers must judge alike.

Nothing here trusts a size it has not checked: a header is looked for in the first 64 KiB and
never past 16 MiB, a section is read only when the header's offsets lie inside the file and its
length is under ``MAX_SECTION_BYTES``, and json's own recursion limit bounds nesting.
"""
from __future__ import annotations

import os
import sys
import zlib
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Tuple

from ._diagnostics import Diagnostic
from ._view import DistRef, Row, View

FORMAT = "epindex-cache"
VERSION = 4
#: The first read of a cache file: the header of every real cache fits (a header grows ~40
#: bytes per group; 72 groups in the 50,000-distribution profile).
HEAD_READ = 64 * 1024
#: A header longer than this is no cache (src/cache/format.ts MAX_HEADER_BYTES).
MAX_HEADER_BYTES = 16 * 1024 * 1024
#: The largest section read (spec §10): 25 times the largest section of a 50,000-distribution cache.
MAX_SECTION_BYTES = 128 * 1024 * 1024
#: The sections every cache has.
REQUIRED = ("dists", "names", "listing", "checks", "full", "diagnostics")
LAYOUTS = frozenset({"dist-info", "egg-info", "egg", "egg-info-file"})
STAMP_WIDTH = 6
UINT32 = 0xFFFFFFFF


def _is_code(c: str) -> bool:
    """A diagnostic code, ``EP`` and three digits: one this reader does not know (a newer
    writer's) counts as a warning (spec §14)."""
    return len(c) == 5 and c[:2] == "EP" and c[2:].isascii() and c[2:].isdigit()


class CacheError(Exception):
    """A cache that cannot be believed: ``code`` is EP301 (corrupt), EP302 (foreign) or EP303 (checksum)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _bad(what: str) -> CacheError:
    return CacheError("EP301", f"malformed: {what}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is no JSON a cache holds")


class _Context:
    """What json's C scanner reads of a decoder: strict strings, plain numbers, and no NaN or
    Infinity (JavaScript's JSON.parse refuses them too). The scanner is used directly because
    ``import json`` (and the ``re`` its decoder imports) costs a first lookup ~4 ms."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = staticmethod(_no_constant)
    memo: Dict[str, str] = {}


try:
    from _json import make_scanner as _make_scanner

    _scan: Any = _make_scanner(_Context())
except ImportError:  # an interpreter without json's C accelerator
    _scan = None


_SPACE = (b" ", b"\t", b"\n", b"\r")


def _loads(b: bytes, what: str) -> Any:
    if sys.version_info < (3, 11) and _long_digits(b):
        # Before 3.11, int() of a long run of digits takes quadratic time: no cache has one.
        raise CacheError("EP301", f"{what} holds a number of 400 digits or more")
    if b[:1] in _SPACE or b[-1:] in _SPACE:  # compact JSON (the C scanner refuses it too; json.loads would not)
        raise CacheError("EP301", f"{what} is not compact JSON (white space around it)")
    try:
        text = b.decode("utf-8", "surrogatepass")
        if _scan is None:
            import json

            return json.loads(text, parse_constant=_no_constant)
        value, end = _scan(text, 0)
        if end != len(text):
            raise ValueError(f"extra data at {end}")
        return value
    except RecursionError:
        raise CacheError("EP301", f"{what} is nested too deeply") from None
    except StopIteration as e:  # the C scanner's "no value here"
        raise CacheError("EP301", f"{what} is not JSON (no value at {e.value})") from None
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError, and ints over the digit limit
        raise CacheError("EP301", f"{what} is not JSON ({e})") from None


def _long_digits(b: bytes) -> bool:
    import re

    return re.search(rb"[0-9]{400}", b) is not None


# ---------------------------------------------------------------------------------------------
# Validation: one function per shape, C-speed checks where a column is long.

_DIST_KEYS = frozenset({"child", "name", "normalizedName", "version", "layout", "real"})
#: The keys of every object of the format: a key it does not have is not a cache's.
KEYS = {
    "header": frozenset({"format", "version", "source", "kind", "realPath", "dev", "entry", "distributions", "entryPoints", "counts", "codes",
                         "bodyBytes", "sections", "crc"}),
    "counts": frozenset({"error", "warning", "info"}),
    "dists": _DIST_KEYS | {"winner", "digest"},
    "names": frozenset({"real", "leftover"}),
    "listing": frozenset({"names", "stamps", "dirs", "dirStamps"}),
    "checks": frozenset({"paths", "stamps"}),
    "full": frozenset({"paths", "stamps"}),
    "group": frozenset({"dists", "eps"}),
    "group dists": _DIST_KEYS | {"index"},
    "group eps": frozenset({"dist", "name", "value", "line", "ref"}),
    "importlib": frozenset({"egg", "grouped", "child", "key", "unit", "name", "version", "start", "groups", "group", "epName", "epValue"}),
}
#: The deepest a source's parsed reference may be nested (the Python source's is 2 deep).
REF_DEPTH = 8


def _obj(v: Any, what: str, keys: Optional[str] = None) -> Dict[str, Any]:
    if type(v) is not dict:
        raise _bad(f"{what} is not an object")
    if keys is not None and not KEYS[keys].issuperset(v):
        raise _bad(f"{what} has a key the format does not have")
    return v


def _shallow(x: Any, limit: int) -> bool:
    """Whether ``x`` is nested at most ``limit`` deep (without recursion)."""
    stack = [(x, 0)]
    while stack:
        v, d = stack.pop()
        if type(v) is list:
            children: Any = v
        elif type(v) is dict:
            children = v.values()
        else:
            continue
        if d >= limit:
            return False
        stack.extend((c, d + 1) for c in children)
    return True


def _describe(x: Any) -> str:
    """A value named in a message without serializing it (it may be nested a million deep)."""
    if x is None:
        return "null"
    if type(x) is bool:
        return "true" if x else "false"
    if type(x) in (int, float):
        return repr(x) if len(repr(x)) <= 40 else "a long number"
    if type(x) is str:
        from ._text import quote

        return quote(x[:40])
    return "an array" if type(x) is list else "an object"


def _list(v: Any, what: str) -> List[Any]:
    if type(v) is not list:
        raise _bad(f"{what} is not an array")
    return v


def _strs(v: Any, what: str, n: Optional[int] = None) -> List[str]:
    col = _list(v, what)
    if (n is not None and len(col) != n) or (col and set(map(type, col)) != {str}):
        raise _bad(f"{what} is not {n if n is not None else 'an array of'} strings")
    return col


def _opt_strs(v: Any, what: str, n: int) -> List[Optional[str]]:
    col = _list(v, what)
    if len(col) != n or not set(map(type, col)) <= {str, type(None)}:
        raise _bad(f"{what} is not {n} strings or nulls")
    return col


def _ints(v: Any, what: str, n: Optional[int] = None, lo: Optional[int] = None, hi: Optional[int] = None) -> List[int]:
    """Integers (never booleans), ``lo <= x < hi`` where given."""
    col = _list(v, what)
    if n is not None and len(col) != n:
        raise _bad(f"{what} has {len(col)} entries, expected {n}")
    if col:
        if set(map(type, col)) != {int}:
            raise _bad(f"{what} holds a value that is not an integer")
        if (lo is not None and min(col) < lo) or (hi is not None and max(col) >= hi):
            raise _bad(f"{what} holds a value out of range")
    return col


def _int(v: Any, what: str, lo: Optional[int] = None) -> int:
    if type(v) is not int or (lo is not None and v < lo):
        raise _bad(f"{what} is not an integer{'' if lo is None else f' >= {lo}'}")
    return v


_NOT_A_NAME = frozenset({"", ".", ".."})


def _relative_paths(col: List[str], what: str, components: bool = True) -> None:
    """Paths below the path entry (``components``: ``/``-separated; else one name each, or an
    npm ``@scope/name``): never empty, absolute, ``.`` or ``..``, never a NUL."""
    if not col:
        return
    joined = "\0".join(col)
    if joined.count("\0") != len(col) - 1 or (os.sep == "\\" and "\\" in joined):
        raise _bad(f"{what} names something outside its directory")
    if "/" not in joined:  # one component each (every Python cache): none empty, "." or ".."
        if not _NOT_A_NAME.isdisjoint(col):
            raise _bad(f"{what} names something outside its directory")
        return
    if not components and not all(x.count("/") == 0 or (x.count("/") == 1 and x[0] == "@" and x[1] != "/") for x in col):
        raise _bad(f"{what} names something outside its directory")
    # Every component between NULs: an empty one (a leading or doubled "/"), "." or "..".
    framed = "\0" + joined.replace("/", "\0") + "\0"
    if "\0\0" in framed or "\0.\0" in framed or "\0..\0" in framed:
        raise _bad(f"{what} names something outside its directory")


def _dist_columns(v: Any, what: str) -> int:
    d = _obj(v, what)
    child = _strs(d.get("child"), f"{what}.child")
    n = len(child)
    _relative_paths(child, f"{what}.child", components=False)
    _strs(d.get("name"), f"{what}.name", n)
    keys = _strs(d.get("normalizedName"), f"{what}.normalizedName", n)
    if "" in keys:
        raise _bad(f"{what}.normalizedName holds an empty name")
    _opt_strs(d.get("version"), f"{what}.version", n)
    layouts = _strs(d.get("layout"), f"{what}.layout", n)
    if not set(layouts) <= LAYOUTS:
        raise _bad(f"{what}.layout holds an unknown layout")
    _ints(d.get("real"), f"{what}.real", n, 0, 2)
    return n


def _stamp_list(v: Any, what: str) -> None:
    d = _obj(v, what)
    paths = _strs(d.get("paths"), f"{what}.paths")
    _relative_paths(paths, f"{what}.paths")
    _ints(d.get("stamps"), f"{what}.stamps", STAMP_WIDTH * len(paths))


def validate(name: str, v: Any, distributions: int) -> Any:
    """``v`` when it has section ``name``'s shape (spec §5.2) for a cache of ``distributions``; else CacheError."""
    if name.startswith("g:"):
        d = _obj(v, name, "group")
        _obj(d.get("dists"), f"{name} dists", "group dists")
        _obj(d.get("eps"), f"{name} eps", "group eps")
        n = _dist_columns(d.get("dists"), f"{name} dists")
        _ints(d["dists"].get("index"), f"{name} dists.index", n, 0, distributions)
        eps = _obj(d.get("eps"), f"{name} eps")
        m = len(_strs(eps.get("name"), f"{name} eps.name"))
        _strs(eps.get("value"), f"{name} eps.value", m)
        _ints(eps.get("dist"), f"{name} eps.dist", m, 0, n)
        _ints(eps.get("line"), f"{name} eps.line", m, 0)
        ref = _list(eps.get("ref"), f"{name} eps.ref")
        if len(ref) != m:
            raise _bad(f"{name} eps.ref")
        if not all(_shallow(r, REF_DEPTH) for r in ref if type(r) in (list, dict)):
            raise _bad(f"{name} eps.ref is nested too deeply")
        return v
    if name in KEYS:
        _obj(v, name, name)
    if name == "dists":
        n = _dist_columns(v, name)
        if n != distributions:
            raise _bad(f"dists has {n} distributions, the header {distributions}")
        _ints(v.get("winner"), "dists.winner", n, 0, 2)
        _ints(v.get("digest"), "dists.digest", n, 0, UINT32 + 1)
    elif name == "names":
        d = _obj(v, name)
        _strs(d.get("real"), "names.real")
        _strs(d.get("leftover"), "names.leftover")
    elif name == "listing":
        d = _obj(v, name)
        names = _strs(d.get("names"), "listing.names")
        _relative_paths(names, "listing.names", components=False)
        _ints(d.get("stamps"), "listing.stamps", STAMP_WIDTH * len(names))
        dirs = _strs(d.get("dirs"), "listing.dirs")
        _relative_paths(dirs, "listing.dirs")
        _ints(d.get("dirStamps"), "listing.dirStamps", STAMP_WIDTH * len(dirs))
    elif name in ("checks", "full"):
        _stamp_list(v, name)
    elif name == "diagnostics":
        for row in _list(v, name):
            if (type(row) is not list or len(row) != 5 or type(row[0]) is not int or not -1 <= row[0] < distributions
                    or type(row[1]) is not str or not _is_code(row[1]) or not (row[2] is None or type(row[2]) is str)
                    or not (row[3] is None or (type(row[3]) is int and row[3] >= 1)) or type(row[4]) is not str):
                raise _bad("a diagnostic")
    elif name == "importlib":
        d = _obj(v, name)
        _ints([d.get("egg"), d.get("grouped")], "importlib.egg/grouped", 2, 0, 2)
        child = _strs(d.get("child"), "importlib.child")
        c = len(child)
        _relative_paths(child, "importlib.child", components=False)
        _opt_strs(d.get("key"), "importlib.key", c)
        _ints(d.get("unit"), "importlib.unit", c, -1, distributions)
        _opt_strs(d.get("name"), "importlib.name", distributions)
        _opt_strs(d.get("version"), "importlib.version", distributions)
        start = _ints(d.get("start"), "importlib.start", distributions + 1, 0)
        names = _strs(d.get("epName"), "importlib.epName")
        m = len(names)
        _strs(d.get("epValue"), "importlib.epValue", m)
        groups = _strs(d.get("groups"), "importlib.groups")
        _ints(d.get("group"), "importlib.group", m, 0, len(groups))
        if start[0] != 0 or start[-1] != m or start != sorted(start):
            raise _bad("importlib.start is not a run of offsets")
    return v


def parse_header(head: bytes, size: int) -> Dict[str, Any]:
    """The header line (without its newline) of a file of ``size`` bytes, checked (CacheError)."""
    header = _loads(head, "the header")
    if type(header) is not dict or header.get("format") != FORMAT:
        raise CacheError("EP301", "not an epindex cache")
    # The format's header is 3 deep (sections -> name -> [offset, length, crc]).
    if not _shallow(header, 3):
        raise CacheError("EP301", "the header is nested deeper than the format")
    if header.get("version") != VERSION:
        raise CacheError("EP302", f"format version {_describe(header.get('version'))}, expected {VERSION}")
    _obj(header, "the header", "header")
    cut = head.rfind(b',"crc":')
    crc = header.get("crc")
    if cut < 0 or type(crc) is not int:
        raise CacheError("EP301", "no checksum in the header")
    if zlib.crc32(b"}", zlib.crc32(head[:cut])) != crc:
        raise CacheError("EP303", "header checksum mismatch")
    body = _int(header.get("bodyBytes"), "bodyBytes", 0)
    expected = len(head) + 1 + body
    if size != expected:
        raise (CacheError("EP301", f"truncated: {size} bytes, expected {expected}") if size < expected
               else CacheError("EP303", f"{size} bytes where the header says {expected}: edited after it was written"))
    if header.get("kind") not in ("directory", "zip"):
        raise _bad("kind")
    sections = _obj(header.get("sections"), "sections")
    for sname, ref in sections.items():
        if type(ref) is not list or len(ref) != 3 or set(map(type, ref)) != {int} or ref[0] < 0 or ref[1] < 1 or ref[0] + ref[1] > body or not 0 <= ref[2] <= UINT32:
            raise _bad(f"section {sname[:80]}")
    for required in REQUIRED:
        if required not in sections:
            raise _bad(f"section {required} missing")
    if type(header.get("source")) is not str or type(header.get("realPath")) is not str:
        raise _bad("source or realPath")
    _int(header.get("dev"), "dev", 0)
    _ints(header.get("entry"), "entry", STAMP_WIDTH)
    _int(header.get("distributions"), "distributions", 0)
    _int(header.get("entryPoints"), "entryPoints", 0)
    counts = _obj(header.get("counts"), "counts", "counts")
    for k in ("error", "warning", "info"):
        _int(counts.get(k), "counts", 0)
    _strs(header.get("codes"), "codes")
    return header


def read_header(fd: int, size: int) -> Tuple[bytes, Dict[str, Any]]:
    """(the header line, the checked header) of an open cache file of ``size`` bytes."""
    head = os.pread(fd, min(size, HEAD_READ), 0)
    nl = head.find(b"\n")
    if nl < 0 and len(head) < size:
        head = os.pread(fd, min(size, MAX_HEADER_BYTES), 0)
        nl = head.find(b"\n")
    if nl < 0:
        raise CacheError("EP301", "no header line within the first 16 MiB (not a cache)" if len(head) >= MAX_HEADER_BYTES
                         else "no header line (truncated or not a cache)")
    line = head[:nl]
    return line, parse_header(line, size)


def identity(st: os.stat_result) -> Tuple[int, int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


#: Never blocks on a FIFO, never follows a symlink in the file's own name.
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class CachedEntry(View):
    """One cache file as a View of its path entry: sections read by offset as a lookup needs
    them (through ``fd`` while the opener holds it, else by opening the file again, which must
    still be the same file), verified, validated, and kept."""

    def __init__(self, file: str, ident: Tuple[int, ...], head: bytes, header: Dict[str, Any], path_entry: str, scanned: Tuple[int, int]) -> None:
        self.file = file
        self.ident = ident
        self.header = header
        self.base = len(head) + 1
        self.body_bytes: int = header["bodyBytes"]
        self.sections: Dict[str, List[int]] = header["sections"]
        self.kind: str = header["kind"]
        self.real_path: str = header["realPath"]
        self.dev: int = header["dev"]
        self.entry: Tuple[int, ...] = tuple(header["entry"])
        self.source: str = header["source"]
        #: The scan's start: the cache file's mtime (sec, nsec).
        self.scanned: Tuple[int, int] = scanned
        self.scanned_ns: int = scanned[0] * 1_000_000_000 + scanned[1]
        self.distributions: int = header["distributions"]
        self.codes: FrozenSet[str] = frozenset(header["codes"])
        self.path_entry = path_entry
        self.fd = -1
        self._parsed: Dict[str, Any] = {}
        self._rows: Dict[str, List[Row]] = {}
        self._names: Optional[Tuple[FrozenSet[str], FrozenSet[str]]] = None
        self._dists: Optional[List[Tuple[DistRef, bool]]] = None
        self._digests: Dict[str, int] = {}
        #: Derived per-process facts (the accelerator's), dropped with the object.
        self.memo: Dict[Any, Any] = {}

    # -- reading sections

    def load(self, names: Iterable[str]) -> None:
        """Read every section of ``names`` not read yet (missing ones are None)."""
        want = [n for n in names if n not in self._parsed and n in self.sections]
        if not want:
            for n in names:
                if n not in self.sections:
                    self._parsed.setdefault(n, None)
            return
        fd = self.fd
        opened = False
        if fd < 0:
            try:
                fd = os.open(self.file, OPEN_FLAGS)
            except OSError as e:
                raise CacheError("EP301", f"cannot be opened again ({e.strerror})") from None
            opened = True
        try:
            if opened and identity(os.fstat(fd)) != self.ident:
                raise CacheError("EP301", "replaced while it was read")
            for n in want:
                off, length, crc = self.sections[n]
                if length > MAX_SECTION_BYTES:
                    raise CacheError("EP301", f"section {n[:80]} has {length} bytes, over the limit of {MAX_SECTION_BYTES}")
                data = os.pread(fd, length, self.base + off)
                if len(data) != length or data[-1:] != b"\n":
                    raise CacheError("EP301", f"section {n[:80]} is not where the header says")
                line = data[:-1]
                if zlib.crc32(line) != crc:
                    raise CacheError("EP303", f"section {n[:80]}: checksum mismatch")
                self._parsed[n] = validate(n, _loads(line, f"section {n[:80]}"), self.distributions)
        except OSError as e:
            raise CacheError("EP301", f"cannot be read ({e.strerror})") from None
        finally:
            if opened:
                os.close(fd)
        for n in names:
            self._parsed.setdefault(n, None)

    def section(self, name: str) -> Any:
        if name not in self._parsed:
            self.load((name,))
        return self._parsed[name]

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
                refs = [DistRef(*t) for t in zip(ds["index"], ds["child"], ds["name"], ds["normalizedName"], ds["version"], ds["layout"], map(bool, ds["real"]))]
                got = [Row(refs[k], group, name, value, line) for k, name, value, line in zip(eps["dist"], eps["name"], eps["value"], eps["line"])]
            self._rows[group] = got
        return got

    def dists(self) -> List[Tuple[DistRef, bool]]:
        if self._dists is None:
            ds = self.section("dists")
            self._dists = [
                (DistRef(i, *t[:5], bool(t[5])), bool(t[6]))
                for i, t in enumerate(zip(ds["child"], ds["name"], ds["normalizedName"], ds["version"], ds["layout"], ds["real"], ds["winner"]))
            ]
            self._digests = dict(zip(ds["child"], ds["digest"]))
        return self._dists

    def diagnostics(self) -> List[Tuple[int, Diagnostic]]:
        return [(d[0], Diagnostic(d[1], d[4], d[2], d[3])) for d in self.section("diagnostics")]

    def stamp_table(self, name: str) -> Tuple[List[str], List[int], List[int], List[int], List[int], List[str]]:
        """A stamps section (``checks`` or ``full``) as columns — native paths, inodes, sizes,
        mtimes and ctimes in integer nanoseconds — and the candidates of racy stamps, converted
        once per cache (columns by slices: a first lookup at 10,000 distributions converts
        ~4,000 stamps)."""
        key = "\0stamps:" + name
        got = self._parsed.get(key)
        if got is None:
            c = self.section(name)
            st = c["stamps"]
            paths = c["paths"] if os.sep == "/" else [p.replace("/", os.sep) for p in c["paths"]]
            mtimes = [a * 1_000_000_000 + b for a, b in zip(st[2::6], st[3::6])]
            ctimes = [a * 1_000_000_000 + b for a, b in zip(st[4::6], st[5::6])]
            # The racy rule in integer nanoseconds (the TypeScript side compares milliseconds as
            # doubles; the two can differ only below 0.3 µs, and a racy stamp only costs a re-read).
            limit = self.scanned_ns - 2_000_000_000
            racy: List[str] = []
            if mtimes and (max(mtimes) >= limit or max(ctimes) >= limit):
                racy = sorted({c["paths"][i].split("/", 1)[0] for i in range(len(mtimes)) if mtimes[i] >= limit or ctimes[i] >= limit})
            got = self._parsed[key] = (paths, st[0::6], st[1::6], mtimes, ctimes, racy)
        return got  # type: ignore[no-any-return]

    def digests(self) -> Dict[str, int]:
        """child -> the unit's digest (from ``dists``)."""
        self.dists()
        return self._digests

    def same_units(self, units: List[Any]) -> bool:
        """Whether a rescan's units are this cache's (children and digests, in order)."""
        from ._format import unit_digest

        ds = self.section("dists")
        return len(ds["child"]) == len(units) and all(child == u.child and digest == unit_digest(u) for child, digest, u in zip(ds["child"], ds["digest"], units))

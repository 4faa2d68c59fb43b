"""Discovery in ONE search-path entry: a directory (site-packages, an ``.egg`` directory, a
source checkout with ``*.egg-info``) or a zip archive. The result is plain data, what the
cache stores. A port of src/python/discover.ts with the v3 rules (coord/cache-v3.md §A):
names from the metadata's ``Name`` header, importlib's in-directory order.

Only the children of the path entry are examined (never recursively); nothing raises for
anything the filesystem does: problems become diagnostics.
"""
from __future__ import annotations

import os
import stat as S

from ._diagnostics import Diagnostic

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple
    from ._reader import Line

# The reader, the metadata reader and PEP 440 ordering are imported when a scan needs them:
# a lookup answered from caches never does (import time is most of a first lookup's cost).
HEADER_LIMIT = 64 * 1024

if TYPE_CHECKING:
    Stamp = Tuple[int, int, int, int, int, int]
else:
    Stamp = tuple
ZERO_STAMP: Stamp = (0, 0, 0, 0, 0, 0)


def stamp_of(st: os.stat_result) -> Stamp:
    ms, mn = divmod(st.st_mtime_ns, 1_000_000_000)
    cs, cn = divmod(st.st_ctime_ns, 1_000_000_000)
    return (st.st_ino, st.st_size, ms, mn, cs, cn)


RACY_WINDOW_MS = 2000


def _ms(sec: int, nsec: int) -> float:
    # As the TypeScript side computes it (doubles): sec * 1e3 + nsec / 1e6.
    return sec * 1e3 + nsec / 1e6


def is_racy(s: Sequence[int], scanned: Tuple[int, int]) -> bool:
    """A stamp whose max(mtime, ctime) is within 2,000 ms of the scan's start (docs/spec.md §5.4)."""
    return max(_ms(s[2], s[3]), _ms(s[4], s[5])) >= _ms(scanned[0], scanned[1]) - RACY_WINDOW_MS


def errno_code(e: OSError) -> str:
    import errno  # a scan's, not a warm lookup's

    return errno.errorcode.get(e.errno or 0, "EIO") if e.errno else "EIO"


#: libuv's texts for the errors a scan meets (what Node says, and so what the TypeScript side's
#: messages hold: src/fsutil.ts errnoText); diagnostics' messages are part of the cache's bytes.
_UV_TEXT = {
    "EACCES": "permission denied", "EPERM": "operation not permitted", "ELOOP": "too many symbolic links encountered",
    "EIO": "i/o error", "ENAMETOOLONG": "name too long", "EISDIR": "illegal operation on a directory",
    "EMFILE": "too many open files", "ENFILE": "file table overflow", "ENXIO": "no such device or address",
    "EINVAL": "invalid argument", "ENOMEM": "not enough memory", "EBUSY": "resource busy or locked",
    "EOVERFLOW": "value too large for defined data type", "ENODEV": "no such device",
    "EAGAIN": "resource temporarily unavailable", "ETXTBSY": "text file is busy", "EFBIG": "file too large",
    "ENOENT": "no such file or directory", "ENOTDIR": "not a directory",
}


def errno_text(e: OSError) -> str:
    """``permission denied (EACCES)``: a system error for people, once, as errnoText says it."""
    code = errno_code(e)
    what = _UV_TEXT.get(code)
    return f"{what} ({code})" if what else code


def kind_of(mode: int) -> str:
    """``a FIFO``, ``a directory``…: src/fsutil.ts fileKind."""
    if S.S_ISDIR(mode):
        return "a directory"
    if S.S_ISFIFO(mode):
        return "a FIFO"
    if S.S_ISSOCK(mode):
        return "a socket"
    if S.S_ISCHR(mode):
        return "a character device"
    if S.S_ISBLK(mode):
        return "a block device"
    if S.S_ISLNK(mode):
        return "a symbolic link"
    return "a regular file" if S.S_ISREG(mode) else "not a regular file"


#: docs/spec.md §10 LIMITS.fileBytes: an entry_points.txt (or a zip member) is read whole up to this.
FILE_BYTES = 4 * 1024 * 1024

#: Never blocks on a FIFO without a writer, never takes a terminal as the controlling one (§4.1.2).
OPEN_NONBLOCKING = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_small_file(path: str, limit: int = FILE_BYTES) -> Tuple[str, Any]:
    """src/fsutil.ts readSmallFile: ``("ok", bytes)``, ``("absent", None)``, ``("not-regular",
    "a FIFO")``, ``("too-large", size)`` or ``("error", errno_text)``. Opened without blocking;
    only a regular file is read, and never more than ``limit`` bytes."""
    try:
        fd = os.open(path, OPEN_NONBLOCKING)
    except OSError as e:
        code = errno_code(e)
        if code in ("ENOENT", "ENOTDIR"):
            return "absent", None
        if code in ("ENXIO", "EOPNOTSUPP"):  # open(2) of a UNIX socket
            st0 = _stat(path)
            if st0 is not None and not S.S_ISREG(st0.st_mode):
                return "not-regular", kind_of(st0.st_mode)
        return "error", errno_text(e)
    try:
        st = os.fstat(fd)
        if not S.S_ISREG(st.st_mode):
            return "not-regular", kind_of(st.st_mode)
        if st.st_size > limit:
            return "too-large", st.st_size
        chunks = []
        n = 0
        # The size fstat says and one byte more (to see a file that grew), then 64 KiB at a
        # time (/proc files say 0): never a buffer of the limit's size for a small file.
        want = st.st_size + 1 if st.st_size > 0 else 65536
        while True:
            b = os.read(fd, min(want, limit + 1 - n))
            if not b:
                break
            chunks.append(b)
            n += len(b)
            if n > limit:  # it grew after the fstat
                return "too-large", limit + 1
            want = 65536
        return "ok", chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as e:
        return "error", errno_text(e)
    finally:
        os.close(fd)


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

    __slots__ = ("child", "name", "normalized_name", "version", "layout", "real", "winner", "entries", "diagnostics", "watches", "extra")

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
        #: What freshness watches, when the scan records stamps: (relative path, "stat"|"full", stamp).
        self.watches: List[Tuple[str, str, Stamp]] = []
        #: A scan for a cache: (Name, Version) as importlib reads them, each None where unknown
        #: (the unit's ``extra`` of docs/spec.md §5.2); None when the scan is not for a cache.
        self.extra: Optional[Tuple[Optional[str], Optional[str]]] = None

    def key(self) -> tuple:
        return (self.layout, self.name, self.version, self.real, tuple(self.entries), tuple(self.diagnostics), self.extra)


class Scan:
    """One path entry's scan (a plain class with __slots__: a NamedTuple class costs ~150 us to
    create at import, and a first lookup imports this module)."""

    __slots__ = ("path_entry", "kind", "dists", "diagnostics", "listing", "listing_stamps", "stamp", "dev", "inexact")

    def __init__(self, path_entry: str, kind: str, dists: List[Dist], diagnostics: List[Diagnostic], listing: List[str],
                 listing_stamps: List[Stamp], stamp: Optional[Stamp], dev: int, inexact: Optional[str] = None) -> None:
        self.path_entry = path_entry
        #: ``directory``, ``zip``, ``missing`` or ``unsearchable``.
        self.kind = kind
        #: In importlib's in-directory order, each name's winner first (cache-v3 A.2).
        self.dists = dists
        #: About the path entry itself and candidates that gave no distribution.
        self.diagnostics = diagnostics
        #: Candidate names in listing order.
        self.listing = listing
        #: One per listing name (zero for zips and unstat-able candidates); empty without stamps.
        self.listing_stamps = listing_stamps
        #: The entry's own stamp and dev, when stamps were recorded.
        self.stamp = stamp
        self.dev = dev
        #: Why the TypeScript writer would write other bytes for this path entry (a zip member
        #: whose damage only zipfile's words describe), or None. A scan with a reason is never
        #: cached (docs/spec.md §14): the lookup answers from it, ``rebuild`` skips the entry.
        self.inexact = inexact

    def __repr__(self) -> str:
        return f"Scan({self.path_entry!r}, {self.kind!r}, {len(self.dists)} dists, {len(self.diagnostics)} diagnostics)"

    def all_diagnostics(self) -> List[Tuple[int, Diagnostic]]:
        """Directory-level first (unit -1), then each unit's, as the cache's section holds them."""
        out = [(-1, d) for d in self.diagnostics]
        for i, r in enumerate(self.dists):
            out.extend((i, d) for d in r.diagnostics)
        return out


def apply_metadata_name(layout: str, key: str, name: str, version: Optional[str],
                        md_name: Optional[str], md_version: Optional[str]) -> Tuple[str, str, Optional[str]]:
    """(name, key, version) once METADATA/PKG-INFO is read: its ``Name`` is the name shown, and the
    identity too for an egg or a stem without a name; its ``Version`` only where the stem had none."""
    if md_name is not None:
        name = md_name
        if layout == "egg" or key == "":
            key = md_name
    return name, key, md_version if version is None else version


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
    from ._versions import compare_versions_descending

    v = 0 if a.version == b.version else compare_versions_descending(a.version, b.version)
    if v:
        return v
    l = _LAYOUT_RANK[a.layout] - _LAYOUT_RANK[b.layout]
    if l:
        return l
    from ._text import utf16_key

    ka, kb = utf16_key(a.child), utf16_key(b.child)
    return -1 if ka < kb else (1 if ka > kb else 0)


def order_dists(records: List[Dist]) -> Tuple[List[Dist], List[Diagnostic]]:
    """importlib's in-directory order: names by their first candidate's listing position
    (records arrive in listing order); within a name, by preference; the first is the winner.
    Every other candidate gets a directory-level EP206 naming the winner."""
    by_name: Dict[str, List[Dist]] = {}
    for r in records:
        by_name.setdefault(r.normalized_name, []).append(r)
    out: List[Dist] = []
    diagnostics: List[Diagnostic] = []

    def label(d: Dist) -> str:
        return f"{d.name} {d.version if d.version is not None else '(no version)'}"

    for group in by_name.values():
        if len(group) > 1:
            from functools import cmp_to_key

            group.sort(key=cmp_to_key(compare_preference))
        group[0].winner = True
        out.extend(group)
        for d in group[1:]:
            diagnostics.append(Diagnostic("EP206", f"{label(d)} is not used: {label(group[0])} ({group[0].child}) in the same directory is preferred", d.child))
    return out, diagnostics


#: Metadata problems after which importlib reads something else, blocks or raises: no facts.
METADATA_DOUBT = frozenset({"EP203", "EP204", "EP210", "EP211", "EP213"})


def importlib_facts(text: Optional[str], diagnostics: Sequence[Diagnostic], other_metadata: bool) -> Tuple[Optional[str], Optional[str]]:
    """(Name, Version) as importlib reads them from the metadata file epindex read (``text``: that
    whole file, or None when it could not be read whole and strictly decoded), or unknown:
    importlib reads METADATA, else (absent or empty) PKG-INFO; ``other_metadata`` says that a
    METADATA exists beside the PKG-INFO epindex read (egg layouts prefer PKG-INFO). As
    src/python/discover.ts importlibFacts."""
    if not text or other_metadata or any(d.code in METADATA_DOUBT for d in diagnostics):
        return (None, None)
    from ._metadata import importlib_headers

    return importlib_headers(text)


def whole_text(data: Optional[bytes]) -> Optional[str]:
    """The whole metadata file as importlib decodes it (strict UTF-8), or None."""
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


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
        return Scan(path_entry, "unsearchable", [], [Diagnostic("EP203", f"path entry cannot be read ({errno_text(e)})", "")], [], [], None, 0)
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
        return Scan(path_entry, "unsearchable", [], [Diagnostic("EP203", f"path entry cannot be listed ({errno_text(e)})", "")], [], [], stamp, dev)
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
    dists, more = order_dists(records)
    return Scan(path_entry, "directory", dists, diagnostics + more, [d.name for d in dirents], listing_stamps, stamp, dev)


FIRST_READ = 4096


def _satisfied(data: bytes, need_version: bool) -> bool:
    """A Name in ``data``'s text, and a Version when the stem has none."""
    from ._metadata import read_name_version

    name, version = read_name_version(data.decode("utf-8", "replace"))
    return name is not None and (version is not None or not need_version)


def head_of(data: bytes, need_version: bool) -> bytes:
    """What ``read_head`` would read of a regular file holding ``data`` (the same cut, without a read)."""
    if len(data) < FIRST_READ:
        return data
    whole = data.rfind(b"\n", 0, FIRST_READ)
    if whole >= 0 and _satisfied(data[: whole + 1], need_version):
        return data[: whole + 1]
    if len(data) < HEADER_LIMIT:
        return data
    whole = data.rfind(b"\n", 0, HEADER_LIMIT)
    return data[: whole + 1] if whole >= 0 else data[:HEADER_LIMIT]


def read_head(path: str, need_version: bool) -> Tuple[Optional[bytes], str]:
    """src/python/discover.ts readHead: ``(bytes, "")`` or ``(None, problem)`` — the start of a
    metadata file: the first 4 KiB, which hold Name and Version in every real file, and up to
    64 KiB only when they are not in its whole lines. A head cut short ends at its last whole
    line (so a character split there is not "invalid UTF-8"). Opened without blocking and read
    only if it is a regular file (``problem`` "is a FIFO" otherwise). The same bytes as there,
    since EP211 depends on them."""
    try:
        fd = os.open(path, OPEN_NONBLOCKING)
    except OSError as e:
        return None, errno_text(e)
    try:
        st = os.fstat(fd)
        if not S.S_ISREG(st.st_mode):
            return None, "is " + kind_of(st.st_mode)
        data = b""
        want = FIRST_READ
        cut = False
        while True:
            got = os.read(fd, want - len(data))
            data += got
            if not got:
                break
            if len(data) >= HEADER_LIMIT:
                cut = True
                break
            if len(data) >= want:
                whole = data.rfind(b"\n")
                if whole >= 0 and _satisfied(data[: whole + 1], need_version):
                    return data[: whole + 1], ""
                want = HEADER_LIMIT
        if cut and len(data) == HEADER_LIMIT:
            whole = data.rfind(b"\n")
            if whole >= 0:
                data = data[: whole + 1]
        return data, ""
    except OSError as e:
        return None, errno_text(e)
    finally:
        os.close(fd)


def scan_candidate(root: str, child: str, kind: str, is_egg: bool, stamps: bool = False) -> Tuple[Optional[Dist], List[Diagnostic], Optional[Stamp]]:
    """Scan one candidate child: (the distribution or None, diagnostics about a candidate that
    gave none, the candidate's own stamp when recorded). A port of discover.ts scanCandidate."""
    full = os.path.join(root, child)
    layout0 = candidate_layout(child, is_egg)
    if layout0 is None:
        return None, [], None
    self_stamp: Optional[Stamp] = None
    self_st: Optional[os.stat_result] = None
    if kind == "unknown" or stamps:
        try:
            self_st = os.stat(full)
        except FileNotFoundError:
            return None, [Diagnostic("EP203", "dangling symbolic link; ignored", child)], None
        except NotADirectoryError:
            return None, [Diagnostic("EP203", "dangling symbolic link; ignored", child)], None
        except OSError as e:
            code = errno_code(e)
            if code == "ELOOP":
                return None, [Diagnostic("EP204", "symbolic link loop; ignored", child)], None
            return None, [Diagnostic("EP203", f"cannot be read ({errno_text(e)}); ignored", child)], None
        self_stamp = stamp_of(self_st)
        kind = "dir" if S.S_ISDIR(self_st.st_mode) else ("file" if S.S_ISREG(self_st.st_mode) else "unknown")
    if kind == "unknown":
        # A FIFO, socket or device named like a candidate: importlib would open it (and block).
        return None, ([] if self_st is None else [Diagnostic("EP214", f"is {kind_of(self_st.st_mode)}, not a directory or a file; ignored", child)]), self_stamp
    if kind == "file" and layout0 != "egg-info":
        return None, [Diagnostic("EP209", "is a file, not a directory; ignored", child)], self_stamp
    layout = "egg-info-file" if kind == "file" else layout0
    stem = os.path.basename(root)[: -len(".egg")] if layout == "egg" else child[: child.rfind(".")]
    key, version = split_stem(stem)
    diagnostics: List[Diagnostic] = []
    watches: List[Tuple[str, str, Stamp]] = []
    editable = layout != "dist-info"  # setuptools rewrites *.egg-info in place (spec §5.4)
    level = "stat" if editable else "full"
    if stamps and self_stamp is not None and layout != "egg-info-file":
        watches.append((child, level, self_stamp))

    metadata_file: Optional[str] = None
    metadata_rel: Optional[str] = None
    metadata_stamp: Optional[Stamp] = None
    if layout == "egg-info-file":
        metadata_file, metadata_rel, metadata_stamp = full, child, self_stamp
    else:
        for f in (("METADATA", "PKG-INFO") if layout == "dist-info" else ("PKG-INFO", "METADATA")):
            p = full + os.sep + f
            try:
                st = os.stat(p)
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as e:
                if errno_code(e) == "ELOOP":
                    diagnostics.append(Diagnostic("EP204", f"{f} is a symbolic link loop; ignored", child + "/" + f))
                    continue
                # EACCES/EPERM (a 0000 or 0400 directory) and the like: nothing in it can be examined.
                return None, [Diagnostic("EP203", f"cannot be read ({errno_text(e)}); ignored", child)], self_stamp
            if S.S_ISREG(st.st_mode):
                metadata_file, metadata_rel, metadata_stamp = p, child + "/" + f, stamp_of(st)
                break
            diagnostics.append(Diagnostic("EP210", f"{f} is {kind_of(st.st_mode)}, not a regular file; ignored", child + "/" + f))
    real = metadata_file is not None
    name = key
    from ._metadata import read_core_metadata
    from ._reader import read_entry_points

    if metadata_file is not None:
        assert metadata_rel is not None
        if stamps and metadata_stamp is not None:
            watches.append((metadata_rel, level, metadata_stamp))
        # A scan for a cache reads the whole file anyway (the importlib facts): the head is cut
        # from those bytes, by read_head's rule, rather than read again.
        whole: Optional[Tuple[str, Any]] = read_small_file(metadata_file) if stamps else None
        if whole is not None and whole[0] == "ok":
            head, problem = head_of(whole[1], version is None), ""
        else:
            head, problem = read_head(metadata_file, version is None)
        if head is None:
            if problem.startswith("is "):
                base = metadata_rel[metadata_rel.rfind("/") + 1:]
                diagnostics.append(Diagnostic("EP210", f"{base} {problem}, not a regular file; its Name and Version are not read", metadata_rel))
            else:
                diagnostics.append(Diagnostic("EP203", f"metadata cannot be read ({problem})", metadata_rel))
        else:
            md_name, md_version, md_diags = read_core_metadata(head, metadata_rel)
            diagnostics.extend(md_diags)
            name, key, version = apply_metadata_name(layout, key, name, version, md_name, md_version)
    if key == "":
        return None, [Diagnostic("EP208", "no distribution name in the directory name or the metadata; ignored", child)], self_stamp
    if name == "":
        name = key
    extra: Optional[Tuple[Optional[str], Optional[str]]] = None
    if stamps:
        data: Optional[bytes] = None
        if metadata_file is not None:
            outcome, got = whole if whole is not None else read_small_file(metadata_file)
            data = got if outcome == "ok" else None
        # Egg layouts read PKG-INFO first, importlib METADATA: the two agree only without a METADATA.
        other = False
        if layout != "dist-info" and metadata_rel is not None and metadata_rel.endswith("/PKG-INFO"):
            try:
                os.stat(full + os.sep + "METADATA")
                other = True
            except (FileNotFoundError, NotADirectoryError):
                pass
            except OSError:
                other = True
        extra = importlib_facts(whole_text(data), diagnostics, other)

    entries: List[Line] = []
    if layout != "egg-info-file":
        rel = child + "/entry_points.txt"
        path = full + os.sep + "entry_points.txt"
        ep_st: Optional[os.stat_result] = None
        code: Optional[str] = None
        try:
            ep_st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            pass
        except OSError as e:
            code = errno_text(e)
        if ep_st is not None and stamps:
            watches.append((rel, "stat", stamp_of(ep_st)))
        if ep_st is None and code is not None:
            diagnostics.append(Diagnostic("EP111", f"entry_points.txt cannot be read ({code}); no entry points are read from it", rel))
        elif ep_st is not None and not S.S_ISREG(ep_st.st_mode):
            diagnostics.append(Diagnostic("EP112", f"entry_points.txt is {kind_of(ep_st.st_mode)}, not a regular file; ignored", rel))
        elif ep_st is not None:
            outcome, got = read_small_file(path)
            if outcome == "ok":
                entries, diags = read_entry_points(got, rel)
                diagnostics.extend(diags)
            elif outcome == "not-regular":
                diagnostics.append(Diagnostic("EP112", f"entry_points.txt is {got}, not a regular file; ignored", rel))
            elif outcome == "too-large":
                diagnostics.append(Diagnostic("EP113", f"entry_points.txt has {got} bytes, over the limit of {FILE_BYTES}; no entry points are read from it", rel))
            elif outcome == "error":
                diagnostics.append(Diagnostic("EP111", f"entry_points.txt cannot be read ({got}); no entry points are read from it", rel))
    if not real:
        diagnostics.append(Diagnostic("EP202", "no METADATA or PKG-INFO: a leftover metadata directory", child))
    record = Dist(child, name, normalize_name(key), version, layout, real, entries, diagnostics)
    record.watches = watches
    record.extra = extra
    return record, [], self_stamp

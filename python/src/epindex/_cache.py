"""The cache engine: locate, trust, read, check freshness, write atomically, and the decision
each policy makes for one path entry (docs/spec.md §5–§6). Reading one file is _cachefile.py's.
"""
from __future__ import annotations

import os
import stat as S
import sys
import time
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ._diagnostics import Diagnostic
from ._discover import (
    RACY_WINDOW_MS, ZERO_STAMP, Scan, entry_is_egg, errno_code, is_racy, list_candidate_names, scan_candidate, scan_path_entry,
    stamp_of,
)
from ._cachefile import OPEN_FLAGS, CacheError, CachedEntry, identity, read_header
from ._lookup import real_path
from ._view import ScanView, View

IN_DIR = ".epindex"
from ._cachefile import VERSION as _VERSION  # noqa: E402

FILE = f"entry-points.v{_VERSION}.jsonl"
USER_DIR = f"entry-points.v{_VERSION}"
TMP_MAX_AGE = 600.0
WINDOWS = sys.platform == "win32"


# Plain classes with __slots__ rather than typing.NamedTuple: creating a NamedTuple class costs
# ~150 us at import (measured here), and a first lookup imports this module.
class Location:
    __slots__ = ("kind", "dir", "file")

    def __init__(self, kind: str, dir: str, file: str) -> None:
        self.kind = kind  # "in-directory" or "user"
        self.dir = dir
        self.file = file

    def __repr__(self) -> str:
        return f"Location({self.kind!r}, {self.dir!r}, {self.file!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Location) and (self.kind, self.dir, self.file) == (other.kind, other.dir, other.file)

    def __hash__(self) -> int:
        return hash((self.kind, self.dir, self.file))


def user_cache_root() -> Optional[str]:
    """The user cache root when it is trusted (docs/spec.md §5.5), else None; not made here (a
    write makes it: ``_prepare_holder``)."""
    from ._userroot import trusted_root

    return trusted_root(create=False)[0]


def user_root_problem() -> Optional[Diagnostic]:
    """EP309 when there is no trusted user cache root, else None."""
    from ._userroot import configured_root, trusted_root

    root, why = trusted_root(create=False)
    if root is not None:
        return None
    return Diagnostic("EP309", f"user cache root not trusted: {why}; no user cache is read or written", configured_root()[0] or "")


def in_directory_location(path_entry: str) -> Location:
    return in_directory(path_entry)


def in_directory(path_entry: str) -> Location:
    d = os.path.join(path_entry or ".", IN_DIR)
    return Location("in-directory", d, os.path.join(d, FILE))


_sha256_impl: Any = None


def _sha256(data: bytes) -> Any:
    # The builtin module where there is one: hashlib's first import loads OpenSSL (~4 ms).
    # Found once: a failed import is not cached by Python, and cost ~100 us per path entry.
    global _sha256_impl
    if _sha256_impl is None:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]  # 3.12+
        except ImportError:
            try:
                from _sha256 import sha256  # type: ignore[import-not-found,no-redef]  # 3.9-3.11
            except ImportError:
                from hashlib import sha256  # type: ignore[no-redef]
        _sha256_impl = sha256
    return _sha256_impl(data)


def user_location(real: str, root: Optional[str] = None) -> Optional[Location]:
    """In the user cache (None: no trusted user cache root)."""
    root = root or user_cache_root()
    if root is None:
        return None
    d = os.path.join(root, USER_DIR)
    key = _sha256(os.fsencode(real)).hexdigest()[:40]
    return Location("user", d, os.path.join(d, key + ".jsonl"))


_locations: Dict[Tuple[str, bool, Optional[str]], List[Location]] = {}


def read_locations(path_entry: str, is_dir: bool) -> List[Location]:
    """In the directory first, then the user cache (memoized: a warm lookup computes no hash)."""
    key = (path_entry, is_dir, os.environ.get("EPINDEX_CACHE_DIR"))
    got = _locations.get(key) if os.path.isabs(path_entry) else None
    if got is None:
        got = [in_directory(path_entry)] if is_dir else []
        real = real_path(path_entry)
        user = None if real is None else user_location(real)
        if user is not None:
            got.append(user)
        if len(_locations) > 4096:
            _locations.clear()
        _locations[key] = got
    return got


# ---------------------------------------------------------------------------------------------
# Trust

_uid = os.getuid() if hasattr(os, "getuid") else 0


def trust_problem(file_st: os.stat_result, holder_st: os.stat_result, private: bool) -> Optional[str]:
    """None when a cache file may be believed (docs/spec.md §5.5), else why not."""
    if not S.S_ISREG(file_st.st_mode):
        return "not a regular file"
    if WINDOWS:
        return None
    if not S.S_ISDIR(holder_st.st_mode):
        return "its directory is not a directory (a symlink?)"
    if file_st.st_uid not in (_uid, 0):
        return f"the cache file belongs to uid {file_st.st_uid}"
    if file_st.st_mode & 0o022:
        return "the cache file is writable by group or others"
    if holder_st.st_uid not in (_uid, 0):
        return f"its directory belongs to uid {holder_st.st_uid}"
    if holder_st.st_mode & 0o022:
        return "its directory is writable by group or others"
    if private and holder_st.st_uid != _uid:
        return "the user cache directory belongs to another user"
    return None


def may_write_in_directory(path_entry: str, entry_st: os.stat_result) -> bool:
    """Whether this process may write ``<entry>/.epindex`` (docs/spec.md §5.5): it owns the entry,
    nobody else can write it or any ancestor of its real path (unless sticky)."""
    if WINDOWS or not S.S_ISDIR(entry_st.st_mode):
        return False
    if entry_st.st_uid != _uid or entry_st.st_mode & 0o022:
        return False
    real = real_path(path_entry)
    if real is None:
        return False
    p = os.path.dirname(real)
    while True:
        try:
            st = os.lstat(p)
        except OSError:
            return False
        if st.st_uid not in (0, _uid):
            return False
        if st.st_mode & 0o022 and not st.st_mode & S.S_ISVTX:
            return False
        parent = os.path.dirname(p)
        if parent == p:
            break
        p = parent
    holder = os.path.join(path_entry or ".", IN_DIR)
    try:
        hst = os.lstat(holder)
        if not S.S_ISDIR(hst.st_mode) or hst.st_uid != _uid or hst.st_mode & 0o022:
            return False
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return os.access(path_entry or ".", os.W_OK)


# ---------------------------------------------------------------------------------------------
# Reading

class Opened:
    __slots__ = ("entry", "size")

    def __init__(self, entry: CachedEntry, size: int) -> None:
        self.entry = entry
        self.size = size


#: (cache file, path entry) -> the parsed cache, kept while the file's identity is unchanged.
_memo: Dict[Tuple[str, str], CachedEntry] = {}


if TYPE_CHECKING:
    Needs = Callable[[CachedEntry], Sequence[str]]


def lookup_needs(group: Optional[str], freshness: str, sections: Optional[Sequence[str]] = None) -> Needs:
    """The sections a lookup reads of a cache: its freshness level's stamps, and ``sections``, or
    what a lookup of ``group`` (None: everything) reads."""
    stamps: Tuple[str, ...] = ("checks", "full") if freshness == "full" else (("checks",) if freshness == "stat" else ())
    if sections is not None:
        fixed = stamps + tuple(sections)
        return lambda entry: fixed
    if group is not None:
        one = stamps + ("names", "g:" + group)
        return lambda entry: one
    return lambda entry: stamps + ("names", "dists", "diagnostics") + tuple(n for n in entry.sections if n.startswith("g:"))


def read_cache(loc: Location, path_entry: str, needs: Optional[Needs] = None) -> Tuple[str, Any]:
    """("missing", None) | ("untrusted"/"corrupt", Diagnostic) | ("ok", Opened). The header is
    read (bounded) and checked, and ``needs``' sections while the file is open; a file seen
    before with the same identity is not read again."""
    try:
        fd = os.open(loc.file, OPEN_FLAGS)
    except OSError as e:
        code = errno_code(e)
        if code in ("ENOENT", "ENOTDIR"):
            return "missing", None
        if code == "ELOOP":
            return "untrusted", Diagnostic("EP304", "cache ignored: the cache path is a symbolic link", loc.file)
        return "untrusted", Diagnostic("EP304", f"cache ignored: cannot be opened ({code})", loc.file)
    try:
        st = os.fstat(fd)
        try:
            holder = os.lstat(loc.dir)
        except OSError:
            return "untrusted", Diagnostic("EP304", "cache ignored: its directory cannot be examined", loc.file)
        problem = trust_problem(st, holder, loc.kind == "user")
        if problem is not None:
            return "untrusted", Diagnostic("EP304", f"cache ignored: {problem}", loc.file)
        ident = identity(st)
        key = (loc.file, path_entry)
        entry = _memo.get(key)
        if entry is None or entry.ident != ident:
            head, header = read_header(fd, st.st_size)
            entry = CachedEntry(loc.file, ident, head, header, path_entry, divmod(st.st_mtime_ns, 1_000_000_000))
            if len(_memo) > 4096:
                _memo.clear()
            _memo[key] = entry
        if needs is not None:
            entry.fd = fd
            try:
                entry.load(needs(entry))
            finally:
                entry.fd = -1
        return "ok", Opened(entry, st.st_size)
    except CacheError as e:
        _memo.pop((loc.file, path_entry), None)
        return "corrupt", Diagnostic(e.code, f"cache ignored: {e}", loc.file)
    except OSError as e:
        return "corrupt", Diagnostic("EP301", f"cache ignored: cannot be read ({errno_code(e)})", loc.file)
    finally:
        os.close(fd)


def forget(file: str) -> None:
    for k in [k for k in _memo if k[0] == file]:
        del _memo[k]
    _remembered.clear()


# ---------------------------------------------------------------------------------------------
# Freshness (docs/spec.md §5.4)

class Fresh:
    __slots__ = ("fresh", "worth_rewriting", "reason")

    def __init__(self, fresh: bool, worth_rewriting: bool, reason: Optional[str]) -> None:
        self.fresh = fresh
        #: fresh, but only after re-reading (racy or outdated stamps): worth rewriting
        self.worth_rewriting = worth_rewriting
        self.reason = reason

    def __repr__(self) -> str:
        return f"Fresh({self.fresh!r}, {self.worth_rewriting!r}, {self.reason!r})"


def _stamp(p: str) -> Optional[Tuple[int, ...]]:
    try:
        return stamp_of(os.stat(p))
    except OSError:
        return None


def _same_id(a: int, b: Any) -> bool:
    # ino and dev are compared as IEEE-754 doubles (what a JavaScript reader sees).
    return float(a) == float(b)


def _same_stamp(now: Tuple[int, ...], recorded: Sequence[int]) -> bool:
    return _same_id(now[0], recorded[0]) and now[1:] == tuple(recorded[1:])


def identity_problem(entry: CachedEntry, path_entry: str, st: os.stat_result) -> Optional[str]:
    """Why the cache is not this directory's (EP308), or None (docs/spec.md §5.4)."""
    if entry.source != "python":
        from ._text import js_json

        return f"it is a cache of {js_json(entry.source)} packages"
    if (entry.kind == "zip") != S.S_ISREG(st.st_mode):
        return f"it describes a {entry.kind}"
    if not _same_id(st.st_dev, entry.dev) or not _same_id(st.st_ino, entry.entry[0]):
        return "the path entry is another directory now (device or inode changed)"
    real = real_path(path_entry)
    if real is not None and entry.real_path != real:
        return f"it describes {entry.real_path}"
    return None


def _open_dir(root: str) -> Optional[int]:
    if os.stat not in os.supports_dir_fd:
        return None
    try:
        return os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None


def listing_unchanged(entry: CachedEntry, now: Tuple[int, ...]) -> bool:
    e = entry.entry
    return (now[2] == e[2] and now[3] == e[3] and now[4] == e[4] and now[5] == e[5] and (entry.kind != "zip" or now[1] == e[1])
            and not is_racy(e, entry.scanned))


def _all_zero(s: Sequence[int]) -> bool:
    return not any(s)


def check_freshness(path_entry: str, entry: CachedEntry, level: str, st: Optional[os.stat_result] = None) -> Fresh:
    """Identity is the caller's (identity_problem); this is the level's check (§5.4)."""
    root = path_entry or "."
    if st is None:
        try:
            st = os.stat(root)
        except OSError:
            return Fresh(False, False, "the path entry is gone")
    now = stamp_of(st)
    listing_ok = listing_unchanged(entry, now)
    if entry.kind == "zip":
        if listing_ok:
            return Fresh(True, False, None)
        again = scan_path_entry(path_entry)
        return Fresh(True, True, None) if entry.same_units(again.dists) else Fresh(False, False, "the zip archive changed")
    worth = False
    racy_children: set = set()
    listing = None
    if not listing_ok:
        try:
            names = list_candidate_names(root)
        except OSError as e:
            return Fresh(False, False, f"the path entry cannot be listed ({errno_code(e)})")
        listing = entry.section("listing")
        if names != listing["names"]:
            return Fresh(False, False, _listing_diff(listing["names"], names))
        stamps = listing["stamps"]
        for i, n in enumerate(names):
            rec = stamps[6 * i : 6 * i + 6]
            if _all_zero(rec):
                continue
            cur = _stamp(root + os.sep + n)
            if cur is None or not _same_id(cur[0], rec[0]) or cur[4] != rec[4] or cur[5] != rec[5]:
                return Fresh(False, False, f"{n} was replaced")
            if is_racy(rec, entry.scanned):
                racy_children.add(n)
        for i, d in enumerate(listing.get("dirs", [])):
            cur = _stamp(root + os.sep + d)
            if cur is None or not _same_stamp(cur, listing["dirStamps"][6 * i : 6 * i + 6]):
                return Fresh(False, False, f"{d} changed")
        worth = True
    if level != "listing":
        stat = os.stat
        # Relative to the directory's descriptor: each stat walks two components, not the path.
        dir_fd = _open_dir(root)
        prefix = "" if dir_fd is not None else root + os.sep
        try:
            for sec in (("checks", "full") if level == "full" else ("checks",)):
                paths, inos, sizes, mtimes, ctimes, racy = entry.stamp_table(sec)
                for p, ino, size, m, c in zip(paths, inos, sizes, mtimes, ctimes):
                    try:
                        cur_st = stat(prefix + p, dir_fd=dir_fd)
                    except OSError:
                        return Fresh(False, False, f"{p} changed")
                    if cur_st.st_mtime_ns != m or cur_st.st_ctime_ns != c or cur_st.st_size != size or (cur_st.st_ino != ino and float(cur_st.st_ino) != float(ino)):
                        return Fresh(False, False, f"{p} changed")
                racy_children.update(racy)
        finally:
            if dir_fd is not None:
                os.close(dir_fd)
        if level == "full":
            if listing is None:
                listing = entry.section("listing")
            names = listing["names"]
            stamps = listing["stamps"]
            for i, n in enumerate(names):
                rec = stamps[6 * i : 6 * i + 6]
                if _all_zero(rec):
                    continue
                cur = _stamp(root + os.sep + n)
                if cur is None or not _same_stamp(cur, rec):
                    return Fresh(False, False, f"{n} changed")
                if is_racy(rec, entry.scanned):
                    racy_children.add(n)
            known = set(entry.digests())
            is_egg = entry_is_egg(root)
            for n in names:
                if n not in known and scan_candidate(root, n, "unknown", is_egg)[0] is not None:
                    return Fresh(False, False, f"{n} became readable")
    if racy_children:
        from ._format import unit_digest

        digests = entry.digests()
        is_egg = entry_is_egg(root)
        for child in sorted(racy_children):
            again = scan_candidate(root, child, "unknown", is_egg, stamps=True)[0]
            want = digests.get(child)
            if (again is None) != (want is None) or (again is not None and unit_digest(again) != want):
                return Fresh(False, False, f"{child} changed within the timestamp granularity of the scan")
        worth = True
    return Fresh(True, worth, None)


def _listing_diff(before: List[str], after: List[str]) -> str:
    a, b = set(before), set(after)
    if before == after:
        return "unchanged"
    added = [n for n in after if n not in a]
    removed = [n for n in before if n not in b]
    if not added and not removed:
        return "the listing's order changed"
    parts = ["+" + n for n in added[:3]] + ["-" + n for n in removed[:3]]
    more = len(added) + len(removed) - len(parts)
    return "the listing changed: " + " ".join(parts) + (f" and {more} more" if more > 0 else "")


# ---------------------------------------------------------------------------------------------
# Writing

def _prepare_holder(loc: Location) -> None:
    if loc.kind == "user":
        # The root was trusted when this location was; made now if missing (a lookup that only
        # reads never makes it), then its entry-points.v4/, 0700, never chmod'ed (spec §5.3).
        from ._userroot import prepare_subdirectory, trusted_root

        root, why = trusted_root(create=True)
        if root is None:
            import errno

            raise PermissionError(errno.EACCES, f"user cache root not trusted: {why}")
        prepare_subdirectory(loc.dir)
        return
    try:
        os.mkdir(loc.dir, 0o755)
    except FileExistsError:
        pass
    st = os.lstat(loc.dir)
    if not S.S_ISDIR(st.st_mode):
        raise NotADirectoryError(f"{loc.dir} is not a directory (a symlink?)")


def _remove_stale_temporaries(d: str) -> None:
    try:
        now = time.time()
        for name in os.listdir(d):
            if name.endswith(".tmp"):
                p = os.path.join(d, name)
                st = os.lstat(p)
                if S.S_ISREG(st.st_mode) and now - st.st_mtime > TMP_MAX_AGE:
                    os.unlink(p)
    except OSError:
        pass


_counter = 0


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def write_somewhere(path_entry: str, loc: Location) -> Tuple[Scan, Optional[Diagnostic], Optional[Location]]:
    """Write at ``loc``; when an in-directory write fails, the user cache instead (§5.3);
    one EP306 when nothing could be written."""
    scan, problem = write_cache(path_entry, loc)
    if problem is None:
        return scan, None, loc
    if loc.kind == "in-directory" and scan.inexact is None:
        real = real_path(path_entry)
        user = None if real is None else user_location(real)
        if user is not None:
            scan2, problem2 = write_cache(path_entry, user)
            if problem2 is None:
                return scan2, None, user
            return scan2, Diagnostic("EP306", f"{problem.message}; in the user cache: {problem2.message}", loc.file), None
    return scan, problem, None


def write_cache(path_entry: str, loc: Location) -> Tuple[Scan, Optional[Diagnostic]]:
    """Scan and write atomically: an exclusive temporary file in the holder (its mtime is the
    scan's start), fsync, rename. On failure the old cache stays and the scan is returned
    with an EP306 diagnostic."""
    try:
        _prepare_holder(loc)
    except OSError as e:
        return scan_path_entry(path_entry), Diagnostic("EP306", f"cannot prepare the cache directory ({errno_code(e)}: {e.strerror})", loc.file)
    _remove_stale_temporaries(loc.dir)
    global _counter
    _counter += 1
    tmp = os.path.join(loc.dir, f"{FILE}.{os.getpid()}.{_base36(time.time_ns() // 1_000_000)}{_base36(_counter)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o600 if loc.kind == "user" else 0o644)
    except OSError as e:
        return scan_path_entry(path_entry), Diagnostic("EP306", f"cannot create the cache file ({errno_code(e)}: {e.strerror})", loc.file)
    scan: Optional[Scan] = None
    try:
        if loc.kind != "user":
            os.fchmod(fd, 0o644)  # whatever the umask, so that readers trust it
        # The scan starts now, on the cache filesystem's clock: the temporary file's birth time
        # minus 1 ms becomes the cache file's mtime, which readers take as the scan's start.
        born_ns = os.fstat(fd).st_mtime_ns
        scan = scan_path_entry(path_entry, stamps=True)
        if scan.kind not in ("directory", "zip"):
            raise OSError(95, "the path entry cannot be scanned")
        if scan.inexact is not None:
            raise _Inexact(scan.inexact)
        real = real_path(path_entry) or os.path.abspath(path_entry or ".")
        from ._format import serialize

        data = serialize(scan, real)
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        at = born_ns - 1_000_000
        os.utime(fd, ns=(at, at))
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, loc.file)
        forget(loc.file)
        return scan, None
    except OSError as e:
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, _Inexact):
            return (scan or scan_path_entry(path_entry)), Diagnostic("EP306", f"cache not written: {e.reason} (the TypeScript writer describes this damage "
                                                                              "in other words, and both must write the same bytes; docs/spec.md §14)", loc.file)
        return (scan or scan_path_entry(path_entry)), Diagnostic("EP306", f"cannot write the cache ({errno_code(e)}: {e.strerror})", loc.file)


class _Inexact(OSError):
    """The scan holds what only the Python side words this way (Scan.inexact): not cached."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------------
# One path entry under one policy

def _entry_stat(path_entry: str) -> Optional[os.stat_result]:
    try:
        st = os.stat(path_entry or ".")
    except OSError:
        return None
    return st if (S.S_ISDIR(st.st_mode) or S.S_ISREG(st.st_mode)) else None


#: Within one process (as the TypeScript engine's fast path): a directory whose own stamp is
#: exactly the one its cache was last found fresh with, and not racy, has the same listing, so
#: the cache file need not be opened again; the stat and full levels still compare their stamps.
_remembered: Dict[Tuple[str, str, Optional[str]], Tuple[int, Tuple[int, ...], CachedEntry]] = {}


def load_path_entry(path_entry: str, mode: str, freshness: str, group: Optional[str],
                    sections: Optional[Sequence[str]] = None) -> Tuple[View, List[Diagnostic]]:
    """mode: ``only``, ``prefer``, ``auto`` or ``trust`` (fallback's first phase). A cache's
    view comes with ``sections`` read (default: what a lookup of ``group`` reads)."""
    st = _entry_stat(path_entry)
    if st is None:
        return ScanView(scan_path_entry(path_entry)), []
    needs = lookup_needs(group, freshness, sections)
    key = (path_entry, freshness, os.environ.get("EPINDEX_CACHE_DIR"))
    if mode != "trust":
        known = _remembered.get(key)
        if known is not None:
            dev, stamp, entry = known
            if dev == st.st_dev and stamp == stamp_of(st):
                try:
                    f = check_freshness(path_entry, entry, freshness, st)
                    if f.fresh and not f.worth_rewriting:
                        entry.load(needs(entry))
                        return entry, []
                except CacheError:
                    pass
            del _remembered[key]
    is_dir = S.S_ISDIR(st.st_mode)
    diagnostics: List[Diagnostic] = []
    untrusted = user_root_problem()
    if untrusted is not None:
        diagnostics.append(untrusted)  # one per lookup: load_views keeps the first
    stale: List[str] = []
    existing_in_dir = False
    for loc in read_locations(path_entry, is_dir):
        state, got = read_cache(loc, path_entry, needs)
        if state == "missing":
            continue
        if loc.kind == "in-directory":
            existing_in_dir = True
        if state != "ok":
            diagnostics.append(got)
            continue
        entry: CachedEntry = got.entry
        wrong = identity_problem(entry, path_entry, st)
        if wrong is not None:
            diagnostics.append(Diagnostic("EP308", f"cache ignored: {wrong}", loc.file))
            continue
        try:
            f = Fresh(True, False, None) if mode == "trust" else check_freshness(path_entry, entry, freshness, st)
            if f.fresh:
                entry.load(needs(entry))
        except CacheError as e:
            forget(loc.file)
            diagnostics.append(Diagnostic(e.code, f"cache ignored: {e}", loc.file))
            continue
        if f.fresh:
            if not f.worth_rewriting and mode != "trust" and listing_unchanged(entry, stamp_of(st)):
                if len(_remembered) > 4096:
                    _remembered.clear()
                _remembered[key] = (st.st_dev, stamp_of(st), entry)
            if not (mode == "auto" and f.worth_rewriting and racy_window_passed(entry.scanned)):
                return entry, diagnostics
            target = _write_location(path_entry, st, loc.kind == "in-directory")
            if target is None or target.kind != loc.kind:
                return entry, diagnostics
            scan, problem, _ = write_somewhere(path_entry, target)
            return ScanView(scan), diagnostics + ([problem] if problem and scan.inexact is None else [])
        stale.append(f.reason or "stale")
        diagnostics.append(Diagnostic("EP305", f"cache is stale: {f.reason}", loc.file))
    if mode == "only":
        why = f"no fresh cache ({stale[0]}); contributes nothing" if stale else "no cache; contributes nothing"
        diagnostics.append(Diagnostic("EP307", why, path_entry))
        return ScanView(Scan(path_entry, "directory" if is_dir else "zip", [], [], [], [], None, 0)), diagnostics
    if mode == "auto":
        if is_dir and not existing_in_dir and _no_candidates(path_entry):
            # Nothing importlib or epindex would find (a script's directory, the standard
            # library): no cache is written for it by a lookup (spec §5.1).
            return ScanView(Scan(path_entry, "directory", [], [], [], [], None, st.st_dev)), diagnostics
        loc2 = _write_location(path_entry, st, existing_in_dir)
        if loc2 is not None:
            scan, problem, _ = write_somewhere(path_entry, loc2)
            if problem is not None and scan.inexact is None:  # a refused scan is no failure of the lookup's
                diagnostics.append(problem)
            return ScanView(scan), diagnostics
    return ScanView(scan_path_entry(path_entry)), diagnostics


def _no_candidates(path_entry: str) -> bool:
    try:
        return not list_candidate_names(path_entry or ".")
    except OSError:
        return False


def racy_window_passed(scanned: Tuple[int, int]) -> bool:
    return time.time() * 1000 - (scanned[0] * 1e3 + scanned[1] / 1e6) > RACY_WINDOW_MS


def _write_location(path_entry: str, st: os.stat_result, in_directory: bool) -> Optional[Location]:
    """In the directory (under its real path) only when ``in_directory`` allows it (an explicit
    build, or an in-directory cache exists already) and this process may write there (§5.1);
    else the user cache."""
    real = real_path(path_entry)
    if real is None:
        return None
    if in_directory and may_write_in_directory(path_entry, st):
        return in_directory_location(real)
    return user_location(real)


# ---------------------------------------------------------------------------------------------
# Status, rebuild

def status_of(path_entry: str, freshness: str = "stat") -> Dict[str, Any]:
    base: Dict[str, Any] = {"pathEntry": path_entry, "state": "missing", "reason": None, "file": None, "location": None,
                            "size": None, "ageSeconds": None, "distributions": None, "racy": False}
    try:
        st = os.stat(path_entry or ".")
    except OSError as e:
        return {**base, "state": "not-cacheable", "reason": "does not exist" if errno_code(e) == "ENOENT" else f"cannot be examined ({errno_code(e)})"}
    if not (S.S_ISDIR(st.st_mode) or S.S_ISREG(st.st_mode)):
        return {**base, "state": "not-cacheable", "reason": "neither a directory nor a file"}
    if S.S_ISREG(st.st_mode) and scan_path_entry(path_entry).kind != "zip":
        return {**base, "state": "not-cacheable", "reason": "a file that is not a zip archive"}
    first: Optional[Dict[str, Any]] = None
    for loc in read_locations(path_entry, S.S_ISDIR(st.st_mode)):
        state, got = read_cache(loc, path_entry)
        if state == "missing":
            continue
        s = {**base, "file": loc.file, "location": loc.kind}
        if state != "ok":
            s.update(state="untrusted" if state == "untrusted" else "corrupt", reason=got.message.replace("cache ignored: ", ""))
        else:
            entry = got.entry
            wrong = identity_problem(entry, path_entry, st)
            if wrong is not None:
                s.update(state="foreign", reason=wrong, size=got.size)
                first = first or s
                continue
            try:
                f = check_freshness(path_entry, entry, freshness, st)
                if f.fresh:  # every section read and verified, as the TypeScript status does
                    entry.load(list(entry.sections))
                s.update(state="fresh" if f.fresh else "stale", reason=f.reason, size=got.size,
                         ageSeconds=max(0, round(time.time() - entry.scanned_ns / 1e9)), distributions=entry.distributions,
                         racy=f.fresh and f.worth_rewriting)
            except CacheError as e:
                forget(loc.file)
                s.update(state="corrupt", reason=str(e), size=got.size)
        if s["state"] == "fresh":
            return s
        first = first or s
    return first or base


def _search_entries(path: Optional[Sequence[str]]) -> List[str]:
    from ._lookup import unique_entries

    return unique_entries(sys.path if path is None else list(path))


def cache_status(path: Optional[Sequence[str]] = None, *, freshness: Optional[str] = None) -> List[Dict[str, Any]]:
    """Per path entry of ``path`` (default ``sys.path``): ``state`` (fresh, stale, missing,
    untrusted, corrupt, foreign, not-cacheable), ``reason``, ``file``, ``location``, ``size``,
    ``ageSeconds``, ``distributions``, ``racy`` — as ``epi cache status --json`` shows them."""
    from ._lookup import FRESHNESS, choose

    level = choose("EPINDEX_FRESHNESS", freshness, FRESHNESS, "stat")
    return [status_of(p, level) for p in _search_entries(path)]


def _may_write_into(search: Sequence[str]) -> Any:
    """For a rebuild of the whole search path (as `epi cache rebuild`): not into a project's
    source tree (pyproject.toml, setup.py, setup.cfg in it or in its parent), nor, outside a virtual environment,
    into a distro-managed installation (PEP 668's EXTERNALLY-MANAGED in the stdlib directory)."""
    stdlib = next((p for p in search if os.path.exists(os.path.join(p or ".", "os.py"))), None)
    marked = stdlib is not None and os.path.exists(os.path.join(stdlib, "EXTERNALLY-MANAGED"))
    venv = sys.prefix if sys.prefix != getattr(sys, "base_prefix", sys.prefix) else None

    def may(d: str) -> bool:
        here = os.path.abspath(d or ".")
        # A project's tree: a project file in the directory or in its parent (a src layout).
        if any(os.path.exists(os.path.join(t, f)) for t in (here, os.path.dirname(here)) for f in ("pyproject.toml", "setup.py", "setup.cfg")):
            return False
        if marked and (venv is None or not (os.path.abspath(d or ".") + os.sep).startswith(os.path.abspath(venv) + os.sep)):
            return False
        return True

    return may


def rebuild(path: Optional[Sequence[str]] = None, *, force: bool = False, settle: bool = True) -> List[Dict[str, Any]]:
    """Build the cache of every path entry of ``path`` (default ``sys.path``, as `epi cache
    rebuild`; an explicit list, as `epi cache build DIR...`): in the directory where this process
    may write it (docs/spec.md §5.1), else in the user cache. Fresh caches are left alone unless
    ``force``. ``settle`` (default, as the CLI): when a cache comes out racy (as right after an
    install), wait until the 2 s racy window has passed, once for all, and write it again."""
    entries = _search_entries(path)
    may = _may_write_into(entries) if path is None else (lambda d: True)
    results = []
    for p in entries:
        results.append(_build_one(p, force, may(p)))
    if settle:
        racy = [i for i, r in enumerate(results) if r["outcome"] in ("written", "unchanged") and status_of(r["pathEntry"])["racy"]]
        if racy:
            until = 0.0
            for i in racy:
                try:
                    until = max(until, os.stat(results[i]["file"]).st_mtime + RACY_WINDOW_MS / 1e3 + 0.01)
                except (OSError, TypeError):
                    pass
            delay = until - time.time()
            if delay > 0:
                time.sleep(delay)
            for i in racy:
                again = _build_one(results[i]["pathEntry"], True, may(results[i]["pathEntry"]))
                if again["outcome"] == "written":
                    again["reason"] = results[i]["reason"] if results[i]["outcome"] == "written" else "settled racy stamps"
                results[i] = again
    return results


def _build_one(path_entry: str, force: bool, in_directory: bool = True) -> Dict[str, Any]:
    s = status_of(path_entry)
    out: Dict[str, Any] = {"pathEntry": path_entry, "outcome": "skipped", "file": None, "reason": s["reason"], "distributions": 0, "diagnostics": []}
    if s["state"] == "not-cacheable":
        return out
    if s["state"] == "fresh" and not force:
        return {**out, "outcome": "unchanged", "file": s["file"], "reason": None, "distributions": s["distributions"] or 0}
    st = _entry_stat(path_entry)
    if st is not None and S.S_ISDIR(st.st_mode) and in_directory and _no_candidates(path_entry):
        in_directory = False  # an interpreter's stdlib gets no .epindex: the user cache (spec §5.1)
    target = None if st is None else _write_location(path_entry, st, in_directory)
    if target is None:
        problem = user_root_problem()
        return {**out, "outcome": "failed", "reason": f"no writable cache location{': ' + problem.message if problem else ''}"}
    scan, problem, loc = write_somewhere(path_entry, target)
    if scan.inexact is not None:
        return {**out, "outcome": "skipped", "reason": problem.message if problem else scan.inexact, "distributions": len(scan.dists)}
    if problem is not None or loc is None:
        return {**out, "outcome": "failed", "reason": problem.message if problem else "not written", "distributions": len(scan.dists),
                "diagnostics": [problem.to_json()] if problem else []}
    reason = None if s["state"] == "missing" else ("forced" if s["state"] == "fresh" else (s["reason"] or s["state"]))
    return {**out, "outcome": "written", "file": loc.file, "reason": reason, "distributions": len(scan.dists)}

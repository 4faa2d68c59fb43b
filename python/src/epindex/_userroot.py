"""The user cache root, trusted only when nobody but this user and root controls it (docs/spec.md
§5.1, §5.5 "The user cache root"; the TypeScript side's src/cache/user-root.ts):

1. the root is an absolute path (a relative ``$EPINDEX_CACHE_DIR`` is refused);
2. resolved one component at a time from ``/`` with ``lstat``: every directory a component is
   looked up in is owned by root or this user and not writable by group or others unless
   sticky; every symbolic link followed is owned by root or this user; at most 40 links;
3. the root itself is a real directory (never a link), this user's, not writable by group or
   others — its read and search bits are the user's choice;
4. what is missing of it (at most its last two components, ``.cache/epindex``; never a home
   directory) is made, one component at a time, mode 0700, each checked by rule 3. epindex never
   changes the mode of a directory it did not make.

Otherwise there is no user cache: nothing under the root is read, written, made or removed,
and a lookup reports EP309 once. The verdict is taken once per process and root.
"""
from __future__ import annotations

import os
import stat as S
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Tuple

WINDOWS = sys.platform == "win32"
_uid = os.getuid() if hasattr(os, "getuid") else 0
MAX_LINKS = 40
#: How many components of the root epindex may make (``.cache/epindex``).
MAKE_AT_MOST = 2

_verdicts: "Dict[str, Optional[str]]" = {}


def configured_root() -> "Tuple[Optional[str], Optional[str]]":
    """(the root, None) or (None, why there is none)."""
    override = os.environ.get("EPINDEX_CACHE_DIR")
    if override:
        if not os.path.isabs(override):
            return None, f"$EPINDEX_CACHE_DIR is a relative path ({override!r}): it would depend on the working directory"
        return os.path.normpath(override), None
    if WINDOWS:
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
        return os.path.join(base, "epindex", "Cache"), None
    home = os.path.expanduser("~")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "epindex"), None
    # The XDG base directory specification: a relative $XDG_CACHE_HOME is ignored.
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return os.path.join(os.path.normpath(xdg), "epindex"), None
    if not os.path.isabs(home):
        return None, "no home directory"
    return os.path.join(home, ".cache", "epindex"), None


def _safe_dir(st: os.stat_result) -> bool:
    """A directory something is looked up in: root's or ours, not writable by others unless sticky."""
    return st.st_uid in (0, _uid) and (not st.st_mode & 0o022 or bool(st.st_mode & S.S_ISVTX))


def _walk(path: str) -> "Tuple[Optional[str], int]":
    """Resolve ``path`` checking rule 2: (None, how many trailing components are missing) or
    (why not, 0). The last component itself is not checked here (rule 3 is the caller's)."""
    links = 0
    todo = [c for c in path.split(os.sep) if c]
    cur = os.sep
    while todo:
        name = todo.pop(0)
        if name == ".":
            continue
        if name == "..":
            cur = os.path.dirname(cur) or os.sep
            continue
        try:
            parent = os.lstat(cur)
        except OSError as e:
            return f"{cur} cannot be examined ({e.strerror})", 0
        if not _safe_dir(parent):
            return f"{cur} is {'owned by uid ' + str(parent.st_uid) if parent.st_uid not in (0, _uid) else 'writable by others'}", 0
        nxt = os.path.join(cur, name)
        try:
            st = os.lstat(nxt)
        except FileNotFoundError:
            return None, 1 + len(todo)
        except OSError as e:
            return f"{nxt} cannot be examined ({e.strerror})", 0
        if S.S_ISLNK(st.st_mode):
            if not todo:
                return None, 0  # the root itself: rule 3 refuses a link
            links += 1
            if links > MAX_LINKS:
                return f"{nxt}: too many symbolic links", 0
            if st.st_uid not in (0, _uid):
                return f"{nxt} is a symbolic link owned by uid {st.st_uid}", 0
            try:
                target = os.readlink(nxt)
            except OSError as e:  # gone or replaced since the lstat
                return f"{nxt} cannot be read ({e.strerror})", 0
            todo = [c for c in target.split(os.sep) if c] + todo
            cur = os.sep if os.path.isabs(target) else cur
            continue
        cur = nxt
    return None, 0


def _root_problem(root: str) -> "Optional[str]":
    """Rule 3 for an existing root."""
    try:
        st = os.lstat(root)
    except OSError as e:
        return f"{root} cannot be examined ({e.strerror})"
    if S.S_ISLNK(st.st_mode):
        return f"{root} is a symbolic link"
    if not S.S_ISDIR(st.st_mode):
        return f"{root} is not a directory"
    if st.st_uid != _uid:
        return f"{root} belongs to uid {st.st_uid}"
    if st.st_mode & 0o022:
        return f"{root} is writable by group or others"
    return None


def trusted_root(create: bool = True) -> "Tuple[Optional[str], Optional[str]]":
    """(the root, None) when it may be used (made if missing and ``create``; without ``create``,
    a missing root that a write may make is usable too: a lookup never makes it), else (None, why)."""
    root, why = configured_root()
    if root is None:
        return None, why
    if WINDOWS:
        return root, None
    key = f"{_uid}\0{root}\0{int(create)}"
    if key in _verdicts:
        problem = _verdicts[key]
        return (None, problem) if problem is not None else (root, None)
    problem, missing = _walk(root)
    if problem is None and missing:
        if missing > MAKE_AT_MOST:
            problem = f"{root} does not exist, and epindex makes no more than its last {MAKE_AT_MOST} components"
        elif not create:
            # Reading judges what exists (as src/cache/user-root.ts): a root a write would make
            # holds nothing to read yet, and nobody else can make it (its parent was judged).
            return root, None
        else:
            parts = root.split(os.sep)
            for k in range(len(parts) - missing, len(parts)):
                d = os.sep.join(parts[: k + 1])
                try:
                    os.mkdir(d, 0o700)
                except FileExistsError:
                    pass
                except OSError as e:
                    problem = f"{d} cannot be made ({e.strerror})"
                    break
                problem = _root_problem(d)
                if problem is not None:
                    break
    if problem is None:
        problem = _root_problem(root)
    if len(_verdicts) > 64:
        _verdicts.clear()
    _verdicts[key] = problem
    return (None, problem) if problem is not None else (root, None)


def prepare_subdirectory(d: str) -> None:
    """``<root>/<name>/``: made 0700 when missing; else it must be a real directory of ours, not
    writable by others (OSError otherwise). Never chmod'ed."""
    try:
        os.mkdir(d, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(d)
    if not S.S_ISDIR(st.st_mode):
        raise NotADirectoryError(f"{d} is not a directory")
    if not WINDOWS and (st.st_uid != _uid or st.st_mode & 0o022):
        raise PermissionError(f"{d} is not this user's own, or is writable by others")

"""Search path × policy → views, and the lookups on them (docs/spec.md §6).

Every lookup re-checks freshness; what did not change is not read or built again.
"""
from __future__ import annotations

import os
import sys

from ._diagnostics import Diagnostic
from ._discover import scan_path_entry
from ._view import ScanView, View

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Tuple
    from ._view import Row

POLICIES = ("scan", "only", "prefer", "fallback", "auto")
FRESHNESS = ("listing", "stat", "full")

_real: Dict[str, Optional[str]] = {}


def real_path(path_entry: str) -> Optional[str]:
    """The real path of a path entry (None when it does not resolve), memoized per process for
    absolute entries: ``''`` and relative ones resolve against the working directory of the
    moment, as importlib resolves them."""
    try:
        return _real[path_entry]
    except KeyError:
        pass
    ab = os.path.abspath(path_entry or ".")
    r: Optional[str]
    try:
        r = os.path.realpath(ab, strict=True) if sys.version_info >= (3, 10) else os.path.realpath(ab)
        if sys.version_info < (3, 10):
            os.stat(r)
    except OSError:
        return None
    if os.path.isabs(path_entry):
        if len(_real) > 4096:
            _real.clear()
        _real[path_entry] = r
    return r


def choose(name: str, value: Optional[str], allowed: Sequence[str], default: str) -> str:
    v = value if value is not None else (os.environ.get(name) or None)
    if v is None:
        return default
    if v not in allowed:
        raise ValueError(f"{name}={v!r} is not one of {', '.join(allowed)}" if value is None else f"{v!r} is not one of {', '.join(allowed)}")
    return v


def unique_entries(search_path: Sequence[str]) -> List[str]:
    """The path entries to search: a real path already searched is skipped."""
    seen = set()
    out = []
    for entry in search_path:
        if not isinstance(entry, str):
            continue
        r = real_path(entry)
        if r is not None:
            if r in seen:
                continue
            seen.add(r)
        out.append(entry)
    return out


def load_views(search_path: Sequence[str], policy: str, freshness: str, group: Optional[str]) -> Tuple[List[View], List[Diagnostic]]:
    views: List[View] = []
    diagnostics: List[Diagnostic] = []
    for entry in unique_entries(search_path):
        if policy == "scan":
            views.append(ScanView(scan_path_entry(entry)))
            continue
        from ._cache import load_path_entry

        view, diags = load_path_entry(entry, policy, freshness, group)
        views.append(view)
        diagnostics.extend(d for d in diags if d.code != "EP309" or not any(x.code == "EP309" for x in diagnostics))
    return views, diagnostics


def settings(policy: str, freshness: Optional[str]) -> Tuple[str, str]:
    """The policy and freshness level of a library call: the arguments, else the environment
    variables ($EPINDEX_CACHE only where the policy is left at its default), else auto/stat."""
    p = choose("EPINDEX_CACHE", None if policy == "auto" and "EPINDEX_CACHE" in os.environ else policy, POLICIES, "auto")
    f = choose("EPINDEX_FRESHNESS", freshness, FRESHNESS, "stat")
    return p, f


def lookup_rows(group: Optional[str], name: Optional[str], path: Optional[Sequence[str]], policy: str,
                freshness: Optional[str]) -> Tuple[List[View], List[Tuple[int, "Row"]], List[Diagnostic]]:
    """The views of the search path and the rows of ``group`` (all: None) named ``name`` (any:
    None) of the distributions in use, under a policy (§6: ``fallback`` trusts caches first and
    checks them only when the key is missing)."""
    from ._resolve import select_rows

    pol, fresh = settings(policy, freshness)
    search = sys.path if path is None else path
    if pol == "fallback":
        views, diags = load_views(search, "trust", fresh, group)
        rows = select_rows(views, group)
        if (group is not None or name is not None) and not any(name is None or r.name == name for _, r in rows):
            views, diags = load_views(search, "prefer", fresh, group)
            rows = select_rows(views, group)
    else:
        views, diags = load_views(search, pol, fresh, group)
        rows = select_rows(views, group)
    if name is not None:
        rows = [(v, r) for v, r in rows if r.name == name]
    return views, rows, diags

"""Search path × policy → views, and the lookups on them (docs/spec.md §6).

Every lookup re-checks freshness; what did not change is not read or built again.
"""
from __future__ import annotations

import os
import sys
from typing import Dict, List, Optional, Sequence, Tuple

from ._diagnostics import Diagnostic
from ._discover import scan_path_entry
from ._view import ScanView, View

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
        diagnostics.extend(diags)
    return views, diagnostics

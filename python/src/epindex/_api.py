"""The public functions (re-exported lazily by ``epindex``)."""
from __future__ import annotations

import sys
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator, List, Optional, Sequence

from ._diagnostics import Diagnostic
from ._lookup import load_views, lookup_rows, settings
from ._resolve import resolution_diagnostics, winners

_last_diagnostics: List[Diagnostic] = []


def entry_points(group: Optional[str] = None, name: Optional[str] = None, *, path: Optional[Sequence[str]] = None,
                 policy: str = "auto", freshness: Optional[str] = None) -> Any:
    """Entry points of the distributions in use on ``path`` (default ``sys.path``), as
    ``importlib.metadata.EntryPoints`` of real ``importlib.metadata.EntryPoint`` objects, in
    search-path order, then in-directory order, then file order (docs/spec.md §4.3).

    ``policy``: ``scan``, ``only``, ``prefer``, ``fallback`` or ``auto`` (default, or
    ``$EPINDEX_CACHE``); ``freshness``: ``listing``, ``stat`` (default, or
    ``$EPINDEX_FRESHNESS``) or ``full``. ``entry_point_records`` gives the same entry points
    without importing importlib.metadata.
    """
    global _last_diagnostics
    from . import _importlib as imp

    views, rows, diags = lookup_rows(group, name, path, policy, freshness)
    _last_diagnostics = diags
    out = []
    for v, r in rows:
        view = views[v]
        dist = imp.distribution(view.path_entry, r.dist.child, view.kind, r.dist.name, r.dist.version)
        out.append(imp.entry_point(r.name, r.value, r.group, dist))
    return imp.entry_points_of(out)


def distributions(*, path: Optional[Sequence[str]] = None, policy: str = "auto", freshness: Optional[str] = None) -> Iterator[Any]:
    """The distributions in use (one per normalized name, the winner), in search-path order,
    as ``importlib.metadata.PathDistribution`` objects."""
    from . import _importlib as imp

    pol, fresh = settings(policy, freshness)
    views, _ = load_views(sys.path if path is None else path, "prefer" if pol == "fallback" else pol, fresh, None)
    for v, ref in winners(views):
        yield imp.distribution(views[v].path_entry, ref.child, views[v].kind, ref.name, ref.version)


def diagnostics(*, path: Optional[Sequence[str]] = None, policy: str = "auto", freshness: Optional[str] = None) -> List[Diagnostic]:
    """Every diagnostic of a full lookup (files absolute), errors first."""
    pol, fresh = settings(policy, freshness)
    views, diags = load_views(sys.path if path is None else path, "prefer" if pol == "fallback" else pol, fresh, None)
    out = diags + resolution_diagnostics(views)
    rank = {"error": 0, "warning": 1, "info": 2}
    return [d for _, d in sorted(enumerate(out), key=lambda p: (rank[p[1].severity], p[0]))]


def dist_name_version(d: Any) -> tuple:
    from . import _importlib as imp

    return imp.name_version(d)

"""Search path × views → the environment's entry points and distributions (docs/spec.md §4.3).

The first distribution of a normalized name on the search path wins, except that a
metadata-less leftover never hides a real distribution anywhere on the path.
"""
from __future__ import annotations

import os
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Tuple

from ._diagnostics import Diagnostic
from ._view import DistRef, Row, View, absolute


def _is_winner(views: Sequence[View], v: int, ref: DistRef) -> bool:
    n = ref.normalized_name
    for u in range(v):
        if n in views[u].names()[0]:
            return False
    if ref.real:
        return True
    for u in range(len(views)):
        if u != v and n in views[u].names()[0]:
            return False
    for u in range(v):
        if n in views[u].names()[1]:
            return False
    return True


def select_rows(views: Sequence[View], group: Optional[str]) -> List[Tuple[int, Row]]:
    """The rows of global winners, in search-path order, then in-directory order, then file order."""
    out: List[Tuple[int, Row]] = []
    for v, view in enumerate(views):
        rows = view.rows(group)
        if not rows:
            continue
        if v == 0 and all(r.dist.real for r in rows):
            out.extend((0, r) for r in rows)
            continue
        verdict: Dict[int, bool] = {}
        for r in rows:
            w = verdict.get(r.dist.index)
            if w is None:
                w = verdict[r.dist.index] = _is_winner(views, v, r.dist)
            if w:
                out.append((v, r))
    return out


def winners(views: Sequence[View]) -> List[Tuple[int, DistRef]]:
    out = []
    for v, view in enumerate(views):
        for ref, in_entry_winner in view.dists():
            if in_entry_winner and _is_winner(views, v, ref):
                out.append((v, ref))
    return out


def root_of(path_entry: str) -> str:
    ab = os.path.abspath(path_entry or ".")
    return ab if ab.endswith(os.sep) else ab + os.sep


def metadata_path(path_entry: str, child: str) -> str:
    """Absolute: the path entry resolved against the working directory, then the child (§3.3)."""
    return root_of(path_entry) + child


def resolution_diagnostics(views: Sequence[View]) -> List[Diagnostic]:
    """Every view's diagnostics (absolute files), then EP201 for each in-directory winner that
    an earlier path entry's distribution shadows (losers within one directory have their EP206
    from the scan)."""
    out: List[Diagnostic] = []
    for view in views:
        out.extend(absolute(view.path_entry, d) for _, d in view.diagnostics())
    winner: Dict[str, Tuple[int, DistRef]] = {}
    for v, view in enumerate(views):
        for ref, w in view.dists():
            if not w:
                continue
            got = winner.get(ref.normalized_name)
            if got is None or (not got[1].real and ref.real):
                winner[ref.normalized_name] = (v, ref)
    for v, view in enumerate(views):
        for ref, w in view.dists():
            wv, wr = winner[ref.normalized_name]
            if wv == v and wr.index == ref.index:
                continue
            if wv != v and w:
                out.append(Diagnostic("EP201", f"{ref.name} {ref.version if ref.version is not None else '(no version)'} is shadowed by "
                                      f"{wr.name} {wr.version if wr.version is not None else '(no version)'} at {metadata_path(views[wv].path_entry, wr.child)}",
                                      metadata_path(view.path_entry, ref.child)))
    return out

"""The accelerator's answering half: ``importlib.metadata.entry_points(**params)`` (or the
backport's) from epindex's caches, with exactly what the unpatched function returns — the
same types, the same sequence in the same order, the same distributions — or
``NotImplemented``, and the original answers.

It answers only where epindex and importlib provably agree: the default finders (nothing
else on sys.meta_path that finds distributions), string path entries that are directories,
and no path entry whose header records a code where the two deviate (docs/spec.md §2.2: an
undecodable file, a BOM, ``;`` lines, lines without ``=``, several candidates of one name in
one directory, leftovers, unreadable candidates).
"""
from __future__ import annotations

import os
import pathlib
import sys
from typing import Any, Dict, List, Optional, Tuple

from ._lookup import FRESHNESS, real_path
from ._resolve import select_rows

#: Codes whose presence means importlib's answer is not epindex's (or raises, or blocks): also
#: the hostile-file ones importlib does not share (EP113: importlib reads the whole file; EP210,
#: EP214: it would open a FIFO and wait; EP211: it raises UnicodeDecodeError).
DEVIATING = frozenset({"EP101", "EP102", "EP103", "EP104", "EP111", "EP112", "EP113", "EP202", "EP203", "EP204", "EP205", "EP206", "EP208", "EP209",
                       "EP210", "EP211", "EP214"})
#: Where EntryPoint validates at construction (importlib_metadata >= 8.7, CPython >= 3.15).
VALIDATING = DEVIATING | {"EP105", "EP106", "EP108"}
SELECTION = frozenset({"group", "name", "value", "module", "attr", "extras"})

_impl: Dict[int, Dict[str, Any]] = {}
_dists: Dict[Tuple[int, str, str], Any] = {}
_eps: Dict[Tuple[int, int, str], Any] = {}
stats: Dict[str, Any] = {"answered": 0, "fell_back": 0, "last_reason": "", "reasons": {}}


def _function(f: object) -> object:
    return getattr(f, "__func__", f)


def _implementation(module: Any) -> Dict[str, Any]:
    info = _impl.get(id(module))
    if info is None:
        validating = False
        try:
            module.EntryPoint("x", "not a valid reference", "g")
        except ValueError:
            validating = True
        stdlib = module.__name__ == "importlib.metadata"
        info = {
            "module": module,
            "stdlib": stdlib,
            "selectable": hasattr(module, "SelectableGroups"),
            "deviating": VALIDATING if validating else DEVIATING,
            "resolver": None if stdlib else _function(getattr(getattr(module, "MetadataPathFinder", None), "find_distributions", None)),
        }
        _impl[id(module)] = info
    return info


def _fall_back(reason: str) -> Any:
    stats["fell_back"] += 1
    stats["last_reason"] = reason
    r = reason.split(":")[0] if "/" not in reason.split(":")[0] else "path entry with a deviating code"
    stats["reasons"][r] = stats["reasons"].get(r, 0) + 1
    return NotImplemented


def _resolvers_ok(info: Dict[str, Any], hook_state: Dict[str, Any]) -> bool:
    found = [f for f in (getattr(x, "find_distributions", None) for x in sys.meta_path) if f is not None]
    if len(found) != 1:
        return False
    expected = hook_state.get("stdlib_resolver") if info["stdlib"] else info["resolver"]
    return expected is not None and _function(found[0]) is expected


def answer(module: Any, params: Dict[str, Any], hook_state: Optional[Dict[str, Any]] = None) -> Any:
    """``hook_state``: the installed hook's (which finder it found at start-up)."""
    if hook_state is None:
        hook_state = _hook_state()
    info = _implementation(module)
    if not set(params) <= SELECTION:
        return _fall_back("selection by an attribute other than group, name, value, module, attr, extras")
    if not _resolvers_ok(info, hook_state):
        return _fall_back("another finder on sys.meta_path finds distributions")
    group = params.get("group")
    if group is not None and not isinstance(group, str):
        return _fall_back("a group that is not a string")
    from ._cache import load_path_entry
    from ._format import CachedEntry
    from ._view import View

    policy = os.environ.get("EPINDEX_CACHE") or "auto"
    mode = policy if policy in ("auto", "prefer") else "prefer"
    freshness = os.environ.get("EPINDEX_FRESHNESS") or "stat"
    if freshness not in FRESHNESS:
        freshness = "stat"
    deviating = info["deviating"]
    seen = set()
    views: List[View] = []
    for entry in sys.path:
        if type(entry) is not str:
            return _fall_back("a path entry that is not a string")
        r = real_path(entry)
        if r is not None:
            if r in seen:
                continue
            seen.add(r)
        view, _ = load_path_entry(entry, mode, freshness, group)
        if view.kind == "zip":
            return _fall_back(f"{entry} is a zip archive")
        if view.codes & deviating:
            return _fall_back(f"{entry}: {', '.join(sorted(view.codes & deviating))}")
        if view.several_of_one_name():
            return _fall_back(f"{entry}: several distributions of one name")
        if entry_is_egg_with_others(entry, view):
            return _fall_back(f"{entry} is an egg holding other metadata directories")
        views.append(view)
    rows = select_rows(views, group)
    key_group = group if group is not None else "\0all"
    eps: List[Any] = []
    mid = id(module)
    make_ep = module.EntryPoint
    for v, row in rows:
        view = views[v]
        if isinstance(view, CachedEntry):
            # A cache unchanged since the last call gives the same (immutable) objects back.
            k = (mid, id(view), key_group)
            cached = _eps.get(k)
            if cached is None or cached[0] is not view:
                if len(_eps) > 1024:
                    _eps.clear()
                cached = (view, {})
                _eps[k] = cached
            objs = cached[1]
        else:
            objs = {}
        ik = (row.dist.index, row.line, row.group)
        ep = objs.get(ik)
        if ep is None:
            dk = (mid, view.path_entry, row.dist.child)
            dist = _dists.get(dk)
            if dist is None:
                if len(_dists) > 100_000:
                    _dists.clear()
                dist = _dists[dk] = module.PathDistribution(pathlib.Path(view.path_entry, row.dist.child))
            ep = make_ep(row.name, row.value, row.group)
            if hasattr(ep, "_for"):
                ep = ep._for(dist)
            objs[ik] = ep
        eps.append(ep)
    stats["answered"] += 1
    if info["selectable"]:
        return module.SelectableGroups.load(eps).select(**params)
    return module.EntryPoints(eps).select(**params)


def entry_is_egg_with_others(entry: str, view: Any) -> bool:
    # importlib lists an egg's EGG-INFO after every *.dist-info/*.egg-info of the same entry.
    if not os.path.basename(entry).lower().endswith(".egg"):
        return False
    return len(view.dists()) > 1


def _hook_state() -> Dict[str, Any]:
    m = sys.modules.get("_epindex_accelerator")
    if m is None:
        from . import _hook as m  # type: ignore[no-redef]
    return m.state  # type: ignore[no-any-return]


def _write_stats(path: str) -> None:
    import json

    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"pid": os.getpid(), **stats, "disabled": _hook_state()["disabled"]}) + "\n")


if os.environ.get("EPINDEX_ACCELERATOR_STATS"):
    import atexit

    atexit.register(_write_stats, os.environ["EPINDEX_ACCELERATOR_STATS"])

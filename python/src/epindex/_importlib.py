"""Results as importlib.metadata's own types: real ``EntryPoint`` objects bound to real
``PathDistribution`` objects of the metadata directory, created without reading any file.

Per version: 3.9's ``EntryPoint`` is a namedtuple without ``dist`` and it has no
``EntryPoints`` class (epindex supplies one with the 3.12 interface); 3.10/3.11's
``EntryPoints`` is a list, 3.12+'s a tuple.
"""
from __future__ import annotations

import importlib.metadata as md
import pathlib

from typing import Any, Dict, Iterable, Optional, Tuple

from ._records import SelectableTuple

HAS_DIST = hasattr(md.EntryPoint, "_for")


class _EntryPoints39(SelectableTuple):
    """``importlib.metadata.EntryPoints`` as 3.12 defines it, for 3.9 (which has none)."""

    __slots__ = ()


_EntryPoints39.__name__ = _EntryPoints39.__qualname__ = "EntryPoints"


EntryPoints: Any = getattr(md, "EntryPoints", _EntryPoints39)


def entry_points_of(eps: Iterable[Any]) -> Any:
    return EntryPoints(eps)


_dists: Dict[Tuple[str, str, str], Any] = {}


_names: Dict[int, Tuple[str, Optional[str]]] = {}


def distribution(path_entry: str, child: str, kind: str, name: str = "", version: Optional[str] = None) -> Any:
    """The PathDistribution importlib would make for this child (one object per path)."""
    key = (path_entry, child, kind)
    d = _dists.get(key)
    if d is None:
        if kind == "zip":
            import zipfile

            d = md.PathDistribution(zipfile.Path(path_entry or ".").joinpath(child))
        else:
            d = md.PathDistribution(pathlib.Path(path_entry, child))
        if len(_dists) > 100_000:
            _dists.clear()
            _names.clear()
        _dists[key] = d
        _names[id(d)] = (name, version)
    return d


def name_version(d: Any) -> Tuple[str, Optional[str]]:
    """What discovery said of a distribution made here (no file is read)."""
    got = _names.get(id(d))
    return got if got is not None else (d.metadata["Name"], d.version)


def entry_point(name: str, value: str, group: str, dist: Optional[Any]) -> Any:
    ep = md.EntryPoint(name, value, group)
    if dist is not None:
        if HAS_DIST:
            ep = ep._for(dist)
        else:
            ep.dist = dist  # 3.9's namedtuple has no `dist`; its instances take attributes
    return ep

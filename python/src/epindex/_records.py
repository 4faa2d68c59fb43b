"""The light lookup for hosts that adopt epindex directly (docs/spec.md §14.1): entry points as
small records that behave like ``importlib.metadata.EntryPoint`` (``name``, ``value``,
``group``, ``module``, ``attr``, ``extras``, ``load()``, ``matches()``, equality and hashing on
``(name, value, group)``) without importing importlib.metadata — whose import is most of what
a first lookup costs a fresh process (~30 ms: email, zipfile, pathlib, csv). ``dist`` makes the
real ``PathDistribution`` (and imports importlib.metadata) only when a host asks for it;
``dist_name`` and ``dist_version`` are there without it.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator, Optional, Sequence, Tuple

#: importlib.metadata's EntryPoint.pattern: module, optional ``:attr``, optional ``[extras]`` —
#: compiled on first use (``re`` is not imported by a lookup that loads nothing).
_PATTERN_TEXT = r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$"
_pattern: "Any" = None


def _compiled() -> "Any":
    global _pattern
    if _pattern is None:
        import re

        _pattern = re.compile(_PATTERN_TEXT)
    return _pattern


class EntryPointRecord:
    """One entry point of a distribution in use, as importlib's EntryPoint behaves."""

    __slots__ = ("name", "value", "group", "dist_name", "dist_version", "metadata_path", "_zip", "_dist")

    def __init__(self, name: str, value: str, group: str, dist_name: str, dist_version: Optional[str], metadata_path: str, zip_entry: Optional[str] = None) -> None:
        self.name = name
        self.value = value
        self.group = group
        self.dist_name = dist_name
        self.dist_version = dist_version
        #: The distribution's metadata directory (inside the archive for a zip path entry).
        self.metadata_path = metadata_path
        self._zip = zip_entry
        self._dist: Any = None

    def _match(self) -> Any:
        m = _compiled().match(self.value)
        if m is None:
            raise ValueError("Invalid object reference. See https://packaging.python.org/en/latest/specifications/entry-points/#data-model", self.value)
        return m

    @property
    def module(self) -> str:
        return self._match().group("module")  # type: ignore[no-any-return]

    @property
    def attr(self) -> Optional[str]:
        return self._match().group("attr")  # type: ignore[no-any-return]

    @property
    def extras(self) -> list:
        import re

        return re.findall(r"\w+", self._match().group("extras") or "")

    def load(self) -> Any:
        """Import the module and return it, or the object the attribute path names."""
        import importlib

        m = self._match()
        obj = importlib.import_module(m.group("module"))
        for part in filter(None, (m.group("attr") or "").split(".")):
            obj = getattr(obj, part)
        return obj

    def matches(self, **params: Any) -> bool:
        return all(getattr(self, k) == v for k, v in params.items())

    @property
    def dist(self) -> Any:
        """The distribution as ``importlib.metadata.PathDistribution`` (made on first use)."""
        if self._dist is None:
            import importlib.metadata as md

            if self._zip is not None:
                import zipfile

                path: Any = zipfile.Path(self._zip).joinpath(self.metadata_path)
            else:
                import pathlib

                path = pathlib.Path(self.metadata_path)
            self._dist = md.PathDistribution(path)
        return self._dist

    def to_importlib(self) -> Any:
        """This entry point as ``importlib.metadata.EntryPoint``, bound to ``dist``."""
        import importlib.metadata as md

        ep = md.EntryPoint(self.name, self.value, self.group)
        return ep._for(self.dist) if hasattr(ep, "_for") else ep

    def _key(self) -> Tuple[str, str, str]:
        return (self.name, self.value, self.group)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EntryPointRecord) and self._key() == other._key()

    def __lt__(self, other: "EntryPointRecord") -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"EntryPointRecord(name={self.name!r}, value={self.value!r}, group={self.group!r}, dist={self.dist_name!r})"


class SelectableTuple(tuple):
    """importlib.metadata's ``EntryPoints`` interface (3.12's): an immutable sequence with
    ``select``, ``names``, ``groups`` and lookup by name — for records here, and for 3.9's
    EntryPoint objects (_importlib.py), whose importlib has no such class."""

    __slots__ = ()

    def __getitem__(self, name: Any) -> Any:  # type: ignore[override]
        if isinstance(name, (int, slice)):
            return super().__getitem__(name)
        for ep in self:
            if ep.name == name:
                return ep
        raise KeyError(name)

    def select(self, **params: Any) -> Any:
        return type(self)(ep for ep in self if all(getattr(ep, k) == v for k, v in params.items()))

    @property
    def names(self) -> set:
        return {ep.name for ep in self}

    @property
    def groups(self) -> set:
        return {ep.group for ep in self}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({tuple(self)!r})"


class EntryPointRecords(SelectableTuple):
    """An immutable, selectable sequence of records (importlib's ``EntryPoints`` interface)."""

    __slots__ = ()

    def __iter__(self) -> Iterator[EntryPointRecord]:
        return super().__iter__()


def entry_point_records(group: Optional[str] = None, name: Optional[str] = None, *, path: Optional[Sequence[str]] = None,
                        policy: str = "auto", freshness: Optional[str] = None) -> EntryPointRecords:
    """The entry points ``epindex.entry_points`` returns (same choice, same order: docs/spec.md
    §4.3), as ``EntryPointRecord`` objects: the fastest public lookup — importlib.metadata is
    imported only when a record's ``dist`` or ``to_importlib()`` is used."""
    from ._lookup import lookup_rows
    from ._resolve import root_of

    views, rows, _ = lookup_rows(group, name, path, policy, freshness)
    roots = [None if view.kind == "zip" else root_of(view.path_entry) for view in views]
    out = []
    for v, r in rows:
        d = r.dist
        root = roots[v]
        if root is None:
            out.append(EntryPointRecord(r.name, r.value, r.group, d.name, d.version, d.child, views[v].path_entry or "."))
        else:
            out.append(EntryPointRecord(r.name, r.value, r.group, d.name, d.version, root + d.child))
    return EntryPointRecords(out)

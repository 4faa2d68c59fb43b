"""What a lookup reads of one path entry, whether it was just scanned or comes from a cache:
the distributions (for resolution) and the entry points of one group, each with its
distribution. A cache answers a group lookup without parsing the other groups."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, FrozenSet, List, Optional, Tuple

from ._diagnostics import Diagnostic
from ._discover import Scan


# Plain classes with __slots__, not NamedTuples: creating a NamedTuple class costs ~0.3 ms at
# import, and the accelerator's first call imports this module.
class DistRef:
    """A distribution as resolution and results need it (index into the entry's ``dists``)."""

    __slots__ = ("index", "child", "name", "normalized_name", "version", "layout", "real")

    def __init__(self, index: int, child: str, name: str, normalized_name: str, version: Optional[str], layout: str, real: bool) -> None:
        self.index = index
        self.child = child
        self.name = name
        self.normalized_name = normalized_name
        self.version = version
        self.layout = layout
        self.real = real

    def __repr__(self) -> str:
        return f"DistRef({self.index!r}, {self.child!r}, {self.name!r}, {self.version!r})"


class Row:
    """One entry point of an in-entry winner."""

    __slots__ = ("dist", "group", "name", "value", "line")

    def __init__(self, dist: DistRef, group: str, name: str, value: str, line: int) -> None:
        self.dist = dist
        self.group = group
        self.name = name
        self.value = value
        self.line = line

    def __repr__(self) -> str:
        return f"Row({self.group!r}, {self.name!r}, {self.value!r}, {self.dist!r})"


class View:
    """The interface; ``ScanView`` and the cache's view implement it."""

    path_entry: str
    kind: str
    codes: FrozenSet[str]

    def names(self) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        """Normalized names of the in-entry winners: (real ones, leftovers)."""
        raise NotImplementedError

    def rows(self, group: Optional[str]) -> List[Row]:
        """Entry points of the in-entry winners (of ``group``, or all), in in-directory then file order."""
        raise NotImplementedError

    def dists(self) -> List[Tuple[DistRef, bool]]:
        """Every distribution with its in-entry winner flag, in in-directory order."""
        raise NotImplementedError

    def diagnostics(self) -> List[Tuple[int, Diagnostic]]:
        raise NotImplementedError


class ScanView(View):
    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self.path_entry = scan.path_entry
        self.kind = scan.kind
        self._refs = [DistRef(i, r.child, r.name, r.normalized_name, r.version, r.layout, r.real) for i, r in enumerate(scan.dists)]
        self._all: Optional[List[Row]] = None
        self._groups: Dict[str, List[Row]] = {}
        self._names: Optional[Tuple[FrozenSet[str], FrozenSet[str]]] = None
        self.codes = frozenset(d.code for _, d in scan.all_diagnostics())

    def names(self) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        if self._names is None:
            w = [r for r in self.scan.dists if r.winner]
            self._names = (frozenset(r.normalized_name for r in w if r.real), frozenset(r.normalized_name for r in w if not r.real))
        return self._names

    def rows(self, group: Optional[str]) -> List[Row]:
        if self._all is None:
            self._all = [Row(self._refs[i], e.group, e.name, e.value, e.line) for i, r in enumerate(self.scan.dists) if r.winner for e in r.entries]
        if group is None:
            return self._all
        got = self._groups.get(group)
        if got is None:
            got = self._groups[group] = [row for row in self._all if row.group == group]
        return got

    def dists(self) -> List[Tuple[DistRef, bool]]:
        return [(ref, r.winner) for ref, r in zip(self._refs, self.scan.dists)]

    def diagnostics(self) -> List[Tuple[int, Diagnostic]]:
        return self.scan.all_diagnostics()


def absolute(path_entry: str, d: Diagnostic) -> Diagnostic:
    """Views keep files relative to their path entry; results show them whole."""
    import os

    if d.file is None:
        return d
    ab = os.path.abspath(path_entry or ".")
    if d.file == "":
        return d._replace(file=ab)
    return d._replace(file=(ab if ab.endswith(os.sep) else ab + os.sep) + d.file.replace("/", os.sep))

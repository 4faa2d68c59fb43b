"""The accelerator's answering half (docs/spec.md §14.3): importlib.metadata's discovery —
``Distribution.discover()`` and so ``distributions()``, ``distribution(name)``, ``version(name)``,
``metadata(name)``, ``files(name)``, ``packages_distributions()`` — and ``entry_points()``, of
the standard library's module and of the backport, answered from epindex's caches with exactly
what the unpatched code returns: the same distributions in the same order, as instances of the
module's own ``PathDistribution`` (a subclass of it that reads ``entry_points``, ``name`` and
``version`` from the cache, and everything else from the real files, lazily), and the same entry
points. Where the cache cannot state importlib's answer, importlib answers: for one
distribution (its own file is read), for one path entry (the original finder searches it), or
for one call — never for a whole directory because of one candidate in doubt.

What importlib sees in a path entry comes from the cache's ``importlib`` section (spec §5.2):
its discovery order (candidates grouped by name as its ``Lookup`` groups them, so several
candidates of one name and leftovers are answered as importlib answers them), every candidate's
entry points, and ``Name``/``Version`` as importlib reads them.
"""
from __future__ import annotations

import os
import pathlib
import stat as S
import sys
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Tuple

#: Codes of a distribution's own diagnostics after which importlib reads its entry_points.txt
#: otherwise than epindex (drops, raises or blocks): that distribution's file is read for real.
DOUBT = frozenset({"EP101", "EP102", "EP103", "EP104", "EP111", "EP112", "EP113"})
#: What ``entry_points(**params)`` may select on and be answered.
SELECTION = frozenset({"group", "name", "value", "module", "attr", "extras"})
#: The sections the accelerator reads of a cache.
SECTIONS = ("importlib", "diagnostics")

_stats: Dict[str, Any] = {"answered": 0, "fell_back": 0, "reasons": {}}


def accelerator_stats() -> Dict[str, Any]:
    """What the accelerator did in this process: ``answered`` (calls of ``Distribution.discover``
    and ``entry_points`` answered from the caches, in whole or in part), ``fell_back`` (each time
    importlib answered instead: a whole call, one path entry, or one distribution's file),
    ``reasons`` (reason → count), and ``active`` (whether the hook is installed and enabled in
    this process)."""
    state = _hook_state()
    return {"answered": _stats["answered"], "fell_back": _stats["fell_back"], "reasons": dict(_stats["reasons"]),
            "active": bool(state.get("installed")) and not state.get("disabled")}


class ImportlibRaised(Exception):
    """What importlib itself raised while the accelerator read a file for real: the hook
    re-raises ``epindex_importlib_error`` to the caller, as the unpatched call would."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(repr(error))
        self.epindex_importlib_error = error


def _real(f: Any, *args: Any) -> Any:
    try:
        return f(*args)
    except Exception as e:
        raise ImportlibRaised(e) from None


def _fell_back(reason: str) -> None:
    _stats["fell_back"] += 1
    _stats["reasons"][reason] = _stats["reasons"].get(reason, 0) + 1


# ---------------------------------------------------------------------------------------------
# One implementation of importlib.metadata (the standard library's, or the backport's)

def _function(f: object) -> object:
    return getattr(f, "__func__", f)


class _LazyPath:
    """``PathDistribution._path``, made when first asked for (``pathlib.Path(root, child)``, as
    importlib's ``FastPath.joinpath`` makes it): most distributions a host walks through never
    need theirs. A non-data descriptor: once made, it is the instance's own attribute."""

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        facts = obj._epindex_facts
        p = obj.__dict__["_path"] = pathlib.Path(facts.root, facts.child[obj._epindex_pos])
        return p


class Impl:
    """What the accelerator needs of one importlib.metadata module."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.EntryPoint = ep_cls = module.EntryPoint
        self.EntryPoints = module.EntryPoints
        self.selectable = hasattr(module, "SelectableGroups")
        self.normalize = module.Prepared.normalize
        self.legacy_normalize = module.Prepared.legacy_normalize
        self.Context = module.DistributionFinder.Context
        #: importlib_metadata 8.7 to 9 validated a value when an EntryPoint was made.
        try:
            ep_cls("x", "not a valid reference", "g")
            self.validating = False
        except ValueError:
            self.validating = True
        self.pattern = ep_cls.pattern
        # importlib_metadata 10 de-duplicates entry_points() after moving the distributions
        # that have metadata first (Distribution._prefer_valid): its answer follows that order.
        original = getattr(module.entry_points, "__epindex_original__", module.entry_points)
        self.prefer_valid = "_prefer_valid" in getattr(getattr(original, "__code__", None), "co_names", ())
        # Making an EntryPoint without its __init__ (40% cheaper) only where that gives the
        # object __init__ + _for give.
        base = module.PathDistribution
        probe = object.__new__(base)
        try:
            made = ep_cls("n", "m:a", "g")
            made = made._for(probe) or made
            quick = object.__new__(ep_cls)
            quick.__dict__.update(name="n", value="m:a", group="g", dist=probe)
            self.bypass = type(made) is ep_cls and vars(made) == vars(quick)
        except Exception:  # 3.10's EntryPoint is a namedtuple
            self.bypass = False
        self.base = base
        self.cls = self._subclass(base)

    def _subclass(self, base: Any) -> Any:
        impl = self

        class PathDistribution(base):  # type: ignore[misc, valid-type]
            # __init__ is base's (a direct construction behaves as base's does); discovery makes
            # instances with object.__new__ and sets the slots: the cache's facts of the path
            # entry and the candidate's position there. Slots, not the instance dict: one object
            # a distribution instead of three (at 5,000 distributions the collector's work shows).
            __slots__ = ("_epindex_facts", "_epindex_pos")
            _path = _LazyPath()

            @property
            def entry_points(self) -> Any:
                if not hasattr(self, "_epindex_facts"):  # made directly: base's behaviour
                    return super().entry_points
                return impl.entry_points_of(self)

            @property
            def name(self) -> Any:
                facts = getattr(self, "_epindex_facts", None)
                v = None if facts is None else facts.name[facts.unit[self._epindex_pos]]
                return v if v is not None else super().name

            @property
            def version(self) -> Any:
                facts = getattr(self, "_epindex_facts", None)
                v = None if facts is None else facts.version[facts.unit[self._epindex_pos]]
                return v if v is not None else super().version

            def __reduce__(self) -> Any:
                return (base, (self._path,))

        PathDistribution.__module__ = base.__module__
        PathDistribution.__qualname__ = base.__qualname__
        PathDistribution.__doc__ = base.__doc__
        return PathDistribution

    def entry_points_of(self, dist: Any) -> Any:
        """A distribution's ``entry_points``: made from the cache's columns at each access, as
        importlib makes them from the file at each access; or its file read where importlib
        reads it otherwise. Not kept on the distribution: kept, 31,603 EntryPoint objects at
        5,000 distributions outlive the host's loop, and the collector's passes over them and
        their freeing at exit cost more than making them again for a second access (pytest
        reads each distribution's twice): bench/entrypoint-floor.py, docs/benchmarks.md."""
        facts = dist._epindex_facts
        u = facts.unit[dist._epindex_pos]
        if facts.doubt(self)[u]:
            _fell_back("a distribution whose entry_points.txt importlib reads otherwise")
            return self.base.entry_points.fget(dist)
        s, e = facts.start[u], facts.start[u + 1]
        if s == e:
            return self.EntryPoints(())
        return self.EntryPoints(self.make(facts, s, e, dist))

    def make(self, facts: "Facts", s: int, e: int, dist: Any) -> List[Any]:
        names, values, groups, gi = facts.ep_name, facts.ep_value, facts.groups, facts.group
        ep_cls = self.EntryPoint
        if self.bypass:
            new = object.__new__
            out = []
            for i in range(s, e):
                ep = new(ep_cls)
                ep.__dict__.update(name=names[i], value=values[i], group=groups[gi[i]], dist=dist)
                out.append(ep)
            return out
        return [ep_cls(names[i], values[i], groups[gi[i]])._for(dist) for i in range(s, e)]

    def dists(self, facts: "Facts") -> List[Any]:
        """The distribution at each position of ``facts``, made once per process: ours, or the
        base class's for a candidate that is no distribution to epindex (importlib finds it;
        everything of it is read for real)."""
        got = facts.dists.get(id(self))
        if got is None or None in got:
            got = [self.dist(facts, pos) for pos in range(len(facts.child))]
        return got

    def dist(self, facts: "Facts", pos: int) -> Any:
        """One distribution of ``facts`` (a lookup by name makes only those it finds)."""
        memo = facts.dists.get(id(self))
        if memo is None:
            memo = facts.dists[id(self)] = [None] * len(facts.child)
        d = memo[pos]
        if d is None:
            u = facts.unit[pos]
            if u < 0:
                d = self.base(pathlib.Path(facts.root, facts.child[pos]))
            else:
                d = object.__new__(self.cls)
                d._epindex_facts = facts
                d._epindex_pos = pos
            memo[pos] = d
        return d


_impls: Dict[int, Impl] = {}


def implementation(module: Any) -> Impl:
    got = _impls.get(id(module))
    if got is None or got.module is not module:
        got = _impls[id(module)] = Impl(module)
    return got


# ---------------------------------------------------------------------------------------------
# One path entry as importlib sees it

class Facts:
    """A path entry's ``importlib`` section, with what is derived from it once per process."""

    def __init__(self, root: str, sec: Dict[str, Any], codes: Dict[int, FrozenSet[str]]) -> None:
        self.root = root
        self.egg = bool(sec["egg"])
        self.grouped = bool(sec["grouped"])
        self.child: List[str] = sec["child"]
        self.key: List[Optional[str]] = sec["key"]
        self.unit: List[int] = sec["unit"]
        self.name: List[Optional[str]] = sec["name"]
        self.version: List[Optional[str]] = sec["version"]
        self.start: List[int] = sec["start"]
        self.groups: List[str] = sec["groups"]
        self.group: List[int] = sec["group"]
        self.ep_name: List[str] = sec["epName"]
        self.ep_value: List[str] = sec["epValue"]
        #: unit -> its own diagnostics' codes (only units that have some)
        self.codes = codes
        self.dists: Dict[int, List[Any]] = {}
        self._doubt: Dict[int, List[bool]] = {}
        self._order: Optional[List[int]] = None
        self._by_key: Optional[Dict[str, List[int]]] = None
        self._unique: Dict[int, Any] = {}
        self._groups: Dict[Tuple[int, Optional[str]], List[Tuple[int, int, int]]] = {}

    def doubt(self, impl: Impl) -> List[bool]:
        """Per unit: whether importlib reads its entry_points.txt otherwise than the cache says."""
        got = self._doubt.get(id(impl))
        if got is None:
            got = [False] * (len(self.start) - 1)
            for v, c in self.codes.items():
                if c & DOUBT:
                    got[v] = True
            if impl.validating:  # its EntryPoint raises for a value its pattern rejects
                match = impl.pattern.match
                for v in range(len(got)):
                    if any(not match(self.ep_value[i]) for i in range(self.start[v], self.start[v + 1])):
                        got[v] = True
            self._doubt[id(impl)] = got
        return got

    def doubtful(self, impl: Impl, u: int) -> bool:
        return self.doubt(impl)[u]

    # -- importlib's order and keys

    def _keys(self, impl: Impl) -> List[Optional[str]]:
        """Each candidate's Lookup key (None for EGG-INFO), computing what the writer left to us."""
        if all(k is not None or self.child[i].lower() == "egg-info" for i, k in enumerate(self.key)):
            return self.key
        out: List[Optional[str]] = []
        for c in self.child:
            low = c.lower()
            out.append(None if self.egg and low == "egg-info" else impl.normalize(low.rpartition(".")[0].partition("-")[0]))
        return out

    def order(self, impl: Impl) -> List[int]:
        """Positions in importlib's discovery order."""
        if self._order is None:
            if self.grouped:
                self._order = list(range(len(self.child)))
            else:
                keys = self._keys(impl)
                infos: Dict[str, List[int]] = {}
                eggs: List[int] = []
                for i, k in enumerate(keys):
                    if k is None:
                        eggs.append(i)
                    else:
                        infos.setdefault(k, []).append(i)
                self._order = [i for members in infos.values() for i in members] + eggs
        return self._order

    def positions(self, impl: Impl, name: Optional[str]) -> List[int]:
        """What ``Lookup.search(Prepared(name))`` yields, as positions."""
        order = self.order(impl)
        if not name:
            return order
        if self._by_key is None:
            keys = self._keys(impl)
            by: Dict[str, List[int]] = {}
            for i in order:
                k = keys[i]
                if k is not None:
                    by.setdefault(k, []).append(i)
            self._by_key = by
        found = list(self._by_key.get(impl.normalize(name), ()))
        if self.egg:
            base = os.path.basename(self.root).lower()
            if impl.legacy_normalize(base.rpartition(".")[0].partition("-")[0]) == impl.legacy_normalize(name):
                found.extend(i for i in order if self.child[i].lower() == "egg-info")
        return found

    def unique_keys(self, impl: Impl) -> Optional[List[Optional[str]]]:
        """Each candidate's ``_normalized_name`` (importlib's de-duplication key) where it needs no
        file: from the directory name, else from the recorded Name; None for one that needs the
        metadata read."""
        got = self._unique.get(id(impl))
        if got is None:
            got = []
            normalize = impl.normalize
            keys = self.key
            for i, c in enumerate(self.child):
                n: Optional[str] = None
                # PathDistribution._name_from_stem: os.path.splitext finds the suffix unless
                # everything before it is dots.
                if c.endswith((".dist-info", ".egg-info")) and c.rpartition(".")[0].strip("."):
                    # The Lookup key where the writer gave one (the same function of the same
                    # text: the lowercased name normalizes as the name does), else computed.
                    k = keys[i]
                    n = (k if k is not None else normalize(c.rpartition(".")[0].partition("-")[0])) or None
                if n is None:
                    u = self.unit[i]
                    md = self.name[u] if u >= 0 else None
                    n = normalize(md) if md is not None else None
                got.append(n)
            self._unique[id(impl)] = got
        return got  # type: ignore[no-any-return]

    def group_items(self, impl: Impl, group: Optional[str]) -> Optional[List[Tuple[int, int, int]]]:
        """For ``entry_points()``: (position, first, end) of each candidate that is the first of
        its de-duplication key in this path entry and has entry points of ``group`` (None: any),
        or must be read for real; end < 0 marks a real read. None when a key needs a file."""
        k = (id(impl), group)
        got = self._groups.get(k)
        if got is None:
            keys = self.unique_keys(impl)
            assert keys is not None
            if any(x is None for x in keys):
                return None
            gi = self.groups.index(group) if group is not None and group in self.groups else -1
            seen = set()
            got = []
            for pos in self.order(impl):
                key = keys[pos]
                if key in seen:
                    continue
                seen.add(key)
                u = self.unit[pos]
                if u < 0 or self.doubtful(impl, u):
                    got.append((pos, 0, -1))
                    continue
                s, e = self.start[u], self.start[u + 1]
                if s == e:
                    continue
                if group is None:
                    got.append((pos, s, e))
                elif gi >= 0:
                    sel = [i for i in range(s, e) if self.group[i] == gi]
                    if sel:
                        # one item per contiguous run keeps file order
                        run_s = sel[0]
                        prev = run_s
                        for i in sel[1:]:
                            if i != prev + 1:
                                got.append((pos, run_s, prev + 1))
                                run_s = i
                            prev = i
                        got.append((pos, run_s, prev + 1))
            self._groups[k] = got
        return got

    def has_metadata(self, pos: int) -> Optional[bool]:
        """``dist._has_metadata()`` of importlib_metadata 10 (a METADATA or PKG-INFO exists), or
        None where only the file system can say (a candidate that is no distribution to
        epindex, a metadata file that is not a regular one)."""
        u = self.unit[pos]
        if u < 0:
            return None
        c = self.codes.get(u, frozenset())
        if c & _METADATA_DOUBT:
            return None
        return "EP202" not in c

    def key_set(self, impl: Impl) -> FrozenSet[Optional[str]]:
        k = (id(impl), "\0keys")
        got = self._unique.get(k)  # type: ignore[call-overload]
        if got is None:
            got = self._unique[k] = frozenset(self.unique_keys(impl) or ())  # type: ignore[index]
        return got  # type: ignore[no-any-return]


_METADATA_DOUBT = frozenset({"EP203", "EP204", "EP210", "EP214"})

#: A path entry in which importlib finds nothing (missing, unreadable, no candidates).
EMPTY = Facts("", {"egg": 0, "grouped": 1, "child": [], "key": [], "unit": [], "name": [], "version": [], "start": [0],
                   "groups": [], "group": [], "epName": [], "epValue": []}, {})


def _unit_codes(rows: Iterable[Sequence[Any]]) -> Dict[int, FrozenSet[str]]:
    by: Dict[int, set] = {}
    for row in rows:
        if row[0] >= 0:
            by.setdefault(row[0], set()).add(row[1])
    return {u: frozenset(c) for u, c in by.items()}


#: Candidate-less directories, remembered in-process by their stamp (no cache is written for them).
_empty: Dict[str, Tuple[int, Tuple[int, ...]]] = {}


def _settings() -> Tuple[Optional[Tuple[str, str]], str]:
    """((mode, freshness), "") from the environment, or (None, why importlib answers): at
    EPINDEX_CACHE=scan, and where either variable is invalid (an error for epindex's own calls,
    never a silent default; the accelerator cannot raise, so importlib answers)."""
    policy = os.environ.get("EPINDEX_CACHE") or "auto"
    if policy == "scan":
        return None, "EPINDEX_CACHE=scan"
    freshness = os.environ.get("EPINDEX_FRESHNESS") or "stat"
    if policy not in ("auto", "only", "prefer", "fallback"):
        return None, "an invalid $EPINDEX_CACHE"
    if freshness not in ("listing", "stat", "full"):
        return None, "an invalid $EPINDEX_FRESHNESS"
    return ("auto" if policy == "auto" else "prefer", freshness), ""


def facts_for(entry: Any, mode: str, freshness: str) -> Tuple[Optional[Facts], str]:
    """(what importlib sees in ``entry``, "") or (None, why importlib must search it itself)."""
    if type(entry) is not str:
        return None, "a path entry that is not a string"
    from ._cache import load_path_entry
    from ._cachefile import CachedEntry
    from ._discover import entry_is_egg, is_racy, stamp_of

    try:
        st = os.stat(entry or ".")
    except OSError:
        return EMPTY, ""  # importlib: nothing to list, no zip to open
    if S.S_ISREG(st.st_mode):
        return None, "a zip archive on the path"
    if not S.S_ISDIR(st.st_mode):
        return EMPTY, ""
    where = os.path.abspath(entry or ".")
    stamp = stamp_of(st)
    known = _empty.get(where)
    if known is not None and known == (st.st_dev, stamp):
        return EMPTY, ""
    view, _ = load_path_entry(entry, mode, freshness, None, sections=SECTIONS)
    if isinstance(view, CachedEntry):
        facts = view.memo.get("facts")
        if facts is None:
            sec = view.section("importlib")
            if sec is None:
                return None, "a cache without an importlib section"
            facts = view.memo["facts"] = Facts(entry, sec, _unit_codes(view.section("diagnostics")))
    else:
        scan = view.scan  # type: ignore[attr-defined]
        if scan.kind in ("missing", "unsearchable"):
            return EMPTY, ""
        if scan.kind != "directory":
            return None, "a zip archive on the path"
        if not scan.listing:
            import time

            if not is_racy(stamp, divmod(time.time_ns(), 1_000_000_000)):
                if len(_empty) > 4096:
                    _empty.clear()
                _empty[where] = (st.st_dev, stamp)
            return EMPTY, ""
        if any(d.extra is None for d in scan.dists):
            return None, "no cache could be written and read"
        from ._format import importlib_section

        facts = Facts(entry, importlib_section(scan), _unit_codes([(i, d.code) for i, d in scan.all_diagnostics()]))
    if facts.egg != entry_is_egg(entry or "."):
        return None, "an .egg path entry spelled otherwise"
    return facts, ""


# ---------------------------------------------------------------------------------------------
# Distribution.discover

def find(module: Any, original: Any, context: Any) -> Iterable[Any]:
    """``find_distributions(context)`` of ``module``'s path finder (``original`` is the one it
    replaces): lazily, one path entry after another, as the original."""
    settings, why = _settings()
    if settings is None:
        _fell_back(why)
        return original(context)  # type: ignore[no-any-return]
    return _find(implementation(module), original, context, settings)


def _find(impl: Impl, original: Any, context: Any, settings: Tuple[str, str]) -> Iterator[Any]:
    name = context.name
    entries = list(context.path)
    any_cached = False
    for i, entry in enumerate(entries):
        try:
            facts, why = facts_for(entry, *settings)
            if facts is None:
                dists = None
            elif name:
                dists = [impl.dist(facts, p) for p in facts.positions(impl, name)]
            else:
                made = impl.dists(facts)
                dists = made if facts.grouped else [made[p] for p in facts.order(impl)]
        except Exception as e:  # never break the caller: importlib answers the rest
            _disable(e)
            yield from original(impl.Context(name=name, path=entries[i:]))
            return
        if dists is None:
            _fell_back(why)
            yield from original(impl.Context(name=name, path=[entry]))
        else:
            if not any_cached:  # counted now: a lookup by name stops at its first match
                any_cached = True
                _stats["answered"] += 1
            yield from dists


# ---------------------------------------------------------------------------------------------
# entry_points()

#: ``entry_points(group=G)`` answers by (implementation, G), with the facts of every path entry
#: they came from: kept while the same facts objects answer (an unchanged cache's facts are
#: made once). Only a group's: an answer without one holds every distribution's entry points.
_last: Dict[Tuple[int, str], Tuple[List[Any], List[Any]]] = {}


def _kept(key: Tuple[int, str], factss: List[Any]) -> Optional[List[Any]]:
    last = _last.get(key)
    if last is None or len(last[0]) != len(factss) or not all(a is b for a, b in zip(last[0], factss)):
        return None
    return last[1]


def _keep(key: Tuple[int, str], factss: List[Any], eps: List[Any]) -> None:
    if len(_last) > 64:
        _last.clear()
    _last[key] = (factss, eps)


def answer(module: Any, params: Dict[str, Any], _old_hook_state: Any = None) -> Any:
    """``entry_points(**params)`` of ``module``, or NotImplemented (the original answers).
    (A hook copied by an earlier state of the repository passes its state too: ignored.)"""
    if not set(params) <= SELECTION:
        _fell_back("a selection by something else than group, name, value, module, attr, extras")
        return NotImplemented
    group = params.get("group")
    if group is not None and type(group) is not str:
        _fell_back("a group that is not a string")
        return NotImplemented
    settings, why = _settings()
    if settings is None:
        _fell_back(why)
        return NotImplemented
    impl = implementation(module)
    finder = _our_finder(impl)
    if finder is None:
        _fell_back("another finder on sys.meta_path finds distributions")
        return NotImplemented
    path = list(sys.path)
    factss: List[Any] = []
    for entry in path:
        facts, why = facts_for(entry, *settings)
        if facts is None:
            # importlib searches this path entry itself; its distributions are read for real
            _fell_back(why)
            facts = _real(lambda: list(finder(impl.Context(path=[entry]))))
        factss.append(facts)
    keep = group is not None and all(isinstance(f, Facts) for f in factss)
    key = (id(impl), group)
    kept = _kept(key, factss) if keep else None  # type: ignore[arg-type]
    if kept is not None:
        eps = kept
    elif impl.prefer_valid:
        got = _prefer_valid_answer(impl, factss, group) if all(isinstance(f, Facts) for f in factss) else None
        if got is None:
            _fell_back("a candidate whose metadata only the file system can tell")
            return NotImplemented
        eps = got
    else:
        eps = []
        seen: set = set()
        for facts in factss:
            if not isinstance(facts, Facts):
                for dist in facts:  # as importlib: every unique one's entry points, then the selection
                    k = _real(lambda: dist._normalized_name)
                    if k in seen:
                        continue
                    seen.add(k)
                    eps.extend(ep for ep in _real(lambda: dist.entry_points) if group is None or ep.group == group)
                continue
            items = facts.group_items(impl, group)
            if items is None:
                _fell_back("a distribution whose name only its metadata gives")
                return NotImplemented
            keys = facts.unique_keys(impl)
            assert keys is not None
            for pos, s, e in items:
                if keys[pos] in seen:
                    continue
                dist = impl.dist(facts, pos)
                if e < 0:
                    # importlib reads this one's file (and raises where it raises)
                    _fell_back("a distribution whose entry_points.txt importlib reads otherwise")
                    eps.extend(_real(impl.base.entry_points.fget, dist) if isinstance(dist, impl.cls) else _real(lambda: dist.entry_points))
                else:
                    eps.extend(impl.make(facts, s, e, dist))
            seen |= facts.key_set(impl)
    if keep and kept is None:
        _keep(key, factss, eps)  # type: ignore[arg-type]
    _stats["answered"] += 1
    if impl.selectable:
        return module.SelectableGroups.load(eps).select(**params)
    return impl.EntryPoints(eps).select(**params)


def _prefer_valid_answer(impl: Impl, factss: List[Facts], group: Optional[str]) -> Optional[List[Any]]:
    """importlib_metadata 10's entry_points(): every distribution with metadata first (in
    discovery order), then the others, de-duplicated by ``_normalized_name``; None when a
    candidate's metadata or name needs the file system."""
    valid: List[Tuple[Facts, int]] = []
    other: List[Tuple[Facts, int]] = []
    for facts in factss:
        keys = facts.unique_keys(impl)
        assert keys is not None
        for pos in facts.order(impl):
            has = facts.has_metadata(pos)
            if has is None or keys[pos] is None:
                return None
            (valid if has else other).append((facts, pos))
    eps: List[Any] = []
    seen: set = set()
    gi_of: Dict[int, int] = {}
    for facts, pos in valid + other:
        k = facts.unique_keys(impl)[pos]  # type: ignore[index]
        if k in seen:
            continue
        seen.add(k)
        u = facts.unit[pos]
        dist = impl.dist(facts, pos)
        if facts.doubtful(impl, u):
            _fell_back("a distribution whose entry_points.txt importlib reads otherwise")
            eps.extend(_real(impl.base.entry_points.fget, dist))
            continue
        s, e = facts.start[u], facts.start[u + 1]
        if group is None:
            eps.extend(impl.make(facts, s, e, dist))
            continue
        gi = gi_of.get(id(facts))
        if gi is None:
            gi = gi_of[id(facts)] = facts.groups.index(group) if group in facts.groups else -1
        if gi >= 0:
            for i in range(s, e):
                if facts.group[i] == gi:
                    eps.extend(impl.make(facts, i, i + 1, dist))
    return eps


def _our_finder(impl: Impl) -> Any:
    """The original ``find_distributions`` that our wrapper of ``impl``'s own path finder
    replaced, when that wrapper is the only thing on sys.meta_path that finds distributions;
    else None (a custom finder adds its own, and once the backport is imported the standard
    library's entry_points() gets the backport's distributions: then the original entry_points
    answers, still through the wrapped finder)."""
    found = [f for f in (getattr(x, "find_distributions", None) for x in sys.meta_path) if f is not None]
    if len(found) != 1 or getattr(_function(found[0]), "__epindex_module__", None) != impl.module.__name__:
        return None
    return getattr(_function(found[0]), "__epindex_original__", None)


def _hook_state() -> Dict[str, Any]:
    m = sys.modules.get("_epindex_accelerator")
    if m is None:
        from . import _hook as m  # type: ignore[no-redef]
    return m.state  # type: ignore[no-any-return]


def _disable(e: BaseException) -> None:
    m = sys.modules.get("_epindex_accelerator")
    if m is None:
        from . import _hook as m  # type: ignore[no-redef]
    m.disable(e)


def _write_stats(path: str) -> None:
    import json

    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"pid": os.getpid(), **accelerator_stats()}) + "\n")


if os.environ.get("EPINDEX_ACCELERATOR_STATS"):
    import atexit

    atexit.register(_write_stats, os.environ["EPINDEX_ACCELERATOR_STATS"])

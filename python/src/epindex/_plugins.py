"""Host helpers: a plugin set per group, loaded once, lazily, in a defined order, with failure
isolation, a block list and an autoload switch (docs/spec.md "Host helpers"; the TypeScript
helper has the same rules).

    from epindex import plugins

    for p in plugins("numba_extensions", disable_env="NUMBA_DISABLE_EXTENSIONS"):
        p.obj()                      # every init, before the first compile

    hooks = plugins("pytest11", block=["cacheprovider"], disable_env="PYTEST_DISABLE_PLUGIN_AUTOLOAD")
"""
from __future__ import annotations

import math
import os
import warnings
from typing import Any, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

DEFAULT_DISABLE_ENV = "EPINDEX_DISABLE_AUTOLOAD"


class EntryPointWarning(RuntimeWarning):
    """A plugin failed to load; the others were loaded."""


class Failure(NamedTuple):
    distribution: Optional[Tuple[str, Optional[str]]]
    group: str
    name: str
    value: str
    error: BaseException

    def describe(self) -> str:
        dist = "unknown distribution" if self.distribution is None else f"{self.distribution[0]} {self.distribution[1] or ''}".strip()
        return f"{self.group} entry point {self.name!r} = {self.value!r} of {dist} failed to load: {type(self.error).__name__}: {self.error}"


class EntryPointLoadError(ImportError):
    """Raised in strict mode at the first plugin that fails; the original error is ``__cause__``."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.describe())
        self.failure = failure
        self.distribution = failure.distribution
        self.group = failure.group
        self.entry_point_name = failure.name
        self.value = failure.value


class Plugin(NamedTuple):
    """One loaded plugin: the entry point and what it refers to."""

    entry_point: Any
    obj: Any

    @property
    def name(self) -> str:
        return self.entry_point.name


def _order(obj: Any) -> float:
    try:
        o = getattr(obj, "order", 0)
    except Exception:
        return 0.0
    if isinstance(o, bool) or not isinstance(o, (int, float)) or not math.isfinite(o):
        return 0.0
    return float(o)


def _disabled(env: Optional[str]) -> Optional[str]:
    if not env:
        return None
    v = os.environ.get(env)
    return None if v in (None, "", "0") else f"${env} is set"


class PluginSet:
    """The plugins of one group. Constructing it reads and imports nothing; the first access
    (iteration, ``[name]``, ``in``, ``len``, ``.loaded``, ``.failures``, ``.blocked``) looks
    the group up and loads every entry point once; ``reload()`` starts again."""

    def __init__(self, group: str, *, block: Iterable[str] = (), strict: bool = False, disable_env: Optional[str] = DEFAULT_DISABLE_ENV,
                 path: Optional[Sequence[str]] = None, policy: str = "auto") -> None:
        self.group = group
        self.block = frozenset(block)
        self.strict = strict
        self.disable_env = disable_env
        self.path = path
        self.policy = policy
        self._loaded: Optional[List[Plugin]] = None
        self._failures: List[Failure] = []
        self._blocked: List[Any] = []
        #: Why nothing was loaded (the autoload switch), else None.
        self.disabled_reason: Optional[str] = None

    def _load(self) -> List[Plugin]:
        if self._loaded is not None:
            return self._loaded
        self._failures, self._blocked, self.disabled_reason = [], [], _disabled(self.disable_env)
        if self.disabled_reason is not None:
            self._loaded = []
            return self._loaded
        from ._api import entry_points
        from ._importlib import name_version

        loaded: List[Tuple[float, str, int, Plugin]] = []
        failed: List[Tuple[str, int, Failure]] = []
        for i, ep in enumerate(entry_points(self.group, path=self.path, policy=self.policy)):
            if ep.name in self.block:
                self._blocked.append(ep)
                continue
            try:
                obj = ep.load()
            except Exception as e:  # import errors, missing attributes, whatever the import raised
                dist = getattr(ep, "dist", None)
                failed.append((ep.name, i, Failure(None if dist is None else name_version(dist), ep.group, ep.name, ep.value, e)))
                continue
            loaded.append((_order(obj), ep.name, i, Plugin(ep, obj)))
        # Order: `order` attribute, then name (code point), then search-path order.
        loaded.sort(key=lambda t: (t[0], t[1], t[2]))
        failed.sort(key=lambda t: (t[0], t[1]))
        self._failures = [f for _, _, f in failed]
        if self.strict and self._failures:
            first = self._failures[0]
            self._loaded = None
            raise EntryPointLoadError(first) from first.error
        for f in self._failures:
            warnings.warn(f.describe(), EntryPointWarning, stacklevel=3)
        self._loaded = [p for _, _, _, p in loaded]
        return self._loaded

    def reload(self) -> "PluginSet":
        self._loaded = None
        return self

    @property
    def loaded(self) -> List[Plugin]:
        return list(self._load())

    @property
    def failures(self) -> List[Failure]:
        self._load()
        return list(self._failures)

    @property
    def blocked(self) -> List[Any]:
        self._load()
        return list(self._blocked)

    def __iter__(self) -> Iterator[Plugin]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __contains__(self, name: object) -> bool:
        return any(p.name == name for p in self._load())

    def __getitem__(self, name: str) -> Plugin:
        for p in self._load():
            if p.name == name:
                return p
        raise KeyError(name)

    def __repr__(self) -> str:
        state = "not loaded" if self._loaded is None else f"{len(self._loaded)} loaded, {len(self._failures)} failed"
        return f"<PluginSet {self.group!r}: {state}>"


def plugins(group: str, *, block: Iterable[str] = (), strict: bool = False, disable_env: Optional[str] = DEFAULT_DISABLE_ENV,
            path: Optional[Sequence[str]] = None, policy: str = "auto") -> PluginSet:
    """The plugin set of ``group`` (see PluginSet)."""
    return PluginSet(group, block=block, strict=strict, disable_env=disable_env, path=path, policy=policy)

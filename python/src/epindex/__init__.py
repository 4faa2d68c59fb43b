"""epindex: Python entry points from per-directory caches, with importlib.metadata's types.

``import epindex`` imports nothing else; each name below is loaded on first use.
"""
from __future__ import annotations

TYPE_CHECKING = False

__version__ = "0.2.0"

__all__ = [
    "entry_points",
    "entry_point_records",
    "EntryPointRecord",
    "EntryPointRecords",
    "distributions",
    "diagnostics",
    "rebuild",
    "cache_status",
    "accelerator_stats",
    "plugins",
    "PluginSet",
    "EntryPointWarning",
    "EntryPointLoadError",
    "Diagnostic",
]

_WHERE = {
    "entry_points": "_api",
    "entry_point_records": "_records",
    "EntryPointRecord": "_records",
    "EntryPointRecords": "_records",
    "distributions": "_api",
    "diagnostics": "_api",
    "rebuild": "_cache",
    "cache_status": "_cache",
    "accelerator_stats": "_accel",
    "plugins": "_plugins",
    "PluginSet": "_plugins",
    "EntryPointWarning": "_plugins",
    "EntryPointLoadError": "_plugins",
    "Diagnostic": "_diagnostics",
}

if TYPE_CHECKING:
    from ._accel import accelerator_stats
    from ._api import diagnostics, distributions, entry_points
    from ._cache import cache_status, rebuild
    from ._diagnostics import Diagnostic
    from ._records import EntryPointRecord, EntryPointRecords, entry_point_records
    from ._plugins import EntryPointLoadError, EntryPointWarning, PluginSet, plugins


def __getattr__(name: str) -> "object":
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'epindex' has no attribute {name!r}")
    # __import__, not importlib.import_module: importing the importlib package costs ~1 ms.
    module = __import__(f"{__name__}.{where}", fromlist=[name])
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(list(globals()) + __all__)

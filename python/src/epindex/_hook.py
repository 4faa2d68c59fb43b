"""The accelerator's start-up half. ``python -m epindex accelerate`` installs a copy of this file
as ``_epindex_accelerator.py`` in site-packages, run by the ``.pth`` / ``.start`` file, so that
start-up imports one small module and not epindex. It imports nothing (``sys`` is loaded) and
does two cheap things: it remembers the stdlib ``PathFinder.find_distributions`` (to recognise
later whether something replaced it) and puts a post-import hook first on ``sys.meta_path``,
which patches ``entry_points`` of ``importlib.metadata`` and of the backport
``importlib_metadata`` right after either module runs. The answering half (_accel.py) is
imported on the first call.

Any failure disables the accelerator for the process with one warning.
"""
import sys

TARGETS = ("importlib.metadata", "importlib_metadata")
state = {"disabled": False, "stdlib_resolver": None, "installed": False}


def disable(error: BaseException) -> None:
    """Turn the accelerator off for this process, with one warning."""
    if state["disabled"]:
        return
    state["disabled"] = True
    try:
        import warnings

        warnings.warn(f"epindex accelerator disabled for this process (EP803): {type(error).__name__}: {error}", RuntimeWarning, stacklevel=2)
    except Exception:
        pass


def _function(f: object) -> object:
    return getattr(f, "__func__", f)


def _patch(module: object) -> None:
    original = getattr(module, "entry_points", None)
    if original is None or getattr(original, "__epindex_original__", None) is not None:
        return
    name = getattr(module, "__name__", "")

    def entry_points(**params):  # type: ignore[no-untyped-def]
        if not state["disabled"]:
            try:
                from epindex import _accel

                result = _accel.answer(module, params, state)
            except Exception as e:  # never break the caller: the original answers instead
                disable(e)
            else:
                if result is not NotImplemented:
                    return result
        return original(**params)

    entry_points.__doc__ = getattr(original, "__doc__", None)
    entry_points.__wrapped__ = original  # type: ignore[attr-defined]
    entry_points.__epindex_original__ = original  # type: ignore[attr-defined]
    entry_points.__module__ = name
    entry_points.__qualname__ = "entry_points"
    module.entry_points = entry_points  # type: ignore[attr-defined]


class PostImportHook:
    """First on sys.meta_path: finds nothing itself; for the two target modules it lets the
    other finders find them and wraps the loader's ``exec_module`` to patch afterwards."""

    def find_spec(self, fullname, path=None, target=None):  # type: ignore[no-untyped-def]
        if fullname not in TARGETS or state["disabled"]:
            return None
        try:
            for finder in sys.meta_path:
                if finder is self:
                    continue
                find = getattr(finder, "find_spec", None)
                if find is None:
                    continue
                spec = find(fullname, path, target)
                if spec is not None:
                    break
            else:
                return None
            loader = spec.loader
            exec_module = getattr(loader, "exec_module", None)
            if exec_module is None:
                return spec

            def exec_and_patch(module, _exec=exec_module):  # type: ignore[no-untyped-def]
                _exec(module)
                try:
                    _patch(module)
                except Exception as e:
                    disable(e)

            loader.exec_module = exec_and_patch
            return spec
        except Exception as e:
            disable(e)
            return None

    def invalidate_caches(self) -> None:
        pass


def install() -> None:
    if state["installed"] or state["disabled"]:
        return
    state["installed"] = True
    try:
        import os

        if os.environ.get("EPINDEX_ACCELERATE", "1") in ("0", "off", "no", "false"):
            state["disabled"] = True
            return
        if sys.version_info < (3, 10):
            # 3.9's entry_points() takes no arguments, builds every entry point and reads
            # files with configparser, whose rules the cache does not record: no gain, and
            # no exactness guarantee. The accelerator stays out of the way there.
            state["disabled"] = True
            return
        for finder in sys.meta_path:
            if getattr(finder, "__name__", "") == "PathFinder":
                state["stdlib_resolver"] = _function(getattr(finder, "find_distributions", None))
                break
        for name in TARGETS:
            m = sys.modules.get(name)
            if m is not None:
                _patch(m)
        sys.meta_path.insert(0, PostImportHook())
    except Exception as e:
        disable(e)

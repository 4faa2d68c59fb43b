"""The accelerator's start-up half. ``python -m epindex accelerate`` installs a copy of this file
as ``_epindex_accelerator.py`` in site-packages, run by the ``.pth`` / ``.start`` file, so that
start-up imports one small module and not epindex. It imports nothing (``sys`` is loaded) and
does two cheap things: it replaces the standard library's ``PathFinder.find_distributions``
with a wrapper, and puts a post-import hook first on ``sys.meta_path`` that, right after
``importlib.metadata`` or the backport ``importlib_metadata`` runs, wraps its ``entry_points``
(and the backport's own ``MetadataPathFinder.find_distributions``). The wrappers import the
answering half (epindex._accel) on their first call; until then nothing else is loaded.

A failure disables the accelerator for the process with one warning (EP803); an epindex that
is no longer importable (uninstalled while the hook stayed) disables it silently: importlib
then answers everything, as if the hook were not there.
"""
import sys

TARGETS = ("importlib.metadata", "importlib_metadata")
#: installed: the hook runs in this process; disabled: it stepped aside (why: ``reason``).
state = {"disabled": False, "installed": False, "reason": ""}


def disable(error: BaseException) -> None:
    """Turn the accelerator off for this process: silently when epindex itself is gone, else
    with one warning."""
    if state["disabled"]:
        return
    state["disabled"] = True
    if isinstance(error, ImportError) and getattr(error, "name", None) in ("epindex", "epindex._accel"):
        state["reason"] = "epindex is not importable"
        return
    state["reason"] = f"{type(error).__name__}: {error}"
    try:
        import warnings

        warnings.warn(f"epindex accelerator disabled for this process (EP803): {type(error).__name__}: {error}", RuntimeWarning, stacklevel=3)
    except Exception:
        pass


_NOT_OURS = object()


def _context_of(args: tuple, kwargs: dict) -> object:
    """The Context of a ``find_distributions`` call, None for its default, or _NOT_OURS."""
    if len(args) == 1 and not kwargs:
        return args[0]
    if not args and not kwargs:
        return None
    if not args and len(kwargs) == 1 and "context" in kwargs:
        return kwargs["context"]
    return _NOT_OURS


def _wrap_finder(owner: object, module_name: str) -> None:
    """Replace ``owner.find_distributions`` (a class on sys.meta_path, or its class) by one that
    answers from the caches for ``module_name``'s types."""
    original = getattr(owner, "find_distributions", None)
    if original is None or getattr(original, "__epindex_original__", None) is not None:
        return

    def find_distributions(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not state["disabled"]:
            try:
                context = _context_of(args, kwargs)
                if context is not _NOT_OURS:
                    module = sys.modules.get(module_name)
                    if module is None:
                        import importlib

                        module = importlib.import_module(module_name)
                    from epindex import _accel

                    if context is None:
                        context = module.DistributionFinder.Context()
                    return _accel.find(module, original, context)
            except Exception as e:  # never break the caller: the original answers instead
                disable(e)
        return original(*args, **kwargs)

    find_distributions.__doc__ = getattr(original, "__doc__", None)
    find_distributions.__wrapped__ = original  # type: ignore[attr-defined]
    find_distributions.__epindex_original__ = original  # type: ignore[attr-defined]
    find_distributions.__epindex_module__ = module_name  # type: ignore[attr-defined]
    setattr(owner, "find_distributions", staticmethod(find_distributions))


def _patch(module: object) -> None:
    """Wrap ``module.entry_points`` (and the backport's own finder)."""
    name = getattr(module, "__name__", "")
    if name == "importlib_metadata":
        finder = getattr(module, "MetadataPathFinder", None)
        if finder is not None:
            _wrap_finder(finder, name)
    original = getattr(module, "entry_points", None)
    if original is None or getattr(original, "__epindex_original__", None) is not None:
        return

    def entry_points(**params):  # type: ignore[no-untyped-def]
        if not state["disabled"]:
            raised = None
            try:
                from epindex import _accel

                result = _accel.answer(module, params)
            except Exception as e:
                # importlib's own exception from a file it reads otherwise goes to the caller, as
                # the unpatched call raises it; anything else is ours: the original answers.
                raised = getattr(e, "epindex_importlib_error", None)
                if raised is None:
                    disable(e)
            else:
                if result is not NotImplemented:
                    return result
            if raised is not None:
                raise raised
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


def install() -> None:
    if state["installed"] or state["disabled"]:
        return
    try:
        import os

        if os.environ.get("EPINDEX_ACCELERATE", "1") in ("0", "off", "no", "false"):
            state["disabled"] = True
            state["reason"] = "EPINDEX_ACCELERATE turns it off"
            return
        if sys.version_info < (3, 10):
            # 3.9's importlib.metadata parses entry_points.txt with configparser and returns a
            # dict from entry_points(): its answers are not the cache's to give.
            state["disabled"] = True
            state["reason"] = "Python 3.9: importlib.metadata 3.9 reads entry_points.txt with configparser, whose answers a cache cannot give"
            return
        state["installed"] = True
        for finder in sys.meta_path:
            if getattr(finder, "__module__", None) == "_frozen_importlib_external" and getattr(finder, "__name__", "") == "PathFinder":
                _wrap_finder(finder, "importlib.metadata")
                break
        for name in TARGETS:
            m = sys.modules.get(name)
            if m is not None:
                _patch(m)
        sys.meta_path.insert(0, PostImportHook())
    except Exception as e:
        disable(e)

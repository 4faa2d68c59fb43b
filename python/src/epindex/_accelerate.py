"""Installing and removing the accelerator in an environment's site-packages: a ``.pth``
file (every CPython up to 3.17) and a PEP 829 ``.start`` file (the Pythons that read them;
a matching ``.start`` file disables the ``.pth`` import line there), both calling the small
``_epindex_accelerator`` module, which imports epindex._hook (see there)."""
from __future__ import annotations

import os
import py_compile
import sysconfig
from typing import Dict, List, Optional

NAME = "_epindex_accelerator"
#: Sorts after the .pth files that put packages on sys.path (site.py reads them in sorted
#: order), so that epindex can be imported from wherever it is installed.
PTH_NAME = "epindex_accelerator"

def _module_text() -> str:
    """The installed module: a copy of epindex/_hook.py (start-up imports it alone)."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "_hook.py"), encoding="utf-8") as f:
        body = f.read()
    return ("# Installed by `python -m epindex accelerate` (a copy of epindex/_hook.py);\n"
            "# `python -m epindex accelerate --remove` removes it.\n" + body)


PTH = f"import {NAME}; {NAME}.install()\n"
START = f"{NAME}:install\n"


def site_dir(target: Optional[str] = None) -> str:
    return target or sysconfig.get_paths()["purelib"]


def files(target: Optional[str] = None) -> List[str]:
    d = site_dir(target)
    return [os.path.join(d, PTH_NAME + ".pth"), os.path.join(d, PTH_NAME + ".start"), os.path.join(d, NAME + ".py")]


def status(target: Optional[str] = None) -> Dict[str, object]:
    fs = files(target)
    present = [f for f in fs if os.path.exists(f)]
    return {"installed": len(present) == len(fs), "site": site_dir(target), "files": present}


def _write(path: str, text: str) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class NotInstalled(OSError):
    pass


def install(target: Optional[str] = None) -> Dict[str, object]:
    d = site_dir(target)
    # The hook imports epindex at every start: it must be importable there on its own (not
    # only through the bootstrap that `epi accelerate` uses).
    import importlib.machinery

    if importlib.machinery.PathFinder.find_spec("epindex", [d] + [p for p in __import__("sys").path if p != d]) is None:
        raise NotInstalled(f"epindex is not installed in this environment ({d}); install it first "
                           "(pip install epindex, or pip install PATH/TO/epindex/python), then run accelerate again")
    mod = os.path.join(d, NAME + ".py")
    _write(mod, _module_text())
    # Bytecode now: a .pth import without a .pyc costs about a millisecond more at every start.
    py_compile.compile(mod, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    try:
        import epindex._accel as accel  # imported at the first entry_points() call

        py_compile.compile(accel.__file__, doraise=False)
    except Exception:
        pass
    _write(os.path.join(d, PTH_NAME + ".start"), START)
    _write(os.path.join(d, PTH_NAME + ".pth"), PTH)  # last: the hook is live once this exists
    return status(target)


def remove(target: Optional[str] = None) -> Dict[str, object]:
    d = site_dir(target)
    removed = []
    for f in files(target):
        try:
            os.unlink(f)
            removed.append(f)
        except FileNotFoundError:
            pass
    cache = os.path.join(d, "__pycache__")
    try:
        for n in os.listdir(cache):
            if n.startswith(NAME + "."):
                os.unlink(os.path.join(cache, n))
                removed.append(os.path.join(cache, n))
    except OSError:
        pass
    return {**status(target), "removed": removed}

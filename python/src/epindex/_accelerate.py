"""Installing and removing the accelerator in an environment's site-packages (docs/spec.md
§14.3): a ``.pth`` file (every CPython up to 3.17) and a PEP 829 ``.start`` file (the Pythons
that read them; a matching ``.start`` file disables the ``.pth`` import line there), both
calling the small ``_epindex_accelerator`` module, a copy of epindex/_hook.py.

It cannot break an environment: it installs only where this interpreter imports epindex by
itself (not through ``epi``'s bootstrap), only into a virtual or conda environment unless
``system`` is given, never on 3.9; its files are added to epindex's own RECORD, so that
``pip uninstall epindex`` (or uv's) removes them with the package; and the hook steps aside
silently when epindex is gone anyway. ``remove`` restores the directory as it was.
"""
from __future__ import annotations

import base64
import hashlib
import os
import py_compile
import subprocess
import sys
import sysconfig
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional

NAME = "_epindex_accelerator"
#: Sorts after the .pth files that put packages on sys.path (site.py reads them in sorted
#: order), so that epindex can be imported from wherever it is installed.
PTH_NAME = "epindex_accelerator"
PTH = f"import {NAME}; {NAME}.install()\n"
START = f"{NAME}:install\n"


class Refused(Exception):
    """The accelerator is not installed here; the message says why and what to run."""


def _module_text() -> str:
    """The installed module: a copy of epindex/_hook.py (start-up imports it alone)."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "_hook.py"), encoding="utf-8") as f:
        body = f.read()
    return ("# Installed by `python -m epindex accelerate` (a copy of epindex/_hook.py);\n"
            "# `python -m epindex accelerate --remove` (or `pip uninstall epindex`) removes it.\n" + body)


def site_dir(target: Optional[str] = None) -> str:
    return target or sysconfig.get_paths()["purelib"]


def _pyc(d: str) -> str:
    return os.path.join(d, "__pycache__", f"{NAME}.{sys.implementation.cache_tag}.pyc")


def files(target: Optional[str] = None) -> List[str]:
    d = site_dir(target)
    return [os.path.join(d, PTH_NAME + ".pth"), os.path.join(d, PTH_NAME + ".start"), os.path.join(d, NAME + ".py")]


def _hook_state() -> Dict[str, object]:
    m = sys.modules.get(NAME)
    return dict(getattr(m, "state", {})) if m is not None else {}


def status(target: Optional[str] = None) -> Dict[str, object]:
    """``installed`` (its files are there), ``active`` (the hook runs and answers in this very
    process), and ``reason`` when installed but not active."""
    fs = files(target)
    present = [f for f in fs if os.path.exists(f)]
    installed = len(present) == len(fs)
    state = _hook_state()
    active = bool(state.get("installed")) and not state.get("disabled")
    reason: Optional[str] = None
    if installed and not active:
        if state.get("reason"):
            reason = str(state["reason"])
        elif sys.version_info < (3, 10):
            reason = "Python 3.9: its importlib.metadata is not accelerated"
        elif state == {}:
            reason = "the hook did not run in this process (python -S, -I, or a site directory that is not this interpreter's)"
        else:
            reason = "disabled"
    return {"installed": installed, "active": active, "reason": reason, "site": site_dir(target), "files": present,
            "python": sys.version.split()[0], "environment": _environment_kind()}


def _write(path: str, text: str) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _environment_kind() -> str:
    if sys.prefix != getattr(sys, "base_prefix", sys.prefix):
        return "virtual environment"
    if os.path.isdir(os.path.join(sys.prefix, "conda-meta")):
        return "conda environment"
    return "system"


def _importable_alone() -> Optional[str]:
    """Where this interpreter imports epindex from in a new process (no bootstrap path), or None."""
    env = {k: v for k, v in os.environ.items() if k != "EPINDEX_ACCELERATE"}
    env["EPINDEX_ACCELERATE"] = "0"
    code = "import importlib.util as u; s = u.find_spec('epindex'); print(s.origin if s else '')"
    from ._proc import run

    try:
        r = run([sys.executable, "-c", code], timeout=60, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    origin = r.stdout.strip()
    return origin or None


def _record(site: str) -> Optional[str]:
    """epindex's RECORD in ``site`` (where pip and uv look when they uninstall it), or None."""
    try:
        names = os.listdir(site)
    except OSError:
        return None
    for n in sorted(names):
        low = n.lower()
        if low.startswith("epindex-") and low.endswith(".dist-info") and os.path.isfile(os.path.join(site, n, "RECORD")):
            return os.path.join(site, n, "RECORD")
    return None


def _read_record(path: str) -> Optional[str]:
    """epindex's RECORD as text, or None where it is not a regular UTF-8 file within the size
    limit of every metadata file (then the hook's files are not registered there)."""
    from ._discover import read_small_file

    kind, data = read_small_file(path)
    if kind != "ok":
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _record_line(site: str, path: str) -> str:
    with open(path, "rb") as f:
        data = f.read()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{os.path.relpath(path, site).replace(os.sep, '/')},sha256={digest},{len(data)}\n"


def _ours(line: str) -> bool:
    first = line.split(",", 1)[0].rsplit("/", 1)[-1]
    return first.startswith((NAME + ".", PTH_NAME + "."))


def install(target: Optional[str] = None, *, system: bool = False) -> Dict[str, object]:
    """Install the hook (Refused with what to do where it must not be installed)."""
    d = site_dir(target)
    if sys.version_info < (3, 10):
        raise Refused("the accelerator works on Python 3.10 and later; this is Python "
                      f"{sys.version.split()[0]}, whose importlib.metadata reads entry_points.txt with configparser "
                      "and returns a dict from entry_points(): answers a cache cannot give. Nothing was installed.")
    if target is None and _environment_kind() == "system" and not system:
        managed = os.path.exists(os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED"))
        raise Refused(f"{sys.executable} is not a virtual environment{' (and its distribution manages it: EXTERNALLY-MANAGED)' if managed else ''}: "
                      "the accelerator would run in every program of this interpreter. Use a virtual environment "
                      "(python -m venv .venv), or give --system to install it here anyway. Nothing was installed.")
    origin = _importable_alone()
    if origin is None:
        raise Refused(f"epindex is not installed in this environment ({sys.executable} cannot import it by itself), "
                      f"and the hook imports it in every program: install it first ({sys.executable} -m pip install epindex), "
                      "then run accelerate again. Nothing was installed.")
    mod = os.path.join(d, NAME + ".py")
    had_pycache = os.path.isdir(os.path.join(d, "__pycache__"))
    _write(mod, _module_text())
    # Bytecode now: a .pth import without a .pyc costs about a millisecond more at every start.
    py_compile.compile(mod, cfile=_pyc(d), doraise=True, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    try:
        import epindex._accel as accel  # imported at the first call

        py_compile.compile(accel.__file__, doraise=False)
    except Exception:
        pass
    _write(os.path.join(d, PTH_NAME + ".start"), START)
    _write(os.path.join(d, PTH_NAME + ".pth"), PTH)  # last: the hook is live once this exists
    registered = None
    record = _record(d)
    text = None if record is None else _read_record(record)
    if record is not None and text is not None:
        lines = [ln for ln in text.splitlines(True) if not _ours(ln)]
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        ours = [_record_line(d, p) for p in (*files(d), _pyc(d))]
        _write(record, "".join(lines + ours))
        registered = record
    out = status(target)
    out["record"] = registered
    out["createdPycache"] = not had_pycache
    return out


def remove(target: Optional[str] = None) -> Dict[str, object]:
    d = site_dir(target)
    removed = []
    for f in (*files(target), _pyc(d)):
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
        if not os.listdir(cache):
            os.rmdir(cache)  # only ever the one our install made: site-packages keeps no empty one
    except OSError:
        pass
    record = _record(d)
    text = None if record is None else _read_record(record)
    if record is not None and text is not None:
        kept = [ln for ln in text.splitlines(True) if not _ours(ln)]
        if "".join(kept) != text:
            _write(record, "".join(kept))
    return {**status(target), "removed": removed}

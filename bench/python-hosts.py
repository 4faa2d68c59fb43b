"""The Python side of the Python-hosts benchmark (bench/python-hosts.ts; bench/README.md says
what is measured and why). Standard library only, Python >= 3.9.

    python bench/python-hosts.py run PLAN.json OUT.jsonl     the timed runs (the child-runner)
    python bench/python-hosts.py evict-files PLAN.json SET   how many files an eviction of SET covers
    VENV/bin/python bench/python-hosts.py profile OUT.json --module M ARGS... | --code CODE
    VENV/bin/python bench/python-hosts.py startup N          the accelerator's start-up, in-process
    VENV/bin/python -S bench/python-hosts.py startup-first SITE   the same, once, first import from SITE
    VENV/bin/python bench/python-hosts.py digest loop|group G|records G|epindex G

`run` is the child-runner: every sample is one whole process, spawned in its own process group
with the environment and working directory the plan gives, its output to a file, and reaped
with os.wait4, whose rusage (user + sys) is the sample's CPU time — the kernel's accounting of
that process alone, from exec to exit. Before an "evicted" sample the contents of every
metadata file of its environment are dropped from the page cache with
posix_fadvise(POSIX_FADV_DONTNEED) (dentries and inodes stay cached).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

METADATA_SUFFIXES = (".dist-info", ".egg-info")


# ---------------------------------------------------------------------------------------------
# The files an eviction covers

def metadata_files(root: str) -> list:
    """Every regular file of every *.dist-info / *.egg-info (directory or file) directly in
    ``root``; for a directory that holds no such thing (a cache directory), every regular file
    below it."""
    out = []
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return out
    found = False
    for n in names:
        if not n.endswith(METADATA_SUFFIXES):
            continue
        found = True
        p = os.path.join(root, n)
        if os.path.isdir(p):
            for d, _, fs in os.walk(p):
                out.extend(os.path.join(d, f) for f in fs)
        elif os.path.isfile(p):
            out.append(p)
    if not found:
        for d, _, fs in os.walk(root):
            out.extend(os.path.join(d, f) for f in fs)
    return [p for p in out if os.path.isfile(p) and not os.path.islink(p)]


def evict(files: list) -> None:
    for p in files:
        try:
            fd = os.open(p, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def read_all(files: list) -> None:
    for p in files:
        try:
            with open(p, "rb") as f:
                while f.read(1 << 20):
                    pass
        except OSError:
            pass


class FileSets:
    """The plan's eviction sets (name -> roots), listed once, lazily."""

    def __init__(self, sets: dict) -> None:
        self.roots = sets
        self.files: dict = {}

    def get(self, name: str) -> list:
        got = self.files.get(name)
        if got is None:
            got = []
            for r in self.roots[name]:
                got.extend(metadata_files(r))
            self.files[name] = got
        return got


# ---------------------------------------------------------------------------------------------
# Outputs as compared (python/tests/test_hosts.py's rules)

_TIMING = re.compile(r" in [0-9.]+s")
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def tidy(kind: str, text: str) -> str:
    if kind == "pytest":  # pytest prints how long it took
        return _TIMING.sub(" in Ts", text)
    if kind == "keyring":  # keyring keeps its backends in a set: their order follows addresses
        return "\n".join(sorted(_ADDRESS.sub("", text).splitlines()))
    return text


# ---------------------------------------------------------------------------------------------
# One sample

def spawn(argv: list, env: dict, cwd: str, timeout: float, out_path: str) -> dict:
    """Run ``argv`` to its end; its CPU time from the kernel (wait4's rusage)."""
    with open(out_path, "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        killed = []

        def kill() -> None:
            killed.append(True)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else (status >> 8)
    with open(out_path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    return {"user": ru.ru_utime, "sys": ru.ru_stime, "cpu": ru.ru_utime + ru.ru_stime, "wall": wall, "rc": p.returncode,
            "maxrss_kib": ru.ru_maxrss, "majflt": ru.ru_majflt, "inblock": ru.ru_inblock, "timeout": bool(killed), "text": text}


def run(plan_path: str, out_path: str) -> None:
    with open(plan_path) as f:
        plan = json.load(f)
    sets = FileSets(plan["evictSets"])
    variants = plan["variants"]
    scratch = tempfile.mkdtemp(prefix="epindex-bench-out-")
    seen_text: dict = {}
    # Files written since (the generator's, the caches) are on disk before any eviction:
    # POSIX_FADV_DONTNEED leaves dirty pages in memory.
    os.sync()
    total = plan["rounds"] * sum(len(b["variants"]) for b in plan["blocks"])
    done = 0
    t_start = time.perf_counter()
    with open(out_path, "a") as out:
        for r in range(plan["rounds"]):
            for b in plan["blocks"]:
                ids = b["variants"]
                if not ids:
                    continue
                for s in b.get("prewarm", []):
                    read_all(sets.get(s))
                k = r % len(ids)
                for vid in ids[k:] + ids[:k]:
                    v = variants[vid]
                    ev = v.get("evict")
                    if ev:
                        evict(sets.get(ev))
                    got = spawn(v["argv"], v["env"], v["cwd"], v.get("timeout", 600), os.path.join(scratch, "out"))
                    text = tidy(v.get("tidy", "none"), got.pop("text"))
                    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
                    row = {"id": vid, "round": r, **got, "out": digest}
                    if seen_text.get(vid) != digest:  # the text of the first sample, and of any that differs
                        seen_text[vid] = digest
                        row["text"] = text[-4000:]
                    out.write(json.dumps(row) + "\n")
                    out.flush()
                    done += 1
                    if got["rc"] != 0 and not v.get("mayFail"):
                        sys.stderr.write(f"bench:python: {vid} exited {got['rc']}:\n{text[-2000:]}\n")
            el = time.perf_counter() - t_start
            sys.stderr.write(f"bench:python:   {plan.get('name', 'run')}: round {r + 1}/{plan['rounds']} done ({done}/{total} samples, {el:.0f} s)\n")


def evict_files(plan_path: str, name: str) -> None:
    with open(plan_path) as f:
        plan = json.load(f)
    files = FileSets(plan["evictSets"]).get(name)
    print(json.dumps({"files": len(files), "bytes": sum(os.path.getsize(p) for p in files)}))


# ---------------------------------------------------------------------------------------------
# cProfile of pytest: the time inside importlib.metadata (and epindex, and the hook)

def _in_scope(filename: str) -> bool:
    f = filename.replace(os.sep, "/")
    return ("/importlib/metadata/" in f or "/importlib_metadata/" in f or "/epindex/" in f
            or f.endswith("/_epindex_accelerator.py"))


def profile(out_json: str, args: list) -> None:
    """Run ``--module M ARGS`` (as M's console script runs: sys.path[0] = the venv's bin) or
    ``--code CODE`` (as ``python -c``: sys.path[0] = '') under cProfile (default timer,
    builtins=False), and write the time inside the scope:

    - scope: every function defined in importlib/metadata/*, importlib_metadata/*, epindex/*
      and the hook module _epindex_accelerator.py;
    - inside = the sum of cumulative time over the call edges that ENTER the scope (caller
      outside, callee inside). builtins=False makes a C function (sorted, map, lru_cache's
      wrapper…) transparent: a callback it makes is recorded as called by the Python frame
      around it, so a call from the scope through a C function stays inside;
    - edges into a module body (<module>) are left out: importlib.metadata's own import is
      the same cost in both variants (the host imports it), epindex's happens inside a hook
      call (already counted there);
    - EntryPoint.load is left out: its cumulative time is the plugin's import, not metadata
      work (a metadata call the plugin makes while it imports is an edge of its own, counted);
    - the hook's exec_and_patch (which runs importlib.metadata's module body, then patches it)
      is transparent: only its _patch call is counted.
    ``overlapBoundMs``: the cumulative time of counted edges whose caller can itself be reached
    from inside the scope through functions outside it (the only way an edge can be counted
    twice): an upper bound of the double counting, reported next to the figure.
    """
    import cProfile
    import pstats
    import runpy

    kind, what, rest = args[0], args[1], args[2:]
    if kind == "--module":
        sys.path[0] = os.path.dirname(sys.executable)
        sys.argv = [what, *rest]
    else:
        sys.path[0] = ""
        sys.argv = ["-c", *rest]
    prof = cProfile.Profile(builtins=False)
    t0 = time.process_time()
    prof.enable()
    code = 0
    try:
        if kind == "--module":
            runpy.run_module(what, run_name="__main__", alter_sys=True)
        else:
            exec(compile(what, "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0
    finally:
        prof.disable()
    cpu = time.process_time() - t0
    st = pstats.Stats(prof).stats  # type: ignore[attr-defined]

    def inside(func: tuple) -> bool:
        return _in_scope(func[0]) and func[2] != "exec_and_patch"

    def label(func: tuple) -> str:
        parts = func[0].replace(os.sep, "/").split("/")
        return f"{'/'.join(parts[-2:])}:{func[2]}"

    callees: dict = {}
    for func, (_, _, _, _, callers) in st.items():
        for caller in callers:
            callees.setdefault(caller, []).append(func)
    # Functions outside the scope reachable from inside it through outside functions only
    # (not through EntryPoint.load: what runs under it is the plugin's).
    reach: set = set()
    stack = [f for f in st if inside(f) and f[2] != "load"]
    while stack:
        f = stack.pop()
        for g in callees.get(f, ()):
            if not inside(g) and g not in reach and g[2] != "<module>":
                reach.add(g)
                stack.append(g)
    total = 0.0
    overlap = 0.0
    by_entry: dict = {}
    module_import = 0.0
    load = 0.0
    for func, (_, _, _, _, callers) in st.items():
        if not inside(func):
            continue
        for caller, (nc, _, _, ct) in callers.items():
            if inside(caller):
                continue
            if func[2] == "<module>":
                if "/importlib/metadata/" in func[0].replace(os.sep, "/"):
                    module_import += ct
                continue
            if func[2] == "load" and "metadata" in func[0]:
                load += ct
                continue
            total += ct
            if caller in reach:
                overlap += ct
            key = label(func)
            e = by_entry.setdefault(key, [0.0, 0])
            e[0] += ct
            e[1] += nc
    top = sorted(by_entry.items(), key=lambda kv: -kv[1][0])[:12]
    # The functions whose own time (C calls included: builtins=False) makes up the inside: those
    # of the scope, and those outside it called only from the scope or from such functions
    # (json's decoder under epindex, pathlib under importlib.metadata where nothing else uses
    # it; a function the host calls too, the import system's, is left out).
    only: set = set()
    grew = True
    while grew:
        grew = False
        for f, v in st.items():
            if f in only or inside(f) or f[2] == "<module>" or not v[4]:
                continue
            if all(inside(c) or c in only for c in v[4]):
                only.add(f)
                grew = True
    hot = sorted(((label(f), v[2], v[1]) for f, v in st.items() if (inside(f) or f in only) and f[2] != "<module>"), key=lambda x: -x[1])[:10]
    with open(out_json, "w") as f:
        json.dump({"insideMs": total * 1000, "overlapBoundMs": overlap * 1000, "importlibImportMs": module_import * 1000,
                   "entryPointLoadMs": load * 1000, "processCpuMs": cpu * 1000, "exit": code,
                   "entries": [{"function": k, "ms": v[0] * 1000, "calls": v[1]} for k, v in top],
                   "hot": [{"function": k, "selfMs": t * 1000, "calls": n} for k, t, n in hot]}, f)


# ---------------------------------------------------------------------------------------------
# Start-up

def startup(n: int) -> None:
    """The accelerator's start-up, in-process: what its .pth line runs —
    ``import _epindex_accelerator; _epindex_accelerator.install()`` — timed with perf_counter,
    ``n`` times. Between repetitions everything it did is undone (the module forgotten, the
    post-import hook removed from sys.meta_path, PathFinder.find_distributions restored), so
    each repetition imports the module from its bytecode and installs as at start-up."""
    import importlib.machinery as mach

    pf = mach.PathFinder
    original = pf.__dict__["find_distributions"]
    original = getattr(getattr(original, "__func__", original), "__epindex_original__", None)
    installed = "_epindex_accelerator" in sys.modules and sys.modules["_epindex_accelerator"].state.get("installed")

    def undo() -> None:
        m = sys.modules.pop("_epindex_accelerator", None)
        if m is not None:
            sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "_epindex_accelerator"]
        f = pf.__dict__.get("find_distributions")
        orig = getattr(getattr(f, "__func__", f), "__epindex_original__", None)
        if orig is not None:
            pf.find_distributions = orig if isinstance(orig, classmethod) else classmethod(getattr(orig, "__func__", orig))

    undo()
    importlib_cached = dict.fromkeys(k for k in sys.modules if k.startswith("importlib.metadata"))
    xs: list = []
    for _ in range(n):
        t = time.perf_counter()
        import _epindex_accelerator  # noqa: F401

        _epindex_accelerator.install()
        xs.append((time.perf_counter() - t) * 1000)
        assert _epindex_accelerator.state["installed"], _epindex_accelerator.state
        undo()
    first = xs[0]
    xs.sort()
    print(json.dumps({"n": n, "firstMs": first, "medianMs": xs[len(xs) // 2], "p90Ms": xs[int(len(xs) * 0.9)],
                      "installedAtStart": bool(installed), "originalWrapped": original is not None,
                      "importlibLoaded": bool(importlib_cached)}))


def startup_first(site: str) -> None:
    """The same, once, in a process started with -S: nothing has been imported from
    site-packages yet, so this first import also pays for the import system's first look at
    that directory (its finder and listing), which the .pth line pays at start-up."""
    sys.path.append(site)
    t = time.perf_counter()
    import _epindex_accelerator  # noqa: F401

    _epindex_accelerator.install()
    ms = (time.perf_counter() - t) * 1000
    assert _epindex_accelerator.state["installed"], _epindex_accelerator.state
    print(json.dumps({"ms": ms}))


# ---------------------------------------------------------------------------------------------
# Answers of the one-liners, for comparison (untimed)

def digest(what: str, group: str = "") -> None:
    if what == "loop":  # everything the loop sees: order, names, versions, entry points
        import importlib.metadata as m

        rows = [[d.name, d.version, d._normalized_name, [[e.name, e.value, e.group] for e in d.entry_points]] for d in m.distributions()]
        n = len(rows)
    elif what == "group":
        import importlib.metadata as m

        rows = [[e.name, e.value, e.group, e.dist.name if e.dist else None] for e in m.entry_points(group=group)]
        n = len(rows)
    elif what == "records":
        import epindex

        rows = [[e.name, e.value, e.group, e.dist_name] for e in epindex.entry_point_records(group=group)]
        n = len(rows)
    elif what == "epindex":
        import epindex

        rows = [[e.name, e.value, e.group, e.dist.name if e.dist else None] for e in epindex.entry_points(group=group)]
        n = len(rows)
    else:
        raise SystemExit(f"unknown digest {what}")
    accel = sys.modules.get("epindex._accel")  # imported by the hook when it answered
    stats = accel.accelerator_stats() if accel is not None else None
    text = json.dumps(rows)
    print(json.dumps({"count": n, "digest": hashlib.sha256(text.encode()).hexdigest()[:16], "stats": stats,
                      "first": rows[:3]}))


def main(argv: list) -> None:
    what = argv[0]
    if what == "run":
        run(argv[1], argv[2])
    elif what == "evict-files":
        evict_files(argv[1], argv[2])
    elif what == "profile":
        profile(argv[1], argv[2:])
    elif what == "startup":
        startup(int(argv[1]))
    elif what == "startup-first":
        startup_first(argv[1])
    elif what == "digest":
        digest(argv[1], argv[2] if len(argv) > 2 else "")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])

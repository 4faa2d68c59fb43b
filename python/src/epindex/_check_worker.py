"""The worker of ``epindex check``: imports entry points for real, one after another, and
reports each result on the file descriptor named by $EPINDEX_CHECK_FD (stdout and stderr are
left to whatever the imported code prints).

Standalone on purpose (standard library only, no import of epindex), so that any
interpreter can run it by path. Input on stdin: one JSON line, a list of
``{"i", "group", "name", "value", "dist": metadata path or null, "extras": [...]}``.
Output, per entry: ``{"start": i}`` before the import, then ``{"i", "ok", "error", ...}``.
A crash, an ``os._exit`` or a hang leaves a start without a result: the parent sees it. An
import that leaves child processes running fails (``ChildProcesses``), and they are killed; the
parent runs each worker in a session of its own and kills that whole group at the end too.
"""
import importlib
import json
import os
import re
import sys
import time


def _requirement_name(req):
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return m.group(1) if m else None


def _normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _missing_extras(dist_path, extras):
    """Why an extra of the entry point is not usable, or None. Checks Provides-Extra and
    that every requirement conditioned on ``extra == "x"`` names an installed distribution."""
    if not extras or not dist_path:
        return None
    import importlib.metadata as md

    try:
        dist = md.PathDistribution(__import__("pathlib").Path(dist_path))
        meta = dist.metadata
        provided = {_normalize(x) for x in (meta.get_all("Provides-Extra") or [])}
        requires = dist.requires or []
    except Exception as e:
        return f"cannot read the metadata of {dist_path}: {e}"
    for extra in extras:
        want = _normalize(extra)
        if provided and want not in provided:
            return f"extra {extra!r} is not declared by the distribution (Provides-Extra: {', '.join(sorted(provided)) or 'none'})"
        for req in requires:
            req_part, _, marker = req.partition(";")
            if not re.search(r"extra\s*==\s*['\"]" + re.escape(extra) + r"['\"]", marker) and not re.search(
                    r"extra\s*==\s*['\"]" + re.escape(want) + r"['\"]", marker):
                continue
            name = _requirement_name(req_part)
            if name is None:
                continue
            try:
                md.distribution(name)
            except md.PackageNotFoundError:
                return f"extra {extra!r} is not installed: it requires {req_part.strip()}, which is not installed"
    return None


def _load(value):
    """EntryPoint.load's rule, in two steps so that the error says which one failed."""
    module_part, _, rest = value.partition(":")
    module_part = module_part.split("[", 1)[0].strip()
    attr = rest.split("[", 1)[0].strip()
    obj = importlib.import_module(module_part)
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


def _children():
    """The pids of this process's running children (Linux: /proc), or None where that cannot be
    read; then only whether there is one is known (waitpid), as {-1}."""
    pids = set()
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        tasks = None
    if tasks is not None:
        for t in tasks:
            try:
                with open(f"/proc/self/task/{t}/children") as f:
                    pids.update(int(x) for x in f.read().split())
            except (OSError, ValueError):
                tasks = None
                break
    if tasks is not None:
        return pids
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return set()
    except OSError:
        return None
    return {-1} if pid == 0 else set()


def _left_behind(before):
    """The children an import started and left running (killed here, so that they cannot hold
    the protocol's pipe or outlive the check), or an empty set."""
    now = _children()
    if now is None:
        return set()
    new = now - (before or set())
    for pid in new:
        if pid > 0:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:
                pass
    return new


def main():
    # Run by path, the script's directory (epindex's own) came first on sys.path: not the
    # environment's, so it goes.
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == here:
        del sys.path[0]
    out = os.fdopen(int(os.environ["EPINDEX_CHECK_FD"]), "w", buffering=1)
    me = os.getpid()
    # Linux: become the reaper of our orphans, so that a daemon an import starts (fork, fork,
    # exit) is still our child, seen and killed as one (prctl PR_SET_CHILD_SUBREAPER).
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
        except Exception:
            pass
    request = json.loads(sys.stdin.readline())
    entries = request["entries"]
    if request.get("path") is not None:
        sys.path[:] = list(request["path"])
    # An entry point that reads stdin must not see the rest of the protocol.
    try:
        sys.stdin = open(os.devnull)
    except OSError:
        pass
    for e in entries:
        out.write(json.dumps({"start": e["i"]}) + "\n")
        out.flush()
        t = time.perf_counter()
        result = {"i": e["i"], "ok": True, "error": None}
        before = _children()
        try:
            _load(e["value"])
            why = _missing_extras(e.get("dist"), e.get("extras"))
            if why is not None:
                result.update(ok=False, error={"type": "MissingExtra", "message": why})
        except SystemExit as x:
            result.update(ok=False, error={"type": "SystemExit", "message": f"sys.exit({x.code!r}) was called during the import"})
        except BaseException as x:  # whatever the import raised, KeyboardInterrupt included
            result.update(ok=False, error={"type": type(x).__name__, "message": str(x)})
        if os.getpid() != me:
            os._exit(0)  # a forked child of the import that came back here: it is not the worker
        left = _left_behind(before)
        if left:
            n = "a process" if len(left) == 1 else f"{len(left)} processes"
            result.update(ok=False, error={"type": "ChildProcesses", "message": f"the import left {n} running (os.fork, multiprocessing or subprocess without waiting); killed"})
        result["seconds"] = round(time.perf_counter() - t, 6)
        try:
            out.write(json.dumps(result) + "\n")
            out.flush()
        except BaseException:
            os._exit(3)
    out.close()
    os._exit(0)  # skip interpreter teardown: imported code's atexit hooks are not ours to run


if __name__ == "__main__":
    main()

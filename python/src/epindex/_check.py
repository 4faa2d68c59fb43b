"""``epindex check``: import every selected entry point for real, in batched worker processes
(_check_worker.py), each entry isolated: a crash, ``sys.exit``, ``os._exit`` or hang fails that
entry only (a new worker continues with the rest), with a per-entry timeout. Each worker runs in
a session of its own, killed as a group at the deadline and at the end of its batch; an entry
that times out is tried once more alone before it is reported (docs/spec.md §14.4)."""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Set

from ._proc import kill_group
from ._reference import parse_reference

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_check_worker.py")


def _fail(kind: str, message: str) -> Dict[str, Any]:
    return {"ok": False, "error": {"type": kind, "message": message}}


class _Progress:
    """A one-line bar on a terminal (stderr); nothing otherwise."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.enabled = enabled and total > 0
        self.lock = threading.Lock()
        self.last = 0.0

    def step(self, ok: bool) -> None:
        with self.lock:
            self.done += 1
            self.failed += 0 if ok else 1
            now = time.monotonic()
            if self.enabled and (now - self.last > 0.05 or self.done == self.total):
                self.last = now
                width = 30
                filled = int(width * self.done / self.total)
                sys.stderr.write(f"\rcheck [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}, {self.failed} failed")
                sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


_POSIX = os.name == "posix"
#: Workers running now, so that an interrupted check leaves none behind.
_LIVE: Set[subprocess.Popen] = set()  # type: ignore[type-arg]
_LIVE_LOCK = threading.Lock()


def _run_batch(python: str, batch: List[Dict[str, Any]], timeout: float, results: Dict[int, Dict[str, Any]], progress: _Progress,
               path: Optional[List[str]]) -> None:
    pending = list(batch)
    while pending:
        r, w = os.pipe()
        env = dict(os.environ, EPINDEX_CHECK_FD=str(w))
        env.pop("PYTHONSTARTUP", None)
        try:
            # A session of its own: whatever an import starts can be killed with the worker, as a group.
            proc = subprocess.Popen([python, WORKER], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    pass_fds=(w,), env=env, cwd=os.getcwd(), start_new_session=_POSIX)
        except OSError as e:
            os.close(r)
            os.close(w)
            for item in pending:
                results[item["i"]] = _fail("WorkerError", f"cannot start {python}: {e}")
                progress.step(False)
            return
        os.close(w)
        with _LIVE_LOCK:
            _LIVE.add(proc)
        assert proc.stdin is not None
        try:
            proc.stdin.write((json.dumps({"entries": pending, "path": path}) + "\n").encode())
            proc.stdin.close()
        except OSError:
            pass
        buf = b""
        current: Optional[int] = None
        started = time.monotonic()
        by_i = {item["i"]: item for item in pending}
        done_here: List[int] = []
        broke: Optional[Dict[str, Any]] = None
        exited = False
        with os.fdopen(r, "rb", buffering=0) as f:
            while True:
                # Between entries the worker only writes; a stall there is a hang too.
                left = (timeout if current is not None else timeout + 30.0) - (time.monotonic() - started)
                if left <= 0:
                    kill_group(proc)
                    if current is not None:
                        broke = _fail("Timeout", f"the import did not finish within {timeout:g} s (--timeout)")
                    break
                # In short slices: a process the import left behind may hold the pipe open after
                # the worker itself has exited, and then no end of file ever comes.
                ready, _, _ = select.select([f], [], [], min(left, 0.2))
                if not ready:
                    if exited:
                        break
                    if proc.poll() is not None:
                        exited = True  # one more slice for what it wrote last
                    continue
                chunk = f.read(65536)
                if not chunk:
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        continue
                    if "start" in msg:
                        current = msg["start"]
                        started = time.monotonic()
                    elif msg.get("i") in by_i:
                        results[msg["i"]] = msg
                        done_here.append(msg["i"])
                        progress.step(bool(msg.get("ok")))
                        current = None
        code = proc.wait()
        # The end of the batch: whatever is left of the worker's group goes too.
        kill_group(proc)
        with _LIVE_LOCK:
            _LIVE.discard(proc)
        if broke is None and current is not None:
            if code < 0:
                broke = _fail("Crash", f"the interpreter was killed by signal {-code} during the import")
            else:
                broke = _fail("Exit", f"the interpreter exited with status {code} during the import (os._exit?)")
        if current is not None and broke is not None:
            results[current] = {"i": current, **broke, "seconds": round(time.monotonic() - started, 3)}
            progress.step(False)
            done_here.append(current)
        elif current is None and len(done_here) < len(pending) and broke is None:
            # The worker died between entries: the next one is blamed only if it happens again.
            pass
        left = [item for item in pending if item["i"] not in results]
        if len(left) == len(pending):
            # No progress at all (the worker cannot start properly): fail the first and go on.
            results[left[0]["i"]] = {"i": left[0]["i"], **_fail("WorkerError", f"the worker exited with status {code} before reporting"), "seconds": 0}
            progress.step(False)
            left = left[1:]
        pending = left


def check(entries: List[Dict[str, Any]], *, python: Optional[str] = None, timeout: float = 10.0, jobs: int = 0, batch: int = 25,
          progress: bool = False, path: Optional[List[str]] = None) -> List[Dict[str, Any]]:
    """Import each of ``entries`` (``group``, ``name``, ``value``, ``dist`` (metadata path),
    ``distribution`` (name, version)) and return them with ``ok``, ``error`` and ``seconds``.
    ``path``: the workers' sys.path (default: the interpreter's own)."""
    python = python or sys.executable
    items = []
    results: Dict[int, Dict[str, Any]] = {}
    bar = _Progress(len(entries), progress)
    for i, e in enumerate(entries):
        ref = parse_reference(e["value"])
        if isinstance(ref, str):
            results[i] = {"i": i, **_fail("InvalidReference", f"{e['value']!r} is not a valid object reference: {ref}"), "seconds": 0}
            bar.step(False)
            continue
        items.append({"i": i, "group": e["group"], "name": e["name"], "value": e["value"], "dist": e.get("dist"), "extras": list(ref.extras)})
    jobs = jobs or min(8, os.cpu_count() or 2)
    batches = [items[k : k + batch] for k in range(0, len(items), max(1, batch))]
    threads = []
    lock = threading.Lock()
    queue = list(batches)

    def runner() -> None:
        while True:
            with lock:
                if not queue:
                    return
                b = queue.pop(0)
            _run_batch(python, b, timeout, results, bar, path)

    try:
        for _ in range(min(jobs, len(batches))):
            t = threading.Thread(target=runner, daemon=True)
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        # An entry that timed out is tried once more, alone, before it is reported: under load
        # (other workers importing at the same time) a slow import can pass the deadline.
        by_i = {item["i"]: item for item in items}
        for i in sorted(i for i, r in results.items() if (r.get("error") or {}).get("type") == "Timeout"):
            again: Dict[int, Dict[str, Any]] = {}
            _run_batch(python, [by_i[i]], timeout, again, _Progress(1, False), path)
            r = again.get(i)
            if r is not None and (r.get("error") or {}).get("type") == "Timeout":
                r = {**r, "error": {"type": "Timeout", "message": f"the import did not finish within {timeout:g} s, twice (the second time alone); raise --timeout if it is only slow"}}
            if r is not None:
                results[i] = r
    finally:
        with _LIVE_LOCK:
            for proc in list(_LIVE):
                kill_group(proc)
    bar.close()
    out = []
    for i, e in enumerate(entries):
        r = results.get(i) or {"i": i, **_fail("WorkerError", "no result")}
        err = r.get("error")
        code = None if r.get("ok") else ("EP802" if err and err.get("type") in ("Crash", "Exit", "Timeout", "WorkerError", "ChildProcesses") else "EP801")
        out.append({"group": e["group"], "name": e["name"], "value": e["value"], "distribution": e.get("distribution"),
                    "ok": bool(r.get("ok")), "code": code, "error": err, "seconds": r.get("seconds", 0)})
    return out


def main(a: Any) -> int:
    from . import _api
    from ._discover import normalize_name

    groups = a.group or [None]
    eps: List[Any] = []
    for g in groups:
        eps.extend(_api.entry_points(g, path=a.path, policy=a.cache or "auto", freshness=a.freshness))
    if a.name:
        eps = [e for e in eps if e.name in a.name]
    if a.dist:
        want = {normalize_name(d) for d in a.dist}
        eps = [e for e in eps if getattr(e, "dist", None) is not None and normalize_name(_api.dist_name_version(e.dist)[0]) in want]
    entries = []
    for e in eps:
        d = getattr(e, "dist", None)
        name, version = _api.dist_name_version(d) if d is not None else (None, None)
        entries.append({"group": e.group, "name": e.name, "value": e.value, "dist": None if d is None else str(d._path),
                        "distribution": None if d is None else {"name": name, "version": version}})
    results = check(entries, timeout=a.timeout, jobs=a.jobs, batch=a.batch, progress=not a.no_progress and not a.json and sys.stderr.isatty(),
                    path=None if a.path is None else list(a.path) + [p for p in sys.path if p not in a.path])
    failed = [r for r in results if not r["ok"]]
    passed = len(results) - len(failed)
    if a.json:
        from ._cli import print_json

        # checked, passed, failed: the summary of `epi check --node --json` too (schema/cli/check*.schema.json).
        print_json({"results": results, "checked": len(results), "passed": passed, "failed": len(failed)})
    else:
        for r in failed:
            d = r["distribution"]
            dist = f"{d['name']} {d['version'] or ''}".strip() if d else "(unknown distribution)"
            sys.stdout.write(f"error {r['code']} {dist}: [{r['group']}] {r['name']} = {r['value']}: {r['error']['type']}: {r['error']['message']}\n")
        # The summary on stderr, worded as every epi summary and as `epi check --node`'s.
        sys.stdout.flush()
        noun = "entry point" if len(results) == 1 else "entry points"
        sys.stderr.write(f"{getattr(a, 'prog', 'epindex')}: {len(results)} {noun} checked: {passed} passed, {len(failed)} failed\n")
    return 1 if failed else 0

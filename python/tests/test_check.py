"""`python -m epindex check` on a fixture: one good plugin, a missing module, a missing
attribute, one raising on import, one calling sys.exit, one hanging, one crashing, one with
an extra that is not installed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from support import MD, SRC, TempDirTest, write_tree


class Check(TempDirTest):
    def test_failures_are_reported_and_time_is_bounded(self) -> None:
        site = os.path.join(self.tmp, "site")
        files = {"goodmod.py": "def hello(): pass\n", "raisemod.py": "raise RuntimeError('boom at import')\n",
                 "exitmod.py": "import sys\nsys.exit(3)\n", "hangmod.py": "import time\ntime.sleep(60)\n", "crashmod.py": "import os\nos.abort()\n"}
        for name, value in [("good", "goodmod:hello"), ("nomod", "does_not_exist:x"), ("noattr", "goodmod:missing"), ("raises", "raisemod"),
                            ("exits", "exitmod"), ("hangs", "hangmod"), ("crash", "crashmod"), ("extra", "goodmod:hello [fancy]")]:
            files[f"{name}-1.0.dist-info/METADATA"] = MD(name, "1.0") + ("" if name != "extra" else "")
            files[f"{name}-1.0.dist-info/entry_points.txt"] = f"[demo.plugins]\n{name} = {value}\n"
        files["extra-1.0.dist-info/METADATA"] = "Metadata-Version: 2.1\nName: extra\nVersion: 1.0\nProvides-Extra: fancy\nRequires-Dist: not-installed-anywhere ; extra == 'fancy'\n\n"
        write_tree(site, files)
        t = time.monotonic()
        env = dict(os.environ, PYTHONPATH=SRC)
        r = subprocess.run([sys.executable, "-m", "epindex", "check", "--path", site, "--timeout", "2", "--json", "--cache", "scan"], capture_output=True, text=True, env=env)
        elapsed = time.monotonic() - t
        self.assertEqual(r.returncode, 1, r.stderr)
        out = json.loads(r.stdout)
        by = {x["name"]: x for x in out["results"]}
        self.assertEqual(len(by), 8)
        self.assertTrue(by["good"]["ok"])
        expected = {"nomod": "ModuleNotFoundError", "noattr": "AttributeError", "raises": "RuntimeError", "exits": "SystemExit",
                    "hangs": "Timeout", "crash": "Crash", "extra": "MissingExtra"}
        self.assertEqual({k: by[k]["error"]["type"] for k in expected}, expected)
        self.assertEqual(by["raises"]["error"]["message"], "boom at import")
        self.assertEqual(by["nomod"]["distribution"], {"name": "nomod", "version": "1.0"})
        self.assertEqual((out["checked"], out["passed"], out["failed"]), (8, 1, 7))
        self.assertLess(elapsed, 2 + 8)  # one timeout, not one per entry

    def test_text_output_and_exit_zero_when_all_pass(self) -> None:
        site = os.path.join(self.tmp, "site")
        write_tree(site, {"ok-1.0.dist-info/METADATA": MD("ok", "1.0"), "ok-1.0.dist-info/entry_points.txt": "[g]\nok = okmod\n", "okmod.py": ""})
        env = dict(os.environ, PYTHONPATH=SRC)
        r = subprocess.run([sys.executable, "-m", "epindex", "check", "--path", site, "--group", "g"], capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("epindex: 1 entry point checked: 1 passed, 0 failed\n", r.stderr)
        self.assertNotIn("checked", r.stdout)


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for a reaper does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return False


class Bounded(TempDirTest):
    """Issue 17, H4: each worker in a session of its own, killed as a group at the deadline and at
    the end; an import that leaves processes behind is reported; a timeout is retried alone."""

    def run_check(self, files: dict, *args: str) -> tuple:
        site = os.path.join(self.tmp, "site")
        write_tree(site, files)
        env = dict(os.environ, PYTHONPATH=SRC)
        t = time.monotonic()
        r = subprocess.run([sys.executable, "-m", "epindex", "check", "--path", site, "--json", "--cache", "scan", *args],
                           capture_output=True, text=True, env=env, timeout=120)
        return r, time.monotonic() - t, site

    def test_H4_an_import_that_forks_is_reported_and_leaves_nothing_running(self) -> None:
        if not hasattr(os, "fork") or not os.path.isdir("/proc/self"):
            self.skipTest("needs os.fork and /proc")
        pids = os.path.join(self.tmp, "pids")
        files = {"good.py": "",
                 # The plugin: the child sleeps 40 s, holding the worker's pipe.
                 "forks.py": f"import os, time\nr, w = os.pipe()\nif os.fork() == 0:\n    open({pids!r}, 'a').write('%d\\n' % os.getpid())\n    os.write(w, b'x')\n    time.sleep(40)\nelse:\n    os.read(r, 1)\n",
                 # A grandchild that leaves its parent (double fork), still in the worker's session.
                 "daemon.py": f"import os, time\nr, w = os.pipe()\nif os.fork() == 0:\n    if os.fork() == 0:\n        open({pids!r}, 'a').write('%d\\n' % os.getpid())\n        os.write(w, b'x')\n        time.sleep(40)\n    os._exit(0)\nos.wait()\nos.read(r, 1)\n"}
        for name in ("good", "forks", "daemon"):
            files[f"{name}-1.0.dist-info/METADATA"] = MD(name, "1.0")
            files[f"{name}-1.0.dist-info/entry_points.txt"] = f"[h4.plugins]\n{name} = {name}\n"
        r, elapsed, _ = self.run_check(files, "--timeout", "5", "--group", "h4.plugins", "--jobs", "1")
        self.assertEqual(r.returncode, 1, r.stderr)
        by = {x["name"]: x for x in json.loads(r.stdout)["results"]}
        self.assertTrue(by["good"]["ok"])
        for name in ("forks", "daemon"):
            self.assertFalse(by[name]["ok"], f"{name}: an import that leaves a process running is not 'passed'")
            self.assertEqual((by[name]["code"], by[name]["error"]["type"]), ("EP802", "ChildProcesses"), name)
        self.assertLess(elapsed, 5 + 10, "the check is bounded by its timeout, not by the plugin's sleep")
        time.sleep(0.2)
        with open(pids) as f:
            left = [int(x) for x in f.read().split()]
        self.assertEqual(len(left), 2, r.stdout)
        for pid in left:
            self.assertFalse(_running(pid), f"pid {pid} outlived the check")

    def test_H4_a_timed_out_entry_is_retried_alone_before_it_is_reported_and_the_message_names_timeout(self) -> None:
        marker = os.path.join(self.tmp, "slow-once")
        files = {"slow.py": f"import os, time\nif not os.path.exists({marker!r}):\n    open({marker!r}, 'w').close()\n    time.sleep(30)\n",
                 "hangs.py": "import time\ntime.sleep(30)\n"}
        for name in ("slow", "hangs"):
            files[f"{name}-1.0.dist-info/METADATA"] = MD(name, "1.0")
            files[f"{name}-1.0.dist-info/entry_points.txt"] = f"[h4.retry]\n{name} = {name}\n"
        r, elapsed, _ = self.run_check(files, "--timeout", "1", "--group", "h4.retry")
        self.assertEqual(r.returncode, 1, r.stderr)
        by = {x["name"]: x for x in json.loads(r.stdout)["results"]}
        self.assertTrue(by["slow"]["ok"], f"slow only under load (here: the first time): passes when retried alone: {by['slow']}")
        self.assertEqual(by["hangs"]["error"]["type"], "Timeout")
        self.assertIn("--timeout", by["hangs"]["error"]["message"])
        self.assertIn("twice", by["hangs"]["error"]["message"])
        self.assertLess(elapsed, 20)

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

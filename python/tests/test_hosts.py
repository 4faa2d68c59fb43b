"""Real hosts from PyPI, accelerated and not, in one throwaway venv cached under the temp
directory (keyed by interpreter and pins): pytest with a dozen plugins (pluggy), flake8 with
plugins (its own finder), tox (pluggy, another host), keyring (entry_points(group=...)). Each
prints the same accelerated and plain, and pluggy's own test suite passes accelerated.
(docs/spec.md §14.3; the benchmark of the same hosts is bench/python-hosts.ts.)"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from support import SRC

PYTEST = ["pytest==8.3.4", "pytest-cov==6.0.0", "pytest-xdist==3.6.1", "pytest-mock==3.14.0", "pytest-timeout==2.3.1", "pytest-randomly==3.16.0",
          "pytest-asyncio==0.25.0", "pytest-benchmark==5.1.0", "pytest-rerunfailures==15.0", "pytest-env==1.1.5", "pytest-order==1.3.0",
          "pytest-html==4.1.1", "pytest-metadata==3.1.1"]
FLAKE8 = ["flake8==7.1.1", "flake8-bugbear==24.12.12", "flake8-comprehensions==3.16.0", "pep8-naming==0.14.1", "flake8-docstrings==1.7.0"]
OTHERS = ["tox==4.23.2", "keyring==25.5.0"]
PLUGGY = "pluggy==1.5.0"
PINS = PYTEST + FLAKE8 + OTHERS


def _venv() -> tuple:
    key = hashlib.sha256(json.dumps([sys.executable, sys.version, PINS, PLUGGY, 1]).encode()).hexdigest()[:16]
    root = os.path.join(tempfile.gettempdir(), f"epindex-hosts-{key}")
    python = os.path.join(root, "venv", "bin", "python")
    sdist = os.path.join(root, "sdist")
    if not os.path.exists(os.path.join(root, ".ready")):
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(sdist)
        subprocess.run([sys.executable, "-m", "venv", os.path.join(root, "venv")], check=True, stdout=subprocess.DEVNULL)
        pip = [python, "-m", "pip", "-q", "--disable-pip-version-check"]
        subprocess.run(pip + ["install", "--only-binary", ":all:", *PINS, PLUGGY], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(pip + ["download", "--no-deps", "--no-binary", ":all:", PLUGGY, "-d", sdist], check=True, stdout=subprocess.DEVNULL)
        archive = os.path.join(sdist, next(n for n in os.listdir(sdist) if n.endswith(".tar.gz")))
        shutil.unpack_archive(archive, sdist, **({"filter": "data"} if sys.version_info >= (3, 12) else {}))
        site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True).stdout.strip()
        with open(os.path.join(site, "epindex-src.pth"), "w") as f:
            f.write(SRC + "\n")
        with open(os.path.join(root, ".ready"), "w"):
            pass
    project = next(os.path.join(sdist, n) for n in os.listdir(sdist) if os.path.isdir(os.path.join(sdist, n)))
    return python, os.path.dirname(python), project


@unittest.skipUnless(sys.version_info >= (3, 10), "the accelerator works on 3.10+")
@unittest.skipUnless(os.environ.get("EPINDEX_TEST_BACKPORT") == "1", "npm test runs it on the newest interpreter only (test time)")
class Hosts(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.python, cls.bin, cls.pluggy = _venv()
        cls.tmp = tempfile.mkdtemp(prefix="epindex-hosts-")
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith(("EPINDEX_", "PYTHON", "PYTEST", "TOX"))}
        cls.env.update(EPINDEX_CACHE_DIR=os.path.join(cls.tmp, "cache"), EPINDEX_ACCELERATOR_STATS=os.path.join(cls.tmp, "stats"))
        with open(os.path.join(cls.tmp, "test_one.py"), "w") as f:
            f.write("def test_one():\n    assert True\n")
        with open(os.path.join(cls.tmp, "style.py"), "w") as f:
            f.write("import os\n\n\ndef f(x):\n    return [y for y in list(x)]\n")
        subprocess.run([cls.python, "-m", "epindex", "accelerate"], check=True, stdout=subprocess.DEVNULL, env=cls.env)

    @classmethod
    def tearDownClass(cls) -> None:
        subprocess.run([cls.python, "-m", "epindex", "accelerate", "--remove"], stdout=subprocess.DEVNULL, env=cls.env)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def both(self, argv: list, tidy=lambda s: s) -> str:
        """``argv`` run plain and accelerated (twice: cold, then warm): the same output each time."""
        outs = []
        for mode in ("0", "1", "1"):
            r = subprocess.run(argv, env=dict(self.env, EPINDEX_ACCELERATE=mode), capture_output=True, text=True, cwd=self.tmp, timeout=300)
            outs.append((r.returncode, tidy(r.stdout + r.stderr)))
        self.assertNotIn("EP803", outs[1][1] + outs[2][1])
        self.assertEqual(outs[1], outs[0], "cold")
        self.assertEqual(outs[2], outs[0], "warm")
        return outs[0][1]

    def test_pytest_version_version_lists_the_same_plugins(self) -> None:
        out = self.both([os.path.join(self.bin, "pytest"), "--version", "--version"])
        self.assertGreaterEqual(out.count("pytest-"), 10, out)

    def test_pytest_collect_only_is_the_same(self) -> None:
        timing = re.compile(r" in [0-9.]+s")
        out = self.both([os.path.join(self.bin, "pytest"), "--co", "-q", "-p", "no:randomly", "test_one.py"], lambda s: timing.sub(" in Ts", s))
        self.assertIn("test_one.py::test_one", out)

    def test_flake8_version_lists_the_same_plugins(self) -> None:
        out = self.both([os.path.join(self.bin, "flake8"), "--version"])
        for plugin in ("flake8-bugbear", "flake8-comprehensions", "pep8-naming", "flake8-docstrings"):
            self.assertIn(plugin, out)

    def test_flake8_finds_the_same_problems(self) -> None:
        out = self.both([os.path.join(self.bin, "flake8"), "style.py"])
        self.assertIn("C416", out)  # flake8-comprehensions ran

    def test_tox_version_lists_the_same_plugins(self) -> None:
        out = self.both([os.path.join(self.bin, "tox"), "--version"])
        self.assertIn("tox", out)

    def test_keyring_lists_the_same_backends(self) -> None:
        # keyring keeps its backends in a set: their order follows memory addresses.
        self.both([os.path.join(self.bin, "keyring"), "--list-backends"], lambda s: "\n".join(sorted(re.sub(r" at 0x[0-9a-f]+", "", s).splitlines())))

    def test_pluggy_s_own_suite_passes_accelerated(self) -> None:
        r = subprocess.run([self.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-W", "error::RuntimeWarning", "testing"],
                           cwd=self.pluggy, env=dict(self.env, EPINDEX_ACCELERATE="1"), capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stdout[-3000:] + r.stderr[-2000:])
        self.assertRegex(r.stdout, r"[1-9][0-9]* passed")

    def test_the_accelerator_answered_them_without_falling_back(self) -> None:
        stats = os.path.join(self.tmp, "stats-hosts")
        env = dict(self.env, EPINDEX_ACCELERATOR_STATS=stats, EPINDEX_ACCELERATE="1")
        for argv in (["pytest", "--version", "--version"], ["pytest", "--co", "-q", "test_one.py"], ["flake8", "--version"], ["tox", "--version"]):
            subprocess.run([os.path.join(self.bin, argv[0]), *argv[1:]], env=env, capture_output=True, cwd=self.tmp, timeout=300)
        with open(stats) as f:
            runs = [json.loads(line) for line in f]
        self.assertTrue(all(r["active"] for r in runs), runs)
        self.assertGreater(sum(r["answered"] for r in runs), 0)
        self.assertEqual(sum(r["fell_back"] for r in runs), 0, [r["reasons"] for r in runs if r["fell_back"]])


if __name__ == "__main__":
    unittest.main()

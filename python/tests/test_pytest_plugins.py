"""pytest with a dozen plugins from PyPI, in a throwaway venv cached under the temp directory:
`pytest --version --version` lists the same plugins with and without the accelerator, and
the accelerated `entry_points(group="pytest11")` equals the unpatched one there."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from support import SRC

PLUGINS = ["pytest==8.3.4", "pytest-cov", "pytest-xdist", "pytest-mock", "pytest-timeout", "pytest-randomly", "pytest-asyncio",
           "pytest-benchmark", "pytest-rerunfailures", "pytest-env", "pytest-order", "pytest-html", "pytest-metadata"]


def _venv() -> str:
    key = hashlib.sha256(json.dumps([sys.executable, sys.version, PLUGINS, 1]).encode()).hexdigest()[:16]
    root = os.path.join(tempfile.gettempdir(), f"epindex-pytest-plugins-{key}")
    python = os.path.join(root, "bin", "python")
    if not os.path.exists(os.path.join(root, ".ready")):
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", root], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([python, "-m", "pip", "-q", "--disable-pip-version-check", "install", "--only-binary", ":all:", *PLUGINS], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(root, ".ready"), "w"):
            pass
    return python


@unittest.skipUnless(sys.version_info >= (3, 10), "the accelerator works on 3.10+")
@unittest.skipUnless(os.environ.get("EPINDEX_TEST_BACKPORT") == "1", "npm test runs it on the newest interpreter only (test time)")
class PytestPlugins(unittest.TestCase):
    def test_pytest_sees_the_same_plugins(self) -> None:
        python = _venv()
        site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True).stdout.strip()
        with open(os.path.join(site, "epindex-src.pth"), "w") as f:
            f.write(SRC + "\n")
        tmp = tempfile.mkdtemp(prefix="epindex-pp-")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("EPINDEX_", "PYTHON", "PYTEST"))}
        env.update(EPINDEX_CACHE_DIR=os.path.join(tmp, "cache"))
        try:
            def version_version() -> str:
                r = subprocess.run([python, "-m", "pytest", "--version", "--version"], capture_output=True, text=True, env=env, cwd=tmp)
                self.assertEqual(r.returncode, 0, r.stderr)
                return r.stdout + r.stderr

            subprocess.run([python, "-m", "epindex", "accelerate", "--remove"], check=True, stdout=subprocess.DEVNULL, env=env)
            plain = version_version()
            subprocess.run([python, "-m", "epindex", "accelerate"], check=True, stdout=subprocess.DEVNULL, env=env)
            accelerated = version_version()
            self.assertEqual(accelerated, plain)
            self.assertGreaterEqual(plain.count("pytest-"), 10, plain)
            code = ("import importlib.metadata as m, json; from epindex import _accel\n"
                    "a = m.entry_points(group='pytest11'); b = m.entry_points.__wrapped__(group='pytest11')\n"
                    "print(json.dumps([[[e.name, e.value, str(e.dist._path)] for e in a] == [[e.name, e.value, str(e.dist._path)] for e in b], len(a), _accel.stats['answered']]))")
            r = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, cwd=tmp)
            same, count, answered = json.loads(r.stdout) if r.returncode == 0 else (None, 0, 0)
            self.assertEqual((same, answered), (True, 1), r.stdout + r.stderr)
            self.assertGreaterEqual(count, 10)
        finally:
            subprocess.run([python, "-m", "epindex", "accelerate", "--remove"], stdout=subprocess.DEVNULL, env=env)
            shutil.rmtree(tmp, ignore_errors=True)

"""The backport importlib_metadata's own test suite (from its sdist on PyPI), run with the
backport installed and the accelerator installed, in a throwaway venv cached under the temp
directory (keyed by interpreter and pins). importlib_metadata 10.2 needs Python 3.11+."""
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

PINS = ["importlib_metadata==10.2.0", "pytest==9.2.0", "packaging==26.4", "pyfakefs==6.3.2", "zipp==4.1.2"]


def _venv() -> tuple:
    key = hashlib.sha256(json.dumps([sys.executable, sys.version, PINS, 2]).encode()).hexdigest()[:16]
    root = os.path.join(tempfile.gettempdir(), f"epindex-backport-{key}")
    python = os.path.join(root, "venv", "bin", "python")
    sdist_dir = os.path.join(root, "sdist")
    done = os.path.join(root, ".ready")
    if not os.path.exists(done):
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(sdist_dir)
        subprocess.run([sys.executable, "-m", "venv", os.path.join(root, "venv")], check=True, stdout=subprocess.DEVNULL)
        pip = [python, "-m", "pip", "-q", "--disable-pip-version-check"]
        subprocess.run(pip + ["download", "--no-deps", "--no-binary", ":all:", PINS[0], "-d", sdist_dir], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(pip + ["install", *PINS[1:]], check=True, stdout=subprocess.DEVNULL)
        sdist = os.path.join(sdist_dir, [n for n in os.listdir(sdist_dir) if n.endswith(".tar.gz")][0])
        subprocess.run(pip + ["install", sdist], check=True, stdout=subprocess.DEVNULL)
        shutil.unpack_archive(sdist, sdist_dir, **({"filter": "data"} if sys.version_info >= (3, 12) else {}))
        with open(done, "w"):
            pass
    project = next(os.path.join(sdist_dir, n) for n in os.listdir(sdist_dir) if os.path.isdir(os.path.join(sdist_dir, n)))
    return python, project


@unittest.skipUnless(sys.version_info >= (3, 11), "importlib_metadata 10.2 supports Python 3.11+")
@unittest.skipUnless(os.environ.get("EPINDEX_TEST_BACKPORT") == "1", "npm test runs it on the newest interpreter only (test time)")
class Backport(unittest.TestCase):
    def test_the_backports_suite_passes_with_the_accelerator(self) -> None:
        python, project = _venv()
        site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True).stdout.strip()
        with open(os.path.join(site, "epindex-src.pth"), "w") as f:
            f.write(SRC + "\n")
        tmp = tempfile.mkdtemp(prefix="epindex-bp-")
        try:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("EPINDEX_", "PYTHON"))}
            env.update(EPINDEX_CACHE_DIR=os.path.join(tmp, "cache"), EPINDEX_ACCELERATOR_STATS=os.path.join(tmp, "stats"))
            subprocess.run([python, "-m", "epindex", "accelerate"], check=True, stdout=subprocess.DEVNULL, env=env)
            r = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error::RuntimeWarning", "tests"],
                               cwd=project, env=env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout[-4000:] + r.stderr[-2000:])
            self.assertRegex(r.stdout, r"[1-9][0-9]* passed")
            with open(os.path.join(tmp, "stats")) as f:
                answered = sum(json.loads(line)["answered"] for line in f)
            self.assertGreater(answered, 0)
        finally:
            subprocess.run([python, "-m", "epindex", "accelerate", "--remove"], stdout=subprocess.DEVNULL)
            shutil.rmtree(tmp, ignore_errors=True)

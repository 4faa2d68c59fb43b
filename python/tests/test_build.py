"""The wheel and sdist built by the in-tree backend, installed offline with pip (run for the
interpreters the node:test wrapper chooses: set EPINDEX_TEST_BUILD=1)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tarfile
import unittest
import zipfile

from support import HERE, REPO  # first: it puts src/ on sys.path

import epindex

PROJECT = os.path.dirname(HERE)
DIST_INFO = f"epindex-{epindex.__version__}.dist-info"


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


class Build(unittest.TestCase):
    def test_the_backend_builds_a_wheel_and_an_sdist_on_this_interpreter(self) -> None:
        tmp = tempfile.mkdtemp(prefix="epindex-build-")
        try:
            sys.path.insert(0, os.path.join(PROJECT, "_build"))
            import epindex_build

            sys.path.pop(0)
            wheel = epindex_build.build_wheel(tmp)
            with zipfile.ZipFile(os.path.join(tmp, wheel)) as z:
                names = z.namelist()
                record = z.read(f"{DIST_INFO}/RECORD").decode()
                metadata = z.read(f"{DIST_INFO}/METADATA").decode()
                license_text = z.read(f"{DIST_INFO}/licenses/LICENSE")
            self.assertEqual(wheel, f"epindex-{epindex.__version__}-py3-none-any.whl", "pyproject.toml's version is epindex.__version__")
            self.assertIn("epindex/py.typed", names)
            self.assertIn("epindex/_check_worker.py", names)
            self.assertTrue(all(n in record for n in names))
            self.assertEqual(license_text, read(os.path.join(REPO, "LICENSE")), "the wheel carries the repository's LICENSE (python/LICENSE is a copy)")
            head, _, description = metadata.partition("\n\n")
            fields = [tuple(line.split(": ", 1)) for line in head.split("\n")]
            for field in (("Metadata-Version", "2.4"), ("License-Expression", "MIT"), ("License-File", "LICENSE"),
                          ("Description-Content-Type", "text/markdown; charset=UTF-8"), ("Classifier", "Typing :: Typed"),
                          ("Classifier", f"Programming Language :: Python :: {sys.version_info[0]}.{sys.version_info[1]}")):
                self.assertIn(field, fields)
            self.assertEqual(description, read(os.path.join(PROJECT, "README.md")).decode())
            sdist = epindex_build.build_sdist(tmp)
            self.assertEqual(sdist, f"epindex-{epindex.__version__}.tar.gz")
            with tarfile.open(os.path.join(tmp, sdist)) as t:
                base = f"epindex-{epindex.__version__}"
                self.assertEqual(t.extractfile(f"{base}/LICENSE").read(), license_text)
                self.assertEqual(t.extractfile(f"{base}/PKG-INFO").read().decode(), metadata)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @unittest.skipUnless(os.environ.get("EPINDEX_TEST_BUILD") == "1", "npm test installs on the newest interpreter only (a venv with pip takes seconds)")
    def test_wheel_and_offline_installs(self) -> None:
        tmp = tempfile.mkdtemp(prefix="epindex-build-")
        try:
            sys.path.insert(0, os.path.join(PROJECT, "_build"))
            import epindex_build

            sys.path.pop(0)
            wheel = epindex_build.build_wheel(tmp)
            sdist = epindex_build.build_sdist(tmp)
            with zipfile.ZipFile(os.path.join(tmp, wheel)) as z:
                names = z.namelist()
            self.assertIn("epindex/py.typed", names)
            self.assertIn(f"{DIST_INFO}/RECORD", names)
            self.assertTrue(sdist.endswith(".tar.gz"))
            venv = os.path.join(tmp, "venv")
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
            py = os.path.join(venv, "bin", "python")
            for what in (os.path.join(tmp, wheel), PROJECT):
                r = subprocess.run([py, "-m", "pip", "install", "--no-index", "--force-reinstall", "--no-cache-dir", what], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                r = subprocess.run([py, "-c", "import epindex, os; print(os.path.dirname(epindex.__file__)); epindex.entry_points(group='console_scripts')"],
                                   capture_output=True, text=True, cwd=tmp)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn(venv, r.stdout)
                # The installed distribution carries its LICENSE (PEP 639: .dist-info/licenses/).
                r = subprocess.run([py, "-c", "import importlib.metadata as m, sys; d = m.distribution('epindex'); sys.stdout.write(d.read_text('licenses/LICENSE') or ''); assert str(d.locate_file(''))"],
                                   capture_output=True, text=True, cwd=tmp)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout.encode(), read(os.path.join(REPO, "LICENSE")), what)
                r = subprocess.run([os.path.join(venv, "bin", "epindex"), "list", "--group", "console_scripts", "--json"], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

"""The wheel and sdist built by the in-tree backend, installed offline with pip (run for the
interpreters the node:test wrapper chooses: set EPINDEX_TEST_BUILD=1)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

from support import HERE

PROJECT = os.path.dirname(HERE)


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
                record = z.read("epindex-0.1.0.dist-info/RECORD").decode()
            self.assertEqual(wheel, "epindex-0.1.0-py3-none-any.whl")
            self.assertIn("epindex/py.typed", names)
            self.assertIn("epindex/_check_worker.py", names)
            self.assertTrue(all(n in record for n in names))
            self.assertTrue(epindex_build.build_sdist(tmp).endswith(".tar.gz"))
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
            self.assertIn("epindex-0.1.0.dist-info/RECORD", names)
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
                r = subprocess.run([os.path.join(venv, "bin", "epindex"), "list", "--group", "console_scripts", "--json"], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

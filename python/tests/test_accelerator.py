"""The accelerator in a throwaway venv of this interpreter: start-up cost, exactness against
the unpatched importlib.metadata, fallback on deviations, failure isolation, removal, and
CPython's own importlib.metadata test suites with the accelerator installed."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

from support import MD, SRC, write_tree

ACCELERATED = sys.version_info >= (3, 10)

COMPARE = textwrap.dedent(r'''
    import json, sys, warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    import importlib.metadata as md
    from epindex import _accel
    patched = md.entry_points
    original = getattr(patched, "__wrapped__", patched)
    def key(eps):
        if isinstance(eps, dict):  # SelectableGroups (3.10/3.11) or 3.9's dict
            return ["dict", type(eps).__name__, sorted((g, key(v)) for g, v in eps.items())]
        return [type(eps).__name__, [[type(e).__name__, e.name, e.value, e.group, type(e.dist).__name__, str(e.dist._path)] for e in eps]]
    out = {"patched": patched is not original, "same": [], "differ": []}
    for params in json.loads(sys.argv[1]):
        a, b = key(patched(**params)), key(original(**params))
        (out["same"] if a == b else out["differ"]).append([params, a, b])
    out["stats"] = dict(_accel.stats) if out["patched"] else None
    print(json.dumps(out))
''')

QUERIES = [{"group": "g"}, {"group": "console_scripts"}, {}, {"name": "x"}, {"group": "g", "name": "x"}, {"group": "nope"}, {"value": "a_mod"}]


def make_venv(where: str) -> str:
    """A venv of this interpreter without pip, with epindex's source on its path; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", where], check=True, stdout=subprocess.DEVNULL)
    python = os.path.join(where, "bin", "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True).stdout.strip()
    with open(os.path.join(site, "epindex-src.pth"), "w") as f:
        f.write(SRC + "\n")
    return python


class Accelerator(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.mkdtemp(prefix="epindex-acc-")
        cls.python = make_venv(os.path.join(cls.tmp, "venv"))
        cls.env = dict(os.environ, EPINDEX_CACHE_DIR=os.path.join(cls.tmp, "cache"))
        for k in ("EPINDEX_CACHE", "EPINDEX_FRESHNESS", "PYTHONPATH", "EPINDEX_ACCELERATE"):
            cls.env.pop(k, None)
        r = subprocess.run([cls.python, "-m", "epindex", "accelerate", "--json"], env=cls.env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        cls.site = json.loads(r.stdout)["site"]

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_py(self, code: str, *args: str, pythonpath: str = "", extra_env: dict = None) -> subprocess.CompletedProcess:
        env = dict(self.env, **(extra_env or {}))
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        return subprocess.run([self.python, "-c", code, *args], env=env, capture_output=True, text=True, cwd=self.tmp)

    def fixture(self, name: str, files: dict) -> str:
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        write_tree(d, files)
        return d

    def test_start_up_imports_no_importlib_metadata(self) -> None:
        r = self.run_py("import sys; print('importlib.metadata' in sys.modules, '_epindex_accelerator' in sys.modules, 'epindex' in sys.modules, [getattr(f, '__name__', type(f).__name__) for f in sys.meta_path][:1])")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        expected = "False True False ['PostImportHook']" if ACCELERATED else "False True False ['BuiltinImporter']"
        self.assertEqual(r.stdout.strip(), expected)

    @unittest.skipUnless(ACCELERATED, "3.9: the accelerator stays out of the way (docs/spec.md)")
    def test_accelerated_equals_unpatched_warm_and_cold(self) -> None:
        a = self.fixture("exact-a", {
            "one-1.0.dist-info/METADATA": MD("one", "1.0"), "one-1.0.dist-info/entry_points.txt": "[g]\nx = a_mod\ny = b_mod:f [e]\n[console_scripts]\none = one:main\n",
            "two-2.0.dist-info/METADATA": MD("two", "2.0"), "two-2.0.dist-info/entry_points.txt": "[g]\nx = two_mod\n[other]\nz = z\n",
            "old.egg-info/PKG-INFO": "Name: old\nVersion: 0.1\n", "old.egg-info/entry_points.txt": "[g]\nold = old\n",
            "plain-1.0-py3.egg-info": "Name: plain\nVersion: 1.0\n",
        })
        b = self.fixture("exact-b", {"One-3.0.dist-info/METADATA": MD("One", "3.0"), "One-3.0.dist-info/entry_points.txt": "[g]\nx = shadowed\n",
                                     "three-1.0.dist-info/METADATA": MD("three", "1.0"), "three-1.0.dist-info/entry_points.txt": "[g]\nx = three\n"})
        for phase in ("cold", "warm", "rebuilt"):
            if phase == "rebuilt":
                r = subprocess.run([self.python, "-m", "epindex", "rebuild", "--path", a, b, "--json"], env=self.env, capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
            r = self.run_py(COMPARE, json.dumps(QUERIES), pythonpath=os.pathsep.join([a, b]))
            self.assertEqual(r.returncode, 0, r.stderr)
            out = json.loads(r.stdout)
            self.assertTrue(out["patched"])
            self.assertEqual(out["differ"], [], phase)
            self.assertEqual(len(out["same"]), len(QUERIES))
            self.assertEqual(out["stats"]["answered"], len(QUERIES), out["stats"])

    @unittest.skipUnless(ACCELERATED, "3.9: the accelerator stays out of the way")
    def test_deviations_fall_back_to_importlib(self) -> None:
        cases = {
            "bom": {"bom-1.0.dist-info/METADATA": MD("bom", "1.0"), "bom-1.0.dist-info/entry_points.txt": "\ufeff[g]\nx = a\n[h]\ny = b\n"},
            "leftover": {"foo-0.9.dist-info/entry_points.txt": "[g]\nx = left\n", "foo-1.0.dist-info/METADATA": MD("foo", "1.0"),
                         "foo-1.0.dist-info/entry_points.txt": "[g]\nx = real\n"},
            "several": {"foo-1.0.dist-info/METADATA": MD("foo", "1.0"), "foo-1.0.dist-info/entry_points.txt": "[g]\nx = one\n",
                        "foo-2.0.dist-info/METADATA": MD("foo", "2.0"), "foo-2.0.dist-info/entry_points.txt": "[g]\nx = two\n"},
            # EP113: epindex does not read it, importlib does.
            "over the size limit": {"big-1.0.dist-info/METADATA": MD("big", "1.0"),
                                    "big-1.0.dist-info/entry_points.txt": "[g]\n" + "#" * (4 * 1024 * 1024) + "\nx = big\n[h]\ny = big\n"},
        }
        for name, files in cases.items():
            with self.subTest(name):
                d = self.fixture("dev-" + name, files)
                r = self.run_py(COMPARE, json.dumps([{"group": "g"}, {"group": "h"}]), pythonpath=d)
                self.assertEqual(r.returncode, 0, r.stderr)
                out = json.loads(r.stdout)
                self.assertEqual(out["differ"], [])
                self.assertEqual(out["stats"]["answered"], 0)
                self.assertEqual(out["stats"]["fell_back"], 2)

    @unittest.skipUnless(ACCELERATED, "3.9: the accelerator stays out of the way")
    def test_a_failure_disables_it_with_one_warning(self) -> None:
        code = textwrap.dedent('''
            import warnings, importlib.metadata as md
            from epindex import _accel
            def boom(*a, **k): raise RuntimeError("injected")
            _accel.answer = boom
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                a = md.entry_points(group="console_scripts")
                b = md.entry_points(group="console_scripts")
            print(len([x for x in w if "epindex accelerator disabled" in str(x.message)]), list(a) == list(md.entry_points.__wrapped__(group="console_scripts")) == list(b))
        ''')
        r = self.run_py(code)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(), ["1", "True"])

    @unittest.skipUnless(ACCELERATED, "3.9: the accelerator stays out of the way")
    def test_another_finder_of_distributions_means_fall_back(self) -> None:
        code = textwrap.dedent('''
            import sys, importlib.metadata as md
            from epindex import _accel
            class Finder:
                def find_spec(self, *a): return None
                def find_distributions(self, context=None): return iter(())
            sys.meta_path.append(Finder())
            list(md.entry_points(group="g"))
            print(_accel.stats["answered"], _accel.stats["fell_back"])
        ''')
        r = self.run_py(code)
        self.assertEqual(r.stdout.split(), ["0", "1"], r.stderr)

    def test_cpython_importlib_metadata_suites_pass_with_it(self) -> None:
        if sys.version_info >= (3, 13):
            suites = ["test.test_importlib.metadata.test_api", "test.test_importlib.metadata.test_main", "test.test_importlib.metadata.test_zip"]
        else:
            suites = ["test.test_importlib.test_main", "test.test_importlib.test_metadata_api", "test.test_importlib.test_zip"]
        stats = os.path.join(self.tmp, "suite-stats.jsonl")
        env = dict(self.env, EPINDEX_ACCELERATOR_STATS=stats)
        r = subprocess.run([self.python, "-W", "error::RuntimeWarning", "-m", "unittest", *suites], env=env, capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        self.assertRegex(r.stderr, r"Ran [1-9][0-9]* tests")
        if ACCELERATED:
            with open(stats) as f:
                answered = sum(json.loads(line)["answered"] for line in f)
            self.assertGreater(answered, 0)

    def test_remove_undoes_it(self) -> None:
        tmp = tempfile.mkdtemp(prefix="epindex-acc-rm-")
        try:
            python = make_venv(os.path.join(tmp, "venv"))
            subprocess.run([python, "-m", "epindex", "accelerate"], check=True, stdout=subprocess.DEVNULL, env=self.env)
            r = subprocess.run([python, "-m", "epindex", "accelerate", "--remove", "--json"], check=True, capture_output=True, text=True, env=self.env)
            self.assertFalse(json.loads(r.stdout)["installed"])
            r = subprocess.run([python, "-c", "import sys; print('_epindex_accelerator' in sys.modules)"], capture_output=True, text=True, env=self.env)
            self.assertEqual(r.stdout.strip(), "False")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()

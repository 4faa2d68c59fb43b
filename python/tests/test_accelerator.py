"""The accelerator (docs/spec.md §14.3) in throwaway venvs of this interpreter: every question a
host asks importlib.metadata (distributions(), each distribution's entry_points, name, version,
metadata; entry_points(); version(); distribution()) answered exactly as the unpatched module
answers it, on every installation layout; the staleness of answers inside one process; the
start-up cost; failure isolation; and an `accelerate` that cannot break an environment."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
import zipfile

from support import MD, SRC, write_tree

ACCELERATED = sys.version_info >= (3, 10)
HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(HERE, "accel_probe.py")


def make_venv(where: str, with_epindex: bool = True) -> str:
    """A venv of this interpreter without pip, with epindex's source on its path; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", where], check=True, stdout=subprocess.DEVNULL)
    python = os.path.join(where, "bin", "python")
    if with_epindex:
        with open(os.path.join(site_of(python), "epindex-src.pth"), "w") as f:
            f.write(SRC + "\n")
    return python


def site_of(python: str) -> str:
    return subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True).stdout.strip()


def tree_of(d: str) -> list:
    out = []
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(root, n), d))
    return sorted(out)


#: A site directory with every layout importlib meets (none that would make it block).
LAYOUTS = {
    # Debian's case: a dist-info and an egg-info of one name, side by side (EP206)
    "cryptography-38.0.4.dist-info/METADATA": MD("cryptography", "38.0.4"),
    "cryptography-38.0.4.dist-info/entry_points.txt": "[console_scripts]\ncrypt = cryptography.cli:main\n[g]\nc = crypto\n",
    "cryptography-38.0.4.egg-info/PKG-INFO": "Metadata-Version: 1.2\nName: cryptography\nVersion: 38.0.4\n",
    "cryptography-38.0.4.egg-info/entry_points.txt": "[console_scripts]\ncrypt = cryptography.egg:main\n",
    # a leftover beside the real distribution (which of the two importlib takes is the listing's)
    "foo-0.9.dist-info/entry_points.txt": "[g]\nfoo = left.over\n",
    "foo-1.0.dist-info/METADATA": MD("foo", "1.0"),
    "foo-1.0.dist-info/entry_points.txt": "[g]\nfoo = foo.mod\n[console_scripts]\nfoo = foo:main\n",
    # files importlib reads otherwise than epindex: a BOM, a ';' line, invalid UTF-8, no '='
    "bom-1.0.dist-info/METADATA": MD("bom", "1.0"),
    "bom-1.0.dist-info/entry_points.txt": "\ufeff[g]\nb = bom\n[h]\nb2 = bom\n",
    "semi-1.0.dist-info/METADATA": MD("semi", "1.0"),
    "semi-1.0.dist-info/entry_points.txt": "[g]\n; a comment\nsemi = semi\n",
    "latin-1.0.dist-info/METADATA": MD("latin", "1.0"),
    "latin-1.0.dist-info/entry_points.txt": {"base64": "W2ddCmwgPSBs6QpbaF0KbTIgPSBtCg=="},
    # names and versions: a stem that is not the Name, an unnormalized version, trailing spaces
    "Plain_Pkg-2.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: Plain.Pkg\nVersion: 2.0.0-Beta  \nSummary: s\n\nbody\n",
    "Plain_Pkg-2.0.dist-info/entry_points.txt": "[console_scripts]\nplain = plain:main\n",
    "continued-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: continued\n  more\nVersion: 1.0\n\n",
    "noname-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nVersion: 1.0\n\n",
    "noname-1.0.dist-info/entry_points.txt": "[g]\nnn = noname\n",
    "bommeta-1.0.dist-info/METADATA": "\ufeffMetadata-Version: 2.1\nName: bommeta\nVersion: 1.0\n",
    "empty_md-1.0.dist-info/METADATA": "",
    "empty_md-1.0.dist-info/PKG-INFO": "Name: empty-md\nVersion: 7\n",
    "UPPER-1.0.DIST-INFO/METADATA": MD("upper", "1.0"),
    "UPPER-1.0.DIST-INFO/entry_points.txt": "[g]\nup = upper\n",
    "naïve-1.0.dist-info/METADATA": MD("naïve", "1.0"),
    "naïve-1.0.dist-info/entry_points.txt": "[g]\nnaive = naive\n",
    # old layouts: an egg-info directory without version, an egg-info file, a dist-info file
    "old.egg-info/PKG-INFO": "Metadata-Version: 1.0\nName: old\nVersion: 0.3\n",
    "old.egg-info/entry_points.txt": "[g]\nold = old.mod\n",
    "eggfile-1-py3.egg-info": "Name: eggfile\nVersion: 1\n",
    "afile-1.0.dist-info": "not a directory\n",
    "invalid-1.0.dist-info/METADATA": MD("invalid", "1.0"),
    "invalid-1.0.dist-info/entry_points.txt": "[g]\nbad = not a valid reference\nempty =\n",
}


def layouts(root: str) -> str:
    d = os.path.join(root, "site")
    os.makedirs(d, exist_ok=True)
    write_tree(d, LAYOUTS)
    os.symlink("nowhere", os.path.join(d, "gone-1.0.dist-info"))
    os.symlink("loop-1.0.dist-info", os.path.join(d, "loop-1.0.dist-info"))
    egg = os.path.join(root, "eggdir-1.0-py3.egg")
    write_tree(egg, {"EGG-INFO/PKG-INFO": "Metadata-Version: 1.1\nName: eggdir\nVersion: 1.0\n", "EGG-INFO/entry_points.txt": "[g]\negg = eggdir\n"})
    with zipfile.ZipFile(os.path.join(root, "zipped-2.0-py3.egg"), "w") as z:
        z.writestr("EGG-INFO/PKG-INFO", "Metadata-Version: 1.1\nName: zipped\nVersion: 2.0\n")
        z.writestr("EGG-INFO/entry_points.txt", "[g]\nzip = zipped\n")
    other = os.path.join(root, "other")
    write_tree(other, {"Foo-3.0.dist-info/METADATA": MD("Foo", "3.0"), "Foo-3.0.dist-info/entry_points.txt": "[g]\nfoo = shadowed\n",
                       "three-1.0.dist-info/METADATA": MD("three", "1.0"), "three-1.0.dist-info/entry_points.txt": "[g]\nthree = three\n"})
    return os.pathsep.join([d, egg, os.path.join(root, "zipped-2.0-py3.egg"), other])


SPEC = {"groups": [None, "g", "h", "console_scripts", "nope"], "ep_names": ["foo", "crypt"],
        "names": ["cryptography", "foo", "Plain.Pkg", "plain-pkg", "continued", "noname", "bommeta", "empty_md", "upper", "eggdir",
                  "zipped", "old", "eggfile", "three", "gone", "latin", "naïve", "nothere"]}


@unittest.skipUnless(ACCELERATED, "3.9: accelerate refuses to install (test_accelerate_refuses_where_it_must)")
class Exactness(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.mkdtemp(prefix="epindex-acc-")
        cls.python = make_venv(os.path.join(cls.tmp, "venv"))
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith(("EPINDEX_", "PYTHON"))}
        cls.env["EPINDEX_CACHE_DIR"] = os.path.join(cls.tmp, "cache")
        r = subprocess.run([cls.python, "-m", "epindex", "accelerate", "--json"], env=cls.env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def probe(self, spec: dict, pythonpath: str, accelerated: bool = True, cwd: str = None) -> dict:
        env = dict(self.env, PYTHONPATH=pythonpath)
        if not accelerated:
            env["EPINDEX_ACCELERATE"] = "0"
        r = subprocess.run([self.python, PROBE, json.dumps(spec)], env=env, capture_output=True, text=True, cwd=cwd or self.tmp, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("EP803", r.stderr)
        return json.loads(r.stdout)

    def assert_same(self, spec: dict, pythonpath: str, cwd: str = None) -> dict:
        plain = self.probe(spec, pythonpath, accelerated=False, cwd=cwd)
        acc = self.probe(spec, pythonpath, cwd=cwd)
        stats = acc.pop("stats")
        for key in plain:
            self.assertEqual(acc[key], plain[key], key)
        return stats

    def test_every_question_is_answered_as_importlib_answers_it_cold_warm_and_rebuilt_on_every_layout(self) -> None:
        root = os.path.join(self.tmp, "layouts")
        path = layouts(root)
        for phase in ("cold", "warm", "rebuilt"):
            if phase == "rebuilt":
                r = subprocess.run([self.python, "-m", "epindex", "rebuild", "--path", path, "--json"], env=self.env, capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
            with self.subTest(phase):
                stats = self.assert_same(SPEC, path)
                self.assertGreater(stats["answered"], 0, stats)
                # The zip is searched by importlib itself; files importlib reads otherwise are read
                # for real, one distribution each; nothing else falls back.
                self.assertLessEqual(set(stats["reasons"]), {"a zip archive on the path", "a distribution whose entry_points.txt importlib reads otherwise",
                                                             "a distribution whose name only its metadata gives"}, stats)

    def test_debian_layout_a_dist_info_beside_an_egg_info_never_falls_back(self) -> None:
        site = os.path.join(self.tmp, "debian")
        write_tree(site, {k: v for k, v in LAYOUTS.items() if k.startswith(("cryptography", "foo-1.0", "Plain"))})
        self.probe(SPEC, site)  # writes the cache
        stats = self.assert_same(SPEC, site)
        self.assertEqual(stats["fell_back"], 0, stats)
        self.assertGreater(stats["answered"], 0)

    def test_an_invalid_cache_variable_is_never_a_silent_default_importlib_answers(self) -> None:
        site = os.path.join(self.tmp, "invalid-settings")
        write_tree(site, {k: v for k, v in LAYOUTS.items() if k.startswith(("foo-1.0", "Plain"))})
        for var, value in (("EPINDEX_CACHE", "bogus"), ("EPINDEX_FRESHNESS", "often")):
            with self.subTest(var):
                plain = self.probe(SPEC, site, accelerated=False)
                env = dict(self.env, PYTHONPATH=site, **{var: value})
                r = subprocess.run([self.python, PROBE, json.dumps(SPEC)], env=env, capture_output=True, text=True, cwd=self.tmp, timeout=120)
                self.assertEqual((r.returncode, r.stderr), (0, ""))
                acc = json.loads(r.stdout)
                stats = acc.pop("stats")
                self.assertEqual(acc, {k: v for k, v in plain.items() if k != "stats"})
                self.assertEqual((stats["answered"], set(stats["reasons"])), (0, {f"an invalid ${var}"}), stats)
                self.assertFalse(os.path.exists(os.path.join(site, ".epindex")))

    def test_relative_entries_resolve_against_the_working_directory_of_each_call(self) -> None:
        # W2: '' and a relative entry, then os.chdir: importlib reads the new directory.
        a = os.path.join(self.tmp, "cwd-a")
        b = os.path.join(self.tmp, "cwd-b")
        write_tree(a, {"pa-1.0.dist-info/METADATA": MD("pa", "1.0"), "pa-1.0.dist-info/entry_points.txt": "[epi.test]\npa = pa.plug:P\n",
                       "sub/pr-1.0.dist-info/METADATA": MD("pr", "1.0"), "sub/pr-1.0.dist-info/entry_points.txt": "[epi.test]\npr = pr.plug:P\n"})
        write_tree(b, {"pb-1.0.dist-info/METADATA": MD("pb", "1.0"), "pb-1.0.dist-info/entry_points.txt": "[epi.test]\npb = pb.plug:P\n"})
        code = textwrap.dedent(f'''
            import importlib.metadata as m, os, sys, json
            sys.path[:0] = ["", "sub"]
            out = []
            for d in ({a!r}, {b!r}, {a!r}):
                os.chdir(d)
                out.append([sorted(e.name for e in m.entry_points(group="epi.test")), sorted(str(x._path) for x in m.distributions() if "p" in x.name)])
            print(json.dumps(out))
        ''')
        got = {}
        for mode in ("0", "1"):
            r = subprocess.run([self.python, "-c", code], env=dict(self.env, EPINDEX_ACCELERATE=mode), capture_output=True, text=True, cwd=self.tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            got[mode] = json.loads(r.stdout)
        self.assertEqual(got["1"], got["0"])
        self.assertEqual(got["1"][0][0], ["pa", "pr"])
        self.assertEqual(got["1"][1][0], ["pb"])

    def test_only_a_group_s_answer_is_kept_not_every_distribution_s_entry_points(self) -> None:
        site = os.path.join(self.tmp, "kept")
        write_tree(site, {"alpha-1.0.dist-info/METADATA": MD("alpha", "1.0"), "alpha-1.0.dist-info/entry_points.txt": "[g]\na = alpha\n[h]\nb = alpha\n"})
        code = textwrap.dedent(f'''
            import gc, importlib.metadata as m, json, sys, weakref
            sys.path.insert(0, {site!r})
            def alive(call):
                eps = [e for e in call() if e.group == "g"]
                if not eps or not hasattr(type(eps[0]), "__weakref__"):
                    return None  # 3.10: EntryPoint is a namedtuple
                ref = weakref.ref(eps[0])
                del eps
                gc.collect()
                return ref() is not None
            print(json.dumps([alive(lambda: m.entry_points(name="a")), alive(lambda: m.entry_points(group="g")),
                              alive(lambda: next(d for d in m.distributions() if d.name == "alpha").entry_points)]))
        ''')
        r = subprocess.run([self.python, "-c", code], env=self.env, capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = json.loads(r.stdout)
        if got[0] is not None:
            self.assertEqual(got, [False, True, False])

    def test_answers_follow_installs_uninstalls_reinstalls_and_in_place_edits_in_one_process(self) -> None:
        site = os.path.join(self.tmp, "staleness")
        write_tree(site, {"alpha-1.0.dist-info/METADATA": MD("alpha", "1.0"), "alpha-1.0.dist-info/entry_points.txt": "[g]\na = alpha\n"})
        code = textwrap.dedent(f'''
            import importlib.metadata as m, json, os, shutil, sys, time
            site = {site!r}
            plain = m.MetadataPathFinder.find_distributions
            def ours():
                return [[str(d._path), d.version, [[e.group, e.name, e.value] for e in d.entry_points]] for d in m.distributions(path=[site])]
            def theirs():
                return [[str(d._path), d.version, [[e.group, e.name, e.value] for e in d.entry_points]] for d in plain(m.DistributionFinder.Context(path=[site]))]
            sys.path.insert(0, site)
            steps = []
            def step(what):
                a, b = ours(), theirs()
                steps.append([what, a == b, a])
            step("start")
            time.sleep(2.2)  # past the racy window: the cache is settled
            step("settled")
            os.makedirs(site + "/beta-1.0.dist-info")
            open(site + "/beta-1.0.dist-info/METADATA", "w").write("Name: beta\\nVersion: 1.0\\n")
            open(site + "/beta-1.0.dist-info/entry_points.txt", "w").write("[g]\\nb = beta\\n")
            step("install")
            shutil.rmtree(site + "/beta-1.0.dist-info")
            step("uninstall")
            shutil.copytree(site + "/alpha-1.0.dist-info", site + "/alpha-1.0.tmp")
            shutil.rmtree(site + "/alpha-1.0.dist-info")
            os.rename(site + "/alpha-1.0.tmp", site + "/alpha-1.0.dist-info")
            open(site + "/alpha-1.0.dist-info/entry_points.txt", "w").write("[g]\\na = alpha.reinstalled\\n")
            step("reinstall")
            with open(site + "/alpha-1.0.dist-info/entry_points.txt", "a") as f:
                f.write("a2 = alpha.edited\\n")
            step("in-place edit")
            print(json.dumps(steps))
        ''')
        r = subprocess.run([self.python, "-c", code], env=self.env, capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        steps = json.loads(r.stdout)
        self.assertEqual([s[0] for s in steps if not s[1]], [], json.dumps(steps, indent=1))
        last = steps[-1][2]
        self.assertEqual(last[0][2], [["g", "a", "alpha.reinstalled"], ["g", "a2", "alpha.edited"]])

    def test_a_pickled_distribution_is_the_module_s_own(self) -> None:
        code = "import importlib.metadata as m, pickle; d = next(iter(m.distributions())); e = pickle.loads(pickle.dumps(d)); print(type(e) is m.PathDistribution, e._path == d._path, type(d).__name__, isinstance(d, m.PathDistribution))"
        site = os.path.join(self.tmp, "pickle")
        write_tree(site, {"p-1.0.dist-info/METADATA": MD("p", "1.0")})
        r = subprocess.run([self.python, "-c", code], env=dict(self.env, PYTHONPATH=site), capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(r.stdout.split(), ["True", "True", "PathDistribution", "True"], r.stderr)

    def test_start_up_imports_nothing_but_the_hook(self) -> None:
        r = subprocess.run([self.python, "-c", "import sys; print('importlib.metadata' in sys.modules, '_epindex_accelerator' in sys.modules, 'epindex' in sys.modules, type(sys.meta_path[0]).__name__)"],
                           env=self.env, capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual((r.stdout.split(), r.stderr), (["False", "True", "False", "PostImportHook"], ""))

    def test_a_failure_disables_it_with_one_warning_and_importlib_answers(self) -> None:
        code = textwrap.dedent('''
            import warnings, importlib.metadata as md
            from epindex import _accel
            def boom(*a, **k): raise RuntimeError("injected")
            _accel.answer = boom
            _accel.find = boom
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                a = md.entry_points(group="console_scripts")
                d = [x._path for x in md.distributions()]
                b = md.entry_points(group="console_scripts")
            print(len([x for x in w if "epindex accelerator disabled" in str(x.message)]), list(a) == list(b), len(d) > 0)
        ''')
        site = os.path.join(self.tmp, "failure")
        write_tree(site, {"f-1.0.dist-info/METADATA": MD("f", "1.0"), "f-1.0.dist-info/entry_points.txt": "[console_scripts]\nf = f:main\n"})
        r = subprocess.run([self.python, "-c", code], env=dict(self.env, PYTHONPATH=site), capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(r.stdout.split(), ["1", "True", "True"], r.stderr)

    def test_another_finder_of_distributions_keeps_its_place_in_the_chain(self) -> None:
        code = textwrap.dedent('''
            import sys, importlib.metadata as md
            from epindex import _accel
            class Dist(md.Distribution):
                def read_text(self, f): return "Name: custom\\nVersion: 9\\n" if f in ("METADATA",) else None
                def locate_file(self, p): return p
            class Finder:
                def find_spec(self, *a): return None
                def find_distributions(self, context=None): return iter([Dist()])
            sys.meta_path.append(Finder())
            eps = list(md.entry_points(group="g"))
            names = [d.name for d in md.distributions()]
            print(names[-1], _accel.accelerator_stats()["reasons"].get("another finder on sys.meta_path finds distributions"))
        ''')
        r = subprocess.run([self.python, "-c", code], env=self.env, capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(r.stdout.split(), ["custom", "1"], r.stderr)

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
        with open(stats) as f:
            answered = sum(json.loads(line)["answered"] for line in f)
        self.assertGreater(answered, 0)

    def test_status_says_installed_active_or_inactive_and_why(self) -> None:
        for extra, want in (({}, (True, True, None)), ({"EPINDEX_ACCELERATE": "0"}, (True, False, "EPINDEX_ACCELERATE turns it off"))):
            r = subprocess.run([self.python, "-m", "epindex", "status", "--json", "--path", self.tmp], env=dict(self.env, **extra), capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            acc = json.loads(r.stdout)["accelerator"]
            self.assertEqual((acc["installed"], acc["active"], acc["reason"]), want)


class Accelerate(unittest.TestCase):
    """`python -m epindex accelerate`: where it refuses, what it writes, and that it undoes it."""

    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="epindex-acc-inst-")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("EPINDEX_", "PYTHON"))}
        self.env["EPINDEX_CACHE_DIR"] = os.path.join(self.tmp, "cache")

    def tearDown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def accelerate(self, python: str, *args: str) -> subprocess.CompletedProcess:
        # As `epi accelerate` runs it: epindex importable through a bootstrap path, not by itself.
        boot = f"import sys; sys.path.insert(0, {SRC!r}); from epindex._cli import run; sys.exit(run(sys.argv[1:]))"
        return subprocess.run([python, "-c", boot, "accelerate", *args], env=self.env, capture_output=True, text=True)

    def test_accelerate_refuses_where_it_must_and_writes_nothing(self) -> None:
        python = make_venv(os.path.join(self.tmp, "bare"), with_epindex=False)
        site = site_of(python)
        before = tree_of(site)
        r = self.accelerate(python)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("epindex is not installed in this environment" if ACCELERATED else "Python 3.10 and later", r.stderr)
        self.assertIn("Nothing was installed", r.stderr)
        self.assertEqual(tree_of(site), before)
        # and no program there warns afterwards
        r = subprocess.run([python, "-W", "error", "-c", "import importlib.metadata as m; m.entry_points(); list(m.distributions())"], env=self.env, capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stderr), (0, ""))

    def test_an_interpreter_that_is_no_environment_needs_system(self) -> None:
        base = getattr(sys, "_base_executable", sys.executable)
        r = subprocess.run([base, "-c", "import sys; print(sys.prefix == sys.base_prefix)"], capture_output=True, text=True)
        if r.stdout.strip() != "True":
            self.skipTest("this interpreter's base is itself an environment")
        site = site_of(base)
        before = tree_of(site) if os.path.isdir(site) else []
        r = self.accelerate(base)
        self.assertEqual(r.returncode, 2)
        self.assertIn("Python 3.10 and later" if not ACCELERATED else "is not a virtual environment", r.stderr)
        if ACCELERATED:
            self.assertIn("--system", r.stderr)
        self.assertEqual(tree_of(site) if os.path.isdir(site) else [], before)

    @unittest.skipUnless(ACCELERATED, "3.9: refused")
    def test_remove_restores_the_site_directory_exactly(self) -> None:
        python = make_venv(os.path.join(self.tmp, "venv"))
        site = site_of(python)
        before = tree_of(site)
        r = self.accelerate(python)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("_epindex_accelerator.py", tree_of(site))
        r = self.accelerate(python, "--remove", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(json.loads(r.stdout)["installed"])
        self.assertEqual(tree_of(site), before)

    @unittest.skipUnless(ACCELERATED, "3.9: refused")
    def test_its_files_go_into_epindex_s_record_when_that_is_a_file_it_may_read(self) -> None:
        for size, registered in ((0, True), (5 * 1024 * 1024, False)):
            with self.subTest(record_bytes=size):
                python = make_venv(os.path.join(self.tmp, f"venv-{size}"))
                info = os.path.join(site_of(python), "epindex-0.2.0.dist-info")
                os.mkdir(info)
                record = os.path.join(info, "RECORD")
                text = "epindex/__init__.py,,\r\n" + "x" * size
                with open(record, "w", encoding="utf-8", newline="") as f:
                    f.write(text)
                r = self.accelerate(python, "--json")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(json.loads(r.stdout)["record"], record if registered else None)
                with open(record, encoding="utf-8", newline="") as f:
                    after = f.read()
                if registered:  # what was there kept byte for byte, the hook's files added
                    self.assertTrue(after.startswith(text))
                    self.assertIn("_epindex_accelerator.py,sha256=", after)
                else:  # over the limit of every metadata file: not read, not rewritten
                    self.assertEqual(after, text)
                self.assertEqual(self.accelerate(python, "--remove").returncode, 0)
                with open(record, encoding="utf-8", newline="") as f:
                    self.assertEqual(f.read(), text)

    @unittest.skipUnless(ACCELERATED, "3.9: refused")
    def test_a_hook_whose_package_is_gone_stays_silent(self) -> None:
        python = make_venv(os.path.join(self.tmp, "venv"))
        site = site_of(python)
        self.assertEqual(self.accelerate(python).returncode, 0)
        os.unlink(os.path.join(site, "epindex-src.pth"))  # epindex gone, the hook left behind
        r = subprocess.run([python, "-W", "error", "-c", "import importlib.metadata as m; print(len(m.entry_points(group='g')), len(list(m.distributions())), len(m.distributions().__class__.__name__) > 0)"],
                           env=self.env, capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stderr), (0, ""))

    @unittest.skipUnless(ACCELERATED and os.environ.get("EPINDEX_TEST_BUILD") == "1", "npm test runs the pip install on the newest interpreter only (time)")
    def test_pip_uninstall_epindex_takes_the_hook_with_it(self) -> None:
        where = os.path.join(self.tmp, "pipvenv")
        subprocess.run([sys.executable, "-m", "venv", where], check=True, stdout=subprocess.DEVNULL)
        python = os.path.join(where, "bin", "python")
        pkg = os.path.dirname(SRC)
        subprocess.run([python, "-m", "pip", "-q", "--disable-pip-version-check", "install", "--no-index", pkg], check=True, env=self.env)
        site = site_of(python)
        r = subprocess.run([python, "-m", "epindex", "accelerate"], env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("pip uninstall epindex` removes it too", r.stdout)
        subprocess.run([python, "-m", "pip", "-q", "--disable-pip-version-check", "uninstall", "-y", "epindex"], check=True, env=self.env)
        self.assertEqual([n for n in tree_of(site) if "epindex" in n], [])
        r = subprocess.run([python, "-W", "error", "-c", "import importlib.metadata as m; m.entry_points(group='g'); list(m.distributions())"], env=self.env, capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()

"""Issue 17, the Python side: one test per defect, named after it. The Python reader must be as
distrustful of a cache as the TypeScript reader (docs/spec.md §5.2 "Validation", §5.5, §10):
every column's type, range and shape checked before it is used, reads bounded by offset, the
user cache root trusted only when nobody else controls it, nothing chmod'ed that epindex did
not make, relative path entries resolved at each call."""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

from support import MD, SRC, TempDirTest, write_tree

from epindex import _api, _cache, _userroot
from epindex._cache import read_cache, read_locations, rebuild

IS_ROOT = hasattr(os, "getuid") and os.getuid() == 0
NOBODY = 65534


def site_tree() -> dict:
    return {"a-1.0.dist-info/METADATA": MD("a", "1.0"), "a-1.0.dist-info/entry_points.txt": "[console_scripts]\na = a:main\n[epi.test]\npa = a.plug:P\n",
            "b-1.0.dist-info/METADATA": MD("b", "1.0"), "b-1.0.dist-info/entry_points.txt": "[epi.test]\npb = b.plug:P\n"}


def forge(data: bytes, section: str, fn) -> bytes:
    """The cache with ``section`` replaced by ``fn(its value)`` (or its raw line, when ``fn`` takes
    bytes), every offset and checksum redone, as a forger who knows the format would."""
    nl = data.index(b"\n")
    h = json.loads(data[:nl])
    body = data[nl + 1:]
    lines = {k: body[o:o + n - 1] for k, (o, n, _) in h["sections"].items()}
    got = fn(json.loads(lines[section])) if not getattr(fn, "raw", False) else fn(lines[section])
    lines[section] = got if isinstance(got, bytes) else json.dumps(got, separators=(",", ":"), ensure_ascii=False).encode()
    offset, out = 0, []
    for k in h["sections"]:
        h["sections"][k] = [offset, len(lines[k]) + 1, zlib.crc32(lines[k])]
        offset += len(lines[k]) + 1
        out.append(lines[k] + b"\n")
    h["bodyBytes"] = offset
    h.pop("crc")
    head = json.dumps(h, separators=(",", ":"), ensure_ascii=False).encode()
    head = head[:-1] + b',"crc":' + str(zlib.crc32(head)).encode() + b"}"
    return head + b"\n" + b"".join(out)


def raw(fn):
    fn.raw = True
    return fn


class Reader(TempDirTest):
    """W3, H1, R1, C1: a cache with valid checksums is still checked before it is believed."""

    def setUp(self) -> None:
        super().setUp()
        self.site = os.path.join(self.tmp, "site")
        os.makedirs(self.site)
        write_tree(self.site, site_tree())
        rebuild([self.site])
        self.loc = read_locations(self.site, True)[0]
        with open(self.loc.file, "rb") as f:
            self.original = f.read()
        self.scan = self.names("scan")

    def names(self, policy: str = "only") -> list:
        return sorted(e.name for e in _api.entry_points("epi.test", path=[self.site], policy=policy))

    def plant(self, data: bytes) -> None:
        st = os.stat(self.loc.file)
        with open(self.loc.file + ".tmp", "wb") as f:
            f.write(data)
        os.utime(self.loc.file + ".tmp", ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(self.loc.file + ".tmp", self.loc.file)
        _cache._memo.clear()
        _cache._remembered.clear()

    def assert_rejected(self, data: bytes, code: str = "EP301") -> None:
        self.plant(data)
        self.assertEqual([d.code for d in [read_cache(self.loc, self.site, lambda e: list(e.sections))[1]]], [code])
        # and a lookup answers as the scan does, never from the forged cache
        self.assertEqual(sorted(e.name for e in _api.entry_points("epi.test", path=[self.site], policy="prefer")), self.scan)

    def test_status_verifies_every_section_the_importlib_one_too(self) -> None:
        nl = self.original.index(b"\n")
        offset, length, _ = json.loads(self.original[:nl])["sections"]["importlib"]
        at = nl + 1 + offset + length // 2
        damaged = self.original[:at] + bytes([self.original[at] ^ 0x01]) + self.original[at + 1:]
        self.assertEqual(_cache.cache_status([self.site])[0]["state"], "fresh")
        self.plant(damaged)
        got = _cache.cache_status([self.site])[0]
        self.assertEqual(got["state"], "corrupt", got)

    def test_W3_a_distribution_outside_its_directory_is_never_believed(self) -> None:
        for child in ("../../../etc", "/etc", "", ".", "..", "a/../../b", "x\x00y", "a/b", "@/b", "@s/n/x"):
            with self.subTest(child=child):
                self.assert_rejected(forge(self.original, "g:epi.test", lambda v: {**v, "dists": {**v["dists"], "child": [child] + v["dists"]["child"][1:]}}))
                self.assert_rejected(forge(self.original, "dists", lambda v: {**v, "child": [child] + v["child"][1:]}))

    def test_W3_an_index_of_minus_one_or_true_a_value_that_is_an_integer_a_name_that_is_null(self) -> None:
        cases = {
            "index -1": ("g:epi.test", lambda v: {**v, "eps": {**v["eps"], "dist": [-1] + v["eps"]["dist"][1:]}}),
            "index true": ("g:epi.test", lambda v: {**v, "eps": {**v["eps"], "dist": [True] + v["eps"]["dist"][1:]}}),
            "dists.index true": ("g:epi.test", lambda v: {**v, "dists": {**v["dists"], "index": [True] + v["dists"]["index"][1:]}}),
            "value an integer": ("g:epi.test", lambda v: {**v, "eps": {**v["eps"], "value": [7] + v["eps"]["value"][1:]}}),
            "name null": ("g:epi.test", lambda v: {**v, "eps": {**v["eps"], "name": [None] + v["eps"]["name"][1:]}}),
            "winner 2": ("dists", lambda v: {**v, "winner": [2] + v["winner"][1:]}),
            "a key the format does not have": ("names", lambda v: {**v, "extra": 1}),
            "columns of two lengths": ("dists", lambda v: {**v, "version": v["version"] + ["9"]}),
        }
        for what, (section, fn) in cases.items():
            with self.subTest(what):
                self.assert_rejected(forge(self.original, section, fn))

    def test_H1_string_stamps_are_rejected_at_once_not_multiplied(self) -> None:
        data = forge(self.original, "checks", lambda v: {**v, "stamps": [str(x) for x in v["stamps"]]})
        started = time.monotonic()
        self.assert_rejected(data)
        self.assertLess(time.monotonic() - started, 5)

    def test_C1_a_section_nested_100000_deep_is_EP301_not_a_RecursionError(self) -> None:
        deep = b"[" * 100_000 + b"]" * 100_000
        self.assert_rejected(forge(self.original, "diagnostics", raw(lambda line: deep)))
        self.assert_rejected(forge(self.original, "g:epi.test", raw(lambda line: line.replace(b'"ref":[', b'"ref":[' + deep + b",", 1))))

    def test_R1_a_planted_2_GiB_cache_costs_no_more_than_its_first_read(self) -> None:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open(self.loc.file, "wb") as f:
            f.truncate(2 * 1024 ** 3)  # sparse
        _cache._memo.clear()
        _cache._remembered.clear()
        started = time.monotonic()
        self.assertEqual(read_cache(self.loc, self.site)[1].code, "EP301")
        self.assertEqual(self.names("prefer"), self.scan)
        self.assertLess(time.monotonic() - started, 5)
        grew_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        self.assertLess(grew_kib, 64 * 1024, "the reader allocated the file")

    def test_R1_a_section_longer_than_the_limit_is_refused_before_it_is_read(self) -> None:
        from epindex import _cachefile

        limit = _cachefile.MAX_SECTION_BYTES
        try:
            _cachefile.MAX_SECTION_BYTES = 10
            self.plant(self.original)
            self.assertEqual(read_cache(self.loc, self.site, lambda e: ["g:epi.test"])[1].code, "EP301")
        finally:
            _cachefile.MAX_SECTION_BYTES = limit

    def test_a_valid_cache_is_still_believed(self) -> None:
        self.plant(self.original)
        self.assertEqual(read_cache(self.loc, self.site, lambda e: list(e.sections))[0], "ok")
        self.assertEqual(self.names("only"), self.scan)


@unittest.skipUnless(hasattr(os, "getuid"), "POSIX ownership")
class UserCacheRoot(unittest.TestCase):
    """S1, S2, K2: the user cache root (docs/spec.md §5.5)."""

    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="epindex-root-")
        os.chmod(self.tmp, 0o755)
        self.site = os.path.join(self.tmp, "site")
        os.makedirs(self.site)
        write_tree(self.site, site_tree())
        self._env = dict(os.environ)
        _userroot._verdicts.clear()
        _cache._locations.clear()
        _cache._memo.clear()
        _cache._remembered.clear()

    def tearDown(self) -> None:
        os.environ.clear()
        os.environ.update(self._env)
        _userroot._verdicts.clear()
        _cache._locations.clear()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def lookup(self, **env: str) -> list:
        os.environ.update(env)
        _userroot._verdicts.clear()
        _cache._locations.clear()
        eps = _api.entry_points("epi.test", path=[self.site], policy="auto")
        return sorted({d.code for d in _api._last_diagnostics})

    def test_S1_an_existing_cache_root_keeps_its_mode(self) -> None:
        shared = os.path.join(self.tmp, "shared")
        os.mkdir(shared, 0o755)
        os.chmod(shared, 0o755)
        self.assertNotIn("EP309", self.lookup(EPINDEX_CACHE_DIR=shared))
        self.assertEqual(os.stat(shared).st_mode & 0o777, 0o755)
        made = os.path.join(shared, "entry-points.v4")
        self.assertEqual(os.stat(made).st_mode & 0o777, 0o700, "what epindex makes is private")

    @unittest.skipUnless(sys.version_info >= (3, 10), "3.9: no accelerator")
    def test_S1_an_accelerated_call_keeps_the_root_s_mode_too(self) -> None:
        shared = os.path.join(self.tmp, "shared2")
        os.mkdir(shared)
        os.chmod(shared, 0o755)
        code = ("import sys; sys.path.insert(0, %r)\nfrom epindex import _hook; _hook.install()\nimport importlib.metadata as m\n"
                "assert len(m.entry_points(group='epi.test')) == 2\nfrom epindex import _accel; assert _accel.accelerator_stats()['answered'] > 0") % self.site
        r = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, EPINDEX_CACHE_DIR=shared, PYTHONPATH=SRC), capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.stat(shared).st_mode & 0o777, 0o755)
        self.assertTrue(os.path.isdir(os.path.join(shared, "entry-points.v4")), "the accelerated call used the user cache")

    def test_a_lookup_that_only_reads_makes_no_cache_root_a_write_makes_it_private(self) -> None:
        root = os.path.join(self.tmp, "x", "epi")
        os.environ["EPINDEX_CACHE_DIR"] = root
        _cache.cache_status([self.site])
        self.assertEqual(sorted(e.name for e in _api.entry_points("epi.test", path=[self.site], policy="prefer")), ["pa", "pb"])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x")), "status and a reading lookup make nothing")
        self.assertNotIn("EP309", self.lookup())  # auto writes the user cache: the root made then
        self.assertEqual([os.stat(d).st_mode & 0o777 for d in (os.path.dirname(root), root)], [0o700, 0o700])

    def test_K2_a_relative_EPINDEX_CACHE_DIR_is_refused_and_nothing_appears_here(self) -> None:
        here = os.path.join(self.tmp, "here")
        os.mkdir(here)
        cwd = os.getcwd()
        os.chdir(here)
        try:
            self.assertIn("EP309", self.lookup(EPINDEX_CACHE_DIR="relative/cache"))
        finally:
            os.chdir(cwd)
        self.assertEqual(os.listdir(here), [])

    def test_S2_a_root_writable_by_its_group_is_not_trusted_and_not_tightened(self) -> None:
        loose = os.path.join(self.tmp, "loose")
        os.mkdir(loose)
        os.chmod(loose, 0o775)
        self.assertIn("EP309", self.lookup(EPINDEX_CACHE_DIR=loose))
        self.assertEqual((os.listdir(loose), os.stat(loose).st_mode & 0o777), ([], 0o775))

    def test_S2_a_root_that_is_a_symbolic_link_is_not_followed(self) -> None:
        victim = os.path.join(self.tmp, "victim")
        os.mkdir(victim, 0o700)
        link = os.path.join(self.tmp, "link")
        os.symlink(victim, link)
        self.assertIn("EP309", self.lookup(EPINDEX_CACHE_DIR=link))
        self.assertEqual(os.listdir(victim), [])

    @unittest.skipUnless(IS_ROOT, "needs another user: the tests run as root here and in CI")
    def test_S2_root_never_uses_a_cache_root_another_user_controls(self) -> None:
        # uid 65534's ~/.cache/epindex -> /victim, as `sudo` keeping HOME gives root
        home = os.path.join(self.tmp, "home")
        os.makedirs(os.path.join(home, ".cache"))
        victim = os.path.join(self.tmp, "victim2")
        os.mkdir(victim, 0o755)
        os.symlink(victim, os.path.join(home, ".cache", "epindex"))
        for p in (home, os.path.join(home, ".cache")):
            os.chown(p, NOBODY, NOBODY)
        os.lchown(os.path.join(home, ".cache", "epindex"), NOBODY, NOBODY)
        env = {k: v for k, v in os.environ.items() if k not in ("EPINDEX_CACHE_DIR", "XDG_CACHE_HOME")}
        os.environ.clear()
        os.environ.update(env)
        self.assertIn("EP309", self.lookup(HOME=home))
        self.assertEqual(os.listdir(victim), [])
        # a $XDG_CACHE_HOME and an $EPINDEX_CACHE_DIR another user owns
        for var in ("XDG_CACHE_HOME", "EPINDEX_CACHE_DIR"):
            theirs = os.path.join(self.tmp, "theirs-" + var)
            os.mkdir(theirs, 0o755)
            os.chown(theirs, NOBODY, NOBODY)
            self.assertIn("EP309", self.lookup(**{var: theirs}))
            self.assertEqual(os.listdir(theirs), [], var)
            os.environ.pop(var)

    def test_15_a_directory_without_candidates_gets_no_in_directory_cache(self) -> None:
        empty = os.path.join(self.tmp, "stdlib-like")
        os.mkdir(empty)
        with open(os.path.join(empty, "os.py"), "w"):
            pass
        os.environ["EPINDEX_CACHE_DIR"] = os.path.join(self.tmp, "user")
        _userroot._verdicts.clear()
        [r] = rebuild([empty])
        self.assertFalse(os.path.exists(os.path.join(empty, ".epindex")))
        self.assertEqual(r["outcome"], "written")
        self.assertTrue(r["file"].startswith(os.path.join(self.tmp, "user")))


if __name__ == "__main__":
    unittest.main()

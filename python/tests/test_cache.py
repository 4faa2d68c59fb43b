"""The cache (docs/spec.md §5–§6): every change kind at every freshness level, integrity,
trust, policies, locations, and in-process reuse."""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import zlib

from support import MD, TempDirTest, write_tree

from epindex import _api, _cache
from epindex._cache import cache_status, check_freshness, read_cache, read_locations, rebuild
from epindex._cachefile import CachedEntry


def dist(name: str, version: str, eps: str = "", layout: str = "dist-info") -> dict:
    if layout == "egg-info":
        d = f"{name}.egg-info"
        files = {f"{d}/PKG-INFO": f"Metadata-Version: 1.1\nName: {name}\nVersion: {version}\n"}
    else:
        d = f"{name}-{version}.dist-info"
        files = {f"{d}/METADATA": MD(name, version)}
    if eps:
        files[f"{d}/entry_points.txt"] = eps
    return files


def base_tree() -> dict:
    return {**dist("alpha", "1.0", "[g]\na = alpha.mod\n"), **dist("beta", "2.0"), **dist("gamma", "0.1", "[g]\nc = gamma.mod\n", layout="egg-info"),
            **dist("delta", "1.0", "[h]\nd = delta.mod\n")}


# change -> (what it does, stale at: listing, stat, full)
CHANGES = {
    "install": (lambda r: write_tree(r, dist("new", "1.0", "[g]\nn = new\n")), (True, True, True)),
    "uninstall": (lambda r: shutil.rmtree(os.path.join(r, "alpha-1.0.dist-info")), (True, True, True)),
    "upgrade": (lambda r: os.rename(os.path.join(r, "alpha-1.0.dist-info"), os.path.join(r, "alpha-1.1.dist-info")), (True, True, True)),
    "same-version reinstall": (lambda r: (shutil.rmtree(os.path.join(r, "alpha-1.0.dist-info")), write_tree(r, dist("alpha", "1.0", "[g]\na = alpha.mod\n"))), (True, True, True)),
    "in-place rewrite of entry_points.txt": (lambda r: write_tree(r, {"alpha-1.0.dist-info/entry_points.txt": "[g]\na = alpha.other\n"}), (False, True, True)),
    "entry_points.txt added to an egg-info directory": (lambda r: write_tree(r, {"gamma.egg-info/entry_points.txt": "[g]\nc = gamma.mod\nc2 = x\n"}), (False, True, True)),
    "PKG-INFO rewritten in place": (lambda r: write_tree(r, {"gamma.egg-info/PKG-INFO": "Metadata-Version: 1.1\nName: gamma\nVersion: 0.2\n"}), (False, True, True)),
    "entry_points.txt added by hand to a dist-info": (lambda r: write_tree(r, {"beta-2.0.dist-info/entry_points.txt": "[g]\nb = beta\n"}), (False, False, True)),
    "METADATA edited in place": (lambda r: write_tree(r, {"beta-2.0.dist-info/METADATA": MD("Beta", "2.0")}), (False, False, True)),
}


class Freshness(TempDirTest):
    def test_every_change_at_every_level(self) -> None:
        roots = {}
        for name in CHANGES:
            r = os.path.join(self.tmp, name.replace(" ", "_"))
            os.makedirs(r)
            write_tree(r, base_tree())
            os.mkdir(os.path.join(r, ".epindex"))  # a first build's mkdir would make the entry racy
            roots[name] = r
        # Settle once for all: stamps older than 2 s are not racy, so the levels are what is tested.
        time.sleep(2.1)
        results = rebuild(list(roots.values()))
        self.assertEqual({x["outcome"] for x in results}, {"written"}, results)
        for name, (change, stale_at) in CHANGES.items():
            with self.subTest(name):
                r = roots[name]
                state, opened = read_cache(read_locations(r, True)[0], r)
                self.assertEqual(state, "ok")
                self.assertEqual(opened.entry.stamp_table("checks")[-1], [])  # no racy stamps
                for level in ("listing", "stat", "full"):
                    self.assertTrue(check_freshness(r, opened.entry, level).fresh, level)
                change(r)
                for level, stale in zip(("listing", "stat", "full"), stale_at):
                    f = check_freshness(r, opened.entry, level)
                    self.assertEqual(not f.fresh, stale, f"{level}: {f}")
                # Whatever the level says, a prefer/auto lookup at `full` equals a scan.
                self.assertEqual([(e.name, e.value) for e in _api.entry_points("g", path=[r], freshness="full")],
                                 [(e.name, e.value) for e in _api.entry_points("g", path=[r], policy="scan")])


class Integrity(TempDirTest):
    def _built(self) -> tuple:
        r = os.path.join(self.tmp, "site")
        os.makedirs(r)
        write_tree(r, base_tree())
        rebuild([r])
        loc = read_locations(r, True)[0]
        return r, loc

    def _rewrite(self, loc, fn) -> None:
        with open(loc.file, "rb") as f:
            data = f.read()
        with open(loc.file, "wb") as f:
            f.write(fn(data))
        _cache._memo.clear()
        _cache._remembered.clear()

    def _header_edit(self, data: bytes, fn) -> bytes:
        nl = data.index(b"\n")
        h = json.loads(data[:nl])
        fn(h)
        h.pop("crc")
        head = json.dumps(h, separators=(",", ":"), ensure_ascii=False).encode()
        head = head[:-1] + b',"crc":' + str(zlib.crc32(head)).encode() + b"}"
        return head + data[nl:]

    def test_damage_is_noticed_with_its_code(self) -> None:
        cases = {
            "truncated": (lambda d: d[:-10], "EP301"),
            "longer than its header says": (lambda d: d + b"x", "EP303"),
            "header checksum": (lambda d: d.replace(b'"distributions":4', b'"distributions":5', 1), "EP303"),
            "not JSON": (lambda d: b"garbage\n" + d, "EP301"),
            "foreign version": (lambda d: self._header_edit(d, lambda h: h.update(version=2)), "EP302"),
            "foreign source": (lambda d: self._header_edit(d, lambda h: h.update(source="node")), "EP308"),
            "another directory's cache": (lambda d: self._header_edit(d, lambda h: h.update(realPath="/elsewhere")), "EP308"),
            "the directory replaced (another inode)": (lambda d: self._header_edit(d, lambda h: h["entry"].__setitem__(0, h["entry"][0] + 1)), "EP308"),
        }
        for name, (fn, code) in cases.items():
            with self.subTest(name):
                r, loc = self._built()
                self._rewrite(loc, fn)
                state, got = read_cache(loc, r)
                if code == "EP308":
                    self.assertEqual(state, "ok")
                    self.assertEqual(cache_status([r])[0]["state"], "foreign")
                else:
                    self.assertEqual((state, got.code), ("corrupt", code))
                # The lookup ignores it, says so, and still answers like a scan.
                eps = _api.entry_points("g", path=[r], policy="prefer")
                self.assertEqual([e.name for e in eps], ["a", "c"])
                self.assertIn(code, {d.code for d in _api._last_diagnostics})
                shutil.rmtree(r)

    def test_a_tampered_section_is_found_by_the_lookup_that_reads_it(self) -> None:
        r, loc = self._built()

        def flip(d: bytes) -> bytes:
            # In section g:h (the importlib section holds the value too).
            nl = d.index(b"\n")
            off, _, _ = json.loads(d[:nl])["sections"]["g:h"]
            i = d.index(b'"delta.mod"', nl + 1 + off)
            return d[:i + 1] + b"D" + d[i + 2:]

        self._rewrite(loc, flip)
        state, opened = read_cache(loc, r)
        self.assertEqual(state, "ok")  # the header is intact
        # Section g is intact (listing freshness: a racy re-read would compare every section).
        self.assertEqual([e.name for e in _api.entry_points("g", path=[r], policy="only", freshness="listing")], ["a", "c"])
        eps = _api.entry_points("h", path=[r], policy="prefer")
        self.assertEqual([e.value for e in eps], ["delta.mod"])
        self.assertIn("EP303", {d.code for d in _api._last_diagnostics})
        self.assertEqual(cache_status([r])[0]["state"], "corrupt")

    def _section_edit(self, data: bytes, name: str, fn) -> bytes:
        """The file with section ``name`` replaced by ``fn(its value)``, offsets and CRCs redone."""
        nl = data.index(b"\n")
        h = json.loads(data[:nl])
        body = data[nl + 1:]
        lines = {k: body[o:o + n - 1] for k, (o, n, _) in h["sections"].items()}
        lines[name] = json.dumps(fn(json.loads(lines[name])), separators=(",", ":"), ensure_ascii=False).encode()
        offset, out = 0, []
        for k in h["sections"]:
            h["sections"][k] = [offset, len(lines[k]) + 1, zlib.crc32(lines[k])]
            out.append(lines[k] + b"\n")
            offset += len(lines[k]) + 1
        h["bodyBytes"] = offset
        head = json.dumps(h, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        return self._header_edit(head, lambda _: None) + b"".join(out)

    def test_a_cache_holding_codes_this_reader_does_not_know_is_read(self) -> None:
        # A newer TypeScript writer's codes (EP211 once crashed the reader with KeyError) and
        # one no table has yet: the cache is used, the unknown code counts as a warning.
        r, loc = self._built()
        extra = [[-1, "EP211", "beta-2.0.dist-info/METADATA", None, "METADATA is not valid UTF-8"],
                 [-1, "EP999", None, None, "a code from a newer writer"]]

        def add(d: bytes) -> bytes:
            d = self._section_edit(d, "diagnostics", lambda v: v + extra)
            return self._header_edit(d, lambda h: h.update(codes=sorted(set(h["codes"]) | {"EP211", "EP999"}),
                                                           counts={**h["counts"], "warning": h["counts"]["warning"] + 2}))

        self._rewrite(loc, add)
        self.assertEqual(read_cache(loc, r)[0], "ok")
        self.assertEqual(cache_status([r])[0]["state"], "fresh")
        self.assertEqual([e.name for e in _api.entry_points("g", path=[r], policy="only")], ["a", "c"])
        got = {d.code: d for d in _api.diagnostics(path=[r], policy="only")}
        self.assertEqual((got["EP999"].severity, got["EP211"].severity), ("warning", "warning"))
        self.assertIn("warning EP999 a code from a newer writer", str(got["EP999"]))
        self.assertEqual(got["EP999"].to_json()["severity"], "warning")

    def test_untrusted_caches_are_ignored(self) -> None:
        r, loc = self._built()
        os.chmod(loc.file, 0o664)
        self.assertEqual(read_cache(loc, r)[1].code, "EP304")
        os.chmod(loc.file, 0o644)
        os.rename(loc.file, loc.file + ".real")
        os.symlink(loc.file + ".real", loc.file)
        self.assertEqual(read_cache(loc, r)[1].code, "EP304")


class Policies(TempDirTest):
    def test_policies(self) -> None:
        r = os.path.join(self.tmp, "site")
        os.makedirs(r)
        write_tree(r, base_tree())
        self.assertEqual(list(_api.entry_points("g", path=[r], policy="only")), [])
        self.assertIn("EP307", {d.code for d in _api._last_diagnostics})
        # auto without an in-directory cache writes the user cache, never the directory.
        names = [e.name for e in _api.entry_points("g", path=[r])]
        self.assertEqual(names, ["a", "c"])
        self.assertFalse(os.path.exists(os.path.join(r, ".epindex")))
        user = read_locations(r, True)[1]
        self.assertTrue(os.path.exists(user.file))
        self.assertEqual(os.stat(user.dir).st_mode & 0o777, 0o700)
        self.assertEqual([e.name for e in _api.entry_points("g", path=[r], policy="only")], ["a", "c"])
        # fallback believes a stale cache for a key it has, and rescans for one it lacks.
        write_tree(r, {"alpha-1.0.dist-info/entry_points.txt": "[g]\na = alpha.changed\n[k]\nk = alpha.k\n"})
        self.assertEqual([e.value for e in _api.entry_points("g", "a", path=[r], policy="fallback")], ["alpha.mod"])
        self.assertEqual([e.value for e in _api.entry_points("k", path=[r], policy="fallback")], ["alpha.k"])
        self.assertEqual([e.value for e in _api.entry_points("g", "a", path=[r], policy="prefer")], ["alpha.changed"])
        # an explicit rebuild creates the in-directory cache; lookups read it first.
        rebuild([r])
        self.assertTrue(os.path.exists(os.path.join(r, ".epindex", "entry-points.v4.jsonl")))
        self.assertEqual(_cache.status_of(r)["location"], "in-directory")

    def test_repeated_lookups_rebuild_nothing(self) -> None:
        r = os.path.join(self.tmp, "site")
        os.makedirs(r)
        write_tree(r, base_tree())
        rebuild([r])
        f = os.path.join(r, ".epindex", "entry-points.v4.jsonl")
        before = os.stat(f).st_mtime_ns
        first = list(_api.entry_points("g", path=[r], policy="prefer"))
        view1 = _cache.load_path_entry(r, "prefer", "stat", "g")[0]
        second = list(_api.entry_points("g", path=[r], policy="prefer"))
        view2 = _cache.load_path_entry(r, "prefer", "stat", "g")[0]
        self.assertIsInstance(view1, CachedEntry)
        self.assertIs(view1, view2)
        self.assertEqual(first, second)
        self.assertEqual(os.stat(f).st_mtime_ns, before)

    def test_writes_are_atomic_and_leave_no_temporary(self) -> None:
        r = os.path.join(self.tmp, "site")
        os.makedirs(r)
        write_tree(r, base_tree())
        rebuild([r])
        self.assertEqual(sorted(os.listdir(os.path.join(r, ".epindex"))), ["entry-points.v4.jsonl"])
        self.assertEqual(os.stat(os.path.join(r, ".epindex", "entry-points.v4.jsonl")).st_mode & 0o777, 0o644)

    def test_a_read_only_location_degrades_to_a_scan(self) -> None:
        r = os.path.join(self.tmp, "site")
        os.makedirs(r)
        write_tree(r, base_tree())
        with open(os.path.join(self.tmp, "blocker"), "w"):
            pass
        os.environ["EPINDEX_CACHE_DIR"] = os.path.join(self.tmp, "blocker", "sub")
        _cache._locations.clear()
        self.assertEqual([e.name for e in _api.entry_points("g", path=[r])], ["a", "c"])
        # a root that cannot be made is no trusted root: one EP309, and the lookup scans
        self.assertIn("EP309", {d.code for d in _api._last_diagnostics})


class Locations(TempDirTest):
    def test_user_cache_root_ignores_a_relative_xdg_cache_home(self) -> None:
        if os.name != "posix" or sys.platform == "darwin":
            self.skipTest("the XDG rules are the root of POSIX systems but macOS")
        saved = {k: os.environ.get(k) for k in ("EPINDEX_CACHE_DIR", "XDG_CACHE_HOME", "HOME")}
        try:
            os.environ.pop("EPINDEX_CACHE_DIR")
            os.environ["HOME"] = "/home/someone"
            for xdg, root in (("/xdg", "/xdg/epindex"), ("rel/cache", "/home/someone/.cache/epindex"),
                              (".", "/home/someone/.cache/epindex"), ("", "/home/someone/.cache/epindex")):
                with self.subTest(xdg=xdg):
                    os.environ["XDG_CACHE_HOME"] = xdg
                    from epindex._userroot import configured_root

                    self.assertEqual(configured_root()[0], root)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def test_user_cache_key_is_the_sha256_of_the_path_bytes(self) -> None:
        import hashlib
        for p in ("/srv/site-packages", "/srv/caf\u00e9/site-packages", "/srv/bad\udcff\udcfe/site-packages"):
            with self.subTest(p=p):
                key = hashlib.sha256(os.fsencode(p)).hexdigest()[:40]
                self.assertEqual(os.path.basename(_cache.user_location(p, "/r").file), key + ".jsonl")
        self.assertEqual(os.fsencode("/srv/bad\udcff\udcfe/site-packages"), b"/srv/bad\xff\xfe/site-packages")

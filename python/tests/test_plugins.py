"""Host helpers (docs/spec.md "Host helpers"): lazy one-time load, order, failure isolation,
strict mode, block list, autoload switch."""
from __future__ import annotations

import os
import sys
import warnings

from support import MD, TempDirTest, write_tree

import epindex
from epindex import EntryPointLoadError, EntryPointWarning, plugins


class Plugins(TempDirTest):
    def setUp(self) -> None:
        super().setUp()
        self.site = os.path.join(self.tmp, "site")
        eps = "[host.plugins]\nlate = hp_late:Plugin\nearly = hp_early:Plugin\nplain_b = hp_plain\nplain_a = hp_plain:obj\nbroken = hp_broken\nmissing = hp_nowhere:x\nnoattr = hp_plain:nothing\nblocked = hp_blocked\n"
        write_tree(self.site, {
            "host-1.0.dist-info/METADATA": MD("host", "1.0"), "host-1.0.dist-info/entry_points.txt": eps,
            "hp_late.py": "class Plugin:\n    order = 10\n",
            "hp_early.py": "class Plugin:\n    order = -5\n",
            "hp_plain.py": "obj = object()\nLOADS = globals().get('LOADS', 0) + 1\n",
            "hp_broken.py": "raise RuntimeError('broken at import')\n",
            "hp_blocked.py": "raise AssertionError('a blocked plugin must not be imported')\n",
        })
        sys.path.insert(0, self.site)
        self.addCleanup(lambda: sys.path.remove(self.site))
        for m in ("hp_late", "hp_early", "hp_plain", "hp_broken", "hp_blocked"):
            self.addCleanup(sys.modules.pop, m, None)

    def make(self, **kw):
        return plugins("host.plugins", path=[self.site], block=["blocked"], **kw)

    def test_constructing_loads_nothing(self) -> None:
        p = self.make()
        self.assertNotIn("hp_plain", sys.modules)
        self.assertIn("not loaded", repr(p))

    def test_order_failures_and_block_list(self) -> None:
        p = self.make()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            names = [x.name for x in p]
        # order attribute first (-5, then 0s by name, then 10); failures isolated.
        self.assertEqual(names, ["early", "plain_a", "plain_b", "late"])
        self.assertEqual([f.name for f in p.failures], ["broken", "missing", "noattr"])
        self.assertEqual([type(f.error).__name__ for f in p.failures], ["RuntimeError", "ModuleNotFoundError", "AttributeError"])
        self.assertEqual(p.failures[0].distribution, ("host", "1.0"))
        self.assertEqual([e.name for e in p.blocked], ["blocked"])
        msgs = [str(x.message) for x in w if issubclass(x.category, EntryPointWarning)]
        self.assertEqual(len(msgs), 3)
        self.assertIn("host 1.0", msgs[0])
        self.assertTrue(issubclass(EntryPointWarning, RuntimeWarning))

    def test_loaded_once_until_reload(self) -> None:
        p = self.make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = p.loaded
            self.assertIs(p.loaded[0].obj, first[0].obj)
            self.assertEqual(sys.modules["hp_plain"].LOADS, 1)
            self.assertIn("late", p)
            self.assertIs(p["plain_a"].obj, sys.modules["hp_plain"].obj)
            p.reload()
            self.assertEqual(len(p), 4)

    def test_strict_raises_the_first_failure_with_its_cause(self) -> None:
        with self.assertRaises(EntryPointLoadError) as cm:
            list(self.make(strict=True))
        e = cm.exception
        self.assertEqual((e.group, e.entry_point_name, e.value, e.distribution), ("host.plugins", "broken", "hp_broken", ("host", "1.0")))
        self.assertIsInstance(e.__cause__, RuntimeError)

    def test_autoload_switch(self) -> None:
        for value, disabled in (("1", True), ("yes", True), ("0", False), ("", False)):
            with self.subTest(value=value):
                os.environ["HOST_NO_AUTOLOAD"] = value
                try:
                    p = self.make(disable_env="HOST_NO_AUTOLOAD")
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        self.assertEqual(len(p) == 0, disabled)
                    self.assertEqual(p.disabled_reason is not None, disabled)
                finally:
                    del os.environ["HOST_NO_AUTOLOAD"]

    def test_public_names(self) -> None:
        self.assertIs(epindex.plugins, plugins)
        self.assertEqual(epindex.PluginSet.__name__, "PluginSet")

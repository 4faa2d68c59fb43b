"""epindex._setup_py: setup.py's ``entry_points`` read with ast, never run, on every CPython.

Each row is a setup.py and what the reader must make of it: the literal value (strings with the
source line of each of their lines), or ``computed`` with the line and what is computed. A
setup.py that would do something if run (write a file) proves nothing is executed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
from typing import Any, Dict, List, Optional, Tuple

import support  # noqa: F401  (puts python/src on sys.path)
from epindex import _setup_py

LIMIT = 4 * 1024 * 1024


def plain(node: Optional[Dict[str, Any]]) -> Any:
    """The value as Python literals, each string as (value, [lines])."""
    if node is None:
        return None
    t = node["t"]
    if t == "str":
        return (node["v"], node["lines"])
    if t == "dict":
        return {plain(i["key"])[0] if i["key"]["t"] == "str" else repr(plain(i["key"])): plain(i["value"]) for i in node["items"]}
    if t == "list":
        return [plain(i) for i in node["items"]]
    if t == "none":
        return "None"
    if t == "other":
        return "<%s>" % node["type"]
    return ("computed", node["line"], node["what"])


def read(source: Any) -> Dict[str, Any]:
    data = source if isinstance(source, bytes) else textwrap.dedent(source).lstrip("\n").encode("utf-8")
    return _setup_py.read(data, LIMIT)


def computed(r: Dict[str, Any]) -> List[Tuple[int, str]]:
    out: List[Tuple[int, str]] = []

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            if n.get("t") == "computed":
                out.append((n["line"], n["what"]))
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(r.get("value"))
    walk(r.get("computed"))
    return out


# (rule, setup.py, expected plain value)
LITERALS = [
    ("a dict of lists, `from setuptools import setup`", """
        from setuptools import setup
        setup(
            name="pk",
            entry_points={
                "console_scripts": ["pk = pk.cli:main", "pk-admin=pk.cli:admin [admin]"],
                "pytest11": ["pk = pk.plugin"],
            },
        )
        """, {"console_scripts": [("pk = pk.cli:main", [5]), ("pk-admin=pk.cli:admin [admin]", [5])], "pytest11": [("pk = pk.plugin", [6])]}),
    ("INI text: each line of a triple-quoted string has its own source line", '''
        import setuptools
        setuptools.setup(entry_points="""
        [console_scripts]
        pk = pk.cli:main

        [numba_extensions]
        init = pk:_init
        """)
        ''', ("\n[console_scripts]\npk = pk.cli:main\n\n[numba_extensions]\ninit = pk:_init\n", [2, 3, 4, 5, 6, 7])),
    ("implicit concatenation over lines maps each piece to its own line", """
        from setuptools import setup
        setup(entry_points=(
            "[console_scripts]\\n"
            "pk = pk.cli:main\\n"
        ))
        """, ("[console_scripts]\npk = pk.cli:main\n", [3, 4])),
    ("a name bound once at module level, and a name inside it", """
        from setuptools import setup
        CONSOLE = ("pk = pk:main",)
        ENTRY_POINTS = {"console_scripts": CONSOLE, "pk.plugins": "a = pk.a"}
        setup(entry_points=ENTRY_POINTS)
        """, {"console_scripts": [("pk = pk:main", [2])], "pk.plugins": ("a = pk.a", [3])}),
    ("an annotated binding", """
        from setuptools import setup
        EPS: dict = {"g": ["a = m"]}
        setup(entry_points=EPS)
        """, {"g": [("a = m", [2])]}),
    ("setup imported under another name, inside try/except ImportError", """
        try:
            from setuptools import setup as make
        except ImportError:
            from distutils.core import setup as make
        make(entry_points={"g": ["a = m"]})
        """, {"g": [("a = m", [5])]}),
    ("setuptools imported as another name", """
        import setuptools as st
        st.setup(entry_points={"g": ["a = m"]})
        """, {"g": [("a = m", [2])]}),
    ("distutils.core.setup through the module", """
        import distutils.core
        distutils.core.setup(entry_points={"g": ["a = m"]})
        """, {"g": [("a = m", [2])]}),
    ("setup() under `if __name__ == '__main__'`", """
        from setuptools import setup
        if __name__ == "__main__":
            setup(entry_points={"g": "a = m"})
        """, {"g": ("a = m", [3])}),
    ("dict(...) with keywords is a literal dict", """
        from setuptools import setup
        setup(entry_points=dict(console_scripts=["pk = pk:main"]))
        """, {"console_scripts": [("pk = pk:main", [2])]}),
    ("**kwargs: a dict bound once, holding entry_points", """
        from setuptools import setup
        META = dict(name="pk", version=open("VERSION").read(), entry_points={"g": ["a = m"]})
        setup(**META)
        """, {"g": [("a = m", [2])]}),
    ("**kwargs without entry_points: nothing given", """
        from setuptools import setup
        setup_args = {"long_description": open("README").read()}
        setup(name="pk", **setup_args)
        """, None),
    ("a set keeps one of equal strings", """
        from setuptools import setup
        setup(entry_points={"g": {"a = m", "a = m"}})
        """, {"g": [("a = m", [2])]}),
    ("a repeated key: Python keeps the last value at the first key's place", """
        from setuptools import setup
        setup(entry_points={"g": ["a = m"], "h": ["b = m"], "g": ["c = m"]})
        """, {"g": [("c = m", [2])], "h": [("b = m", [2])]}),
    ("None, numbers and nested lists come back as they are", """
        from setuptools import setup
        setup(entry_points={"g": None, "h": [["a = m"], 3]})
        """, {"g": "None", "h": [[("a = m", [2])], "<int>"]}),
    ("PEP 263: a Latin-1 source is decoded as Python decodes it", "# -*- coding: latin-1 -*-\nfrom setuptools import setup\nsetup(entry_points={'g': ['caf\xe9 = m']})\n".encode("latin-1"),
     {"g": [("caf\xe9 = m", [3])]}),
]

# (rule, setup.py, [(line, what contains)])
COMPUTED = [
    ("a comprehension", """
        from setuptools import setup
        setup(entry_points={"console_scripts": [n + " = pk:main" for n in ("a", "b")]})
        """, [(2, "a comprehension")]),
    ("a function call", """
        from setuptools import setup
        def eps():
            return {}
        setup(
            entry_points=eps(),
        )
        """, [(5, "a call to eps()")]),
    ("%-formatting", """
        from setuptools import setup
        setup(entry_points={"g": ["a = %s:main" % "pk"]})
        """, [(2, "string formatting (%)")]),
    (".format()", """
        from setuptools import setup
        setup(entry_points={"g": ["a = {}:main".format("pk")]})
        """, [(2, "string formatting (.format())")]),
    ("an f-string", """
        from setuptools import setup
        PKG = "pk"
        setup(entry_points={"g": [f"a = {PKG}:main"]})
        """, [(3, "an f-string")]),
    ("a name bound twice", """
        from setuptools import setup
        EPS = {"g": ["a = m"]}
        EPS = {"g": ["b = m"]}
        setup(entry_points=EPS)
        """, [(4, "EPS is bound 2 times (lines 2, 3)")]),
    ("a name bound conditionally", """
        import sys
        from setuptools import setup
        if sys.platform == "win32":
            EPS = {"g": ["a = m"]}
        setup(entry_points=EPS)
        """, [(5, "EPS is bound conditionally (line 4")]),
    ("a name changed after it is bound", """
        from setuptools import setup
        EPS = {"console_scripts": ["a = m:f"]}
        EPS["console_scripts"].append("b = m:g")
        setup(entry_points=EPS)
        """, [(3, "EPS is also used at line 3, where it may be changed")]),
    ("a name rebound with +=", """
        from setuptools import setup
        SCRIPTS = ["a = m:f"]
        SCRIPTS += ["b = m:g"]
        setup(entry_points={"console_scripts": SCRIPTS})
        """, [(4, "SCRIPTS is bound 2 times (lines 2, 3)")]),
    ("an imported name", """
        from setuptools import setup
        from pk.meta import ENTRY_POINTS
        setup(entry_points=ENTRY_POINTS)
        """, [(3, "ENTRY_POINTS is bound at line 2 by an import")]),
    ("a name that is not bound", """
        from setuptools import setup
        setup(entry_points=ENTRY_POINTS)
        """, [(2, "ENTRY_POINTS is not bound")]),
    ("**kwargs from a call", """
        from setuptools import setup
        setup(**get_config())
        """, [(2, "setup() gets **... (a call to get_config())")]),
    ("**kwargs whose keys are computed", """
        from setuptools import setup
        K = "entry_points"
        setup(**{K: {}})
        """, [(3, "keys are not all literal strings")]),
    ("an unpacked dict inside the value", """
        from setuptools import setup
        BASE = {"g": ["a = m"]}
        setup(entry_points={**BASE, "h": ["b = m"]})
        """, [(3, "an unpacked dict")]),
]


class Literals(unittest.TestCase):
    def test_literal_values_with_lines(self) -> None:
        for rule, source, expected in LITERALS:
            with self.subTest(rule):
                r = read(source)
                self.assertNotIn("error", r)
                self.assertEqual(computed(r), [])
                self.assertEqual(len(r["calls"]), 1)
                self.assertEqual(plain(r["value"]), expected)
                self.assertEqual(r["given"], expected is not None)

    def test_repeated_key_is_reported(self) -> None:
        r = read("""
            from setuptools import setup
            setup(entry_points={
                "g": ["a = m"],
                "g": ["c = m"],
            })
            """)
        self.assertEqual(r["value"]["duplicates"], [{"key": "g", "line": 4, "first": 3}])


class Computed(unittest.TestCase):
    def test_computed_values_name_their_line(self) -> None:
        for rule, source, expected in COMPUTED:
            with self.subTest(rule):
                r = read(source)
                self.assertNotIn("error", r)
                got = computed(r)
                self.assertEqual(len(got), len(expected), got)
                for (line, what), (want_line, want) in zip(got, expected):
                    self.assertEqual(line, want_line, what)
                    self.assertIn(want, what)

    def test_setup_calls_are_counted(self) -> None:
        self.assertEqual(read("import os\n")["calls"], [])
        r = read("""
            from setuptools import setup
            if True:
                setup(entry_points={"g": ["a = m"]})
            else:
                setup(entry_points={"g": ["b = m"]})
            """)
        self.assertEqual(r["calls"], [3, 5])
        self.assertIsNone(r["value"])

    def test_a_local_function_named_setup_is_not_setuptools(self) -> None:
        self.assertEqual(read("def setup(**kw):\n    pass\nsetup(entry_points={'g': ['a = m']})\n")["calls"], [])


class Errors(unittest.TestCase):
    def test_syntax_error_names_its_line(self) -> None:
        r = read("from setuptools import setup\nsetup(entry_points={'g': ['a = m']\n")
        self.assertEqual(r["error"]["kind"], "syntax")
        self.assertIsInstance(r["error"]["line"], int)

    def test_bad_encoding(self) -> None:
        r = _setup_py.read(b"x = '\xff'\n", LIMIT)
        self.assertEqual(r["error"]["kind"], "encoding")

    def test_over_the_limit(self) -> None:
        self.assertEqual(_setup_py.read(b"x = 1\n" * 10, 20)["error"]["kind"], "size")

    def test_output_is_bounded(self) -> None:
        # Each name use repeats the string: 4,000 uses of a 4 KiB string would be 16 MiB.
        source = "from setuptools import setup\nS = '%s'\nsetup(entry_points={'g': [%s]})\n" % ("a" * 4096, ", ".join(["S"] * 4000))
        r = _setup_py.read(source.encode(), LIMIT)
        self.assertEqual(r["error"]["kind"], "size")

    def test_deep_nesting_is_an_answer(self) -> None:
        source = "from setuptools import setup\nsetup(entry_points=" + "[" * 150 + "]" * 150 + ")\n"
        r = _setup_py.read(source.encode(), LIMIT)
        self.assertEqual(computed(r), [(2, "a value nested more than %d levels deep" % _setup_py.MAX_DEPTH)])


class NeverRuns(unittest.TestCase):
    def test_the_main_program_reads_stdin_and_runs_nothing(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            marker = os.path.join(tmp, "ran")
            source = "open(%r, 'w').write('x')\nfrom setuptools import setup\nsetup(entry_points={'g': ['a = m']})\n" % marker
            helper = os.path.join(support.SRC, "epindex", "_setup_py.py")
            r = subprocess.run([sys.executable, "-I", "-S", helper, str(LIMIT)], input=source.encode(), capture_output=True, cwd=tmp, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            out = json.loads(r.stdout)
            self.assertEqual(plain(out["value"]), {"g": [("a = m", [3])]})
            self.assertFalse(os.path.exists(marker))


if __name__ == "__main__":
    unittest.main()

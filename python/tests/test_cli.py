"""``python -m epindex`` as epi reads its arguments and prints JSON (docs/spec.md §8, §14.1):
``--path`` repeatable (and ``os.pathsep``-joined), JSON compact unless stdout is a terminal."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import List, Optional, Tuple

from support import MD, SRC, TempDirTest, write_tree


class Cli(TempDirTest):
    def setUp(self) -> None:
        super().setUp()
        self.a = os.path.join(self.tmp, "a")
        self.b = os.path.join(self.tmp, "b\udcff")  # a name that is not UTF-8: JSON must escape it
        write_tree(self.tmp, {"a/x-1.0.dist-info/METADATA": MD("x", "1.0"), "a/x-1.0.dist-info/entry_points.txt": "[g]\nx = x\n"})
        os.makedirs(os.fsencode(os.path.join(self.b, "y-1.0.dist-info")))
        for rel, text in (("METADATA", MD("y", "1.0")), ("entry_points.txt", "[g]\ny = y\n")):
            with open(os.fsencode(os.path.join(self.b, "y-1.0.dist-info", rel)), "w", encoding="utf-8") as f:
                f.write(text)

    def run_cli(self, *args: str, tty: bool = False) -> Tuple[int, str, str]:
        env = {**os.environ, "PYTHONPATH": SRC, "PYTHONDONTWRITEBYTECODE": "1"}
        argv = [sys.executable, "-m", "epindex", *args]
        if not tty:
            r = subprocess.run([os.fsencode(x) for x in argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
            return r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8")
        import pty

        master, slave = pty.openpty()
        try:
            p = subprocess.Popen([os.fsencode(x) for x in argv], env=env, stdout=slave, stderr=subprocess.PIPE)
            os.close(slave)
            chunks: List[bytes] = []
            while True:
                try:
                    b = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not b:
                    break
                chunks.append(b)
            err = p.stderr.read() if p.stderr else b""
            if p.stderr:
                p.stderr.close()
            code = p.wait(timeout=60)
        finally:
            os.close(master)
        return code, b"".join(chunks).decode("utf-8").replace("\r\n", "\n"), err.decode("utf-8")

    def names(self, out: str) -> List[Optional[str]]:
        return [e["name"] for e in json.loads(out)["entryPoints"]]

    def test_path_is_repeatable_and_keeps_its_order(self) -> None:
        for args in ((["--path", self.a, "--path", self.b], ["x", "y"]), (["--path", self.b, "--path", self.a], ["y", "x"]),
                     ([f"--path={self.a}{os.pathsep}{self.b}"], ["x", "y"])):
            with self.subTest(args=args[0]):
                code, out, err = self.run_cli("list", *args[0], "--cache", "scan", "--json")
                self.assertEqual((code, err), (0, ""))
                self.assertEqual(self.names(out), args[1])

    def test_the_older_greedy_form_still_works_with_a_warning(self) -> None:
        code, out, err = self.run_cli("list", "--path", self.a, self.b, "--cache", "scan", "--json")
        self.assertEqual(code, 0)
        self.assertEqual(self.names(out), ["x", "y"])
        self.assertIn("'--path A B' is deprecated", err)

    def test_an_empty_path_entry_is_a_usage_error(self) -> None:
        code, out, err = self.run_cli("list", "--path", self.a + os.pathsep, "--json")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("empty entry", err)

    def test_json_is_compact_on_a_pipe_and_indented_on_a_terminal(self) -> None:
        from epindex._text import js_json

        code, out, err = self.run_cli("list", "--path", self.a, "--path", self.b, "--cache", "scan", "--json")
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out.count("\n"), 1)
        self.assertEqual(out, js_json(json.loads(out)) + "\n")  # JSON.stringify's bytes
        self.assertIn("b\\udcff", out)
        if not hasattr(os, "openpty"):
            self.skipTest("no pseudo-terminals here")
        code, tty_out, err = self.run_cli("list", "--path", self.a, "--path", self.b, "--cache", "scan", "--json", tty=True)
        self.assertEqual((code, err), (0, ""))
        self.assertTrue(tty_out.startswith('{\n  "entryPoints": [\n'), tty_out[:80])
        self.assertEqual(json.loads(tty_out), json.loads(out))

    def test_version_anywhere_before_double_dash_as_epi(self) -> None:
        import epindex

        for args in (["--version"], ["-V"], ["list", "--path", self.a, "--version"], ["check", "-V", "--json"]):
            with self.subTest(args=args):
                self.assertEqual(self.run_cli(*args), (0, epindex.__version__ + "\n", ""))
        code, out, err = self.run_cli("list", "--path", self.a, "--cache", "scan", "--json", "--", "--version")
        self.assertNotEqual(out, epindex.__version__ + "\n")

    def test_typos_get_a_suggestion_as_epi(self) -> None:
        for args, message in ((["lsit"], "epindex: unknown command 'lsit' (did you mean `list`?)\n"),
                              (["stauts"], "epindex: unknown command 'stauts' (did you mean `status`?)\n"),
                              (["xyzzy"], "epindex: unknown command 'xyzzy'\n"),
                              (["list", "--jsn"], "epindex: unknown option '--jsn' (did you mean `--json`?)\n"),
                              (["list", "--cache", "prefr"], "(did you mean `prefer`?)\n")):
            with self.subTest(args=args):
                code, out, err = self.run_cli(*args)
                self.assertEqual((code, out), (2, ""))
                self.assertIn(message, err)
                self.assertTrue(err.endswith("(add --help for usage)\n"), err)

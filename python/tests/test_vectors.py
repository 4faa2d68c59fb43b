"""The shared vectors under test/vectors/ (the TypeScript tests read the same files)."""
from __future__ import annotations

import os
import unittest

from support import TempDirTest, build_vector, content, importlib_entry_points, ours, vectors

from epindex import _api
from epindex._discover import candidate_layout, normalize_name, split_stem
from epindex._reader import read_entry_points

POLICIES = ("scan", "auto", "auto", "prefer", "only", "fallback")


class ReaderVectors(unittest.TestCase):
    def test_every_reader_vector(self) -> None:
        for v in vectors("reader.json"):
            with self.subTest(v["rule"]):
                data = content({"base64": v["base64"]}) if "base64" in v else v["text"].encode("utf-8")
                entries, diags = read_entry_points(data)
                self.assertEqual([[e.group, e.name, e.value, e.line] for e in entries], v["entries"])
                self.assertEqual([[d.code, d.line] for d in diags], v["codes"])


def _listing_position(entry: str, dist_name: str) -> int:
    try:
        names = os.listdir(entry)
    except OSError:
        return 0
    for i, child in enumerate(names):
        if candidate_layout(child, entry.lower().endswith(".egg")) == "egg":
            return i
        if candidate_layout(child, False) is None:
            continue
        stem = split_stem(child[: child.rfind(".")])[0]
        if normalize_name(stem) == normalize_name(dist_name):
            return i
    return 0


def _entry_index(path: list, metadata_path: str) -> int:
    best = max((p for p in path if metadata_path.startswith(p + os.sep) or metadata_path.startswith(p + "/")), key=len)
    return path.index(best)


class TreeVectors(TempDirTest):
    def test_every_tree_vector_under_every_policy(self) -> None:
        for v in vectors("trees.json"):
            with self.subTest(v["rule"]):
                root = os.path.join(self.tmp, str(abs(hash(v["rule"]))))
                os.makedirs(root)
                path = build_vector(root, v)
                expected = sorted(v["entryPoints"], key=lambda r: (r[0], _listing_position(path[r[0]], r[1])))
                for policy in POLICIES:
                    eps = list(_api.entry_points(path=path, policy=policy))
                    got = [[_entry_index(path, str(e.dist._path)), _api.dist_name_version(e.dist)[0], e.group, e.name, e.value] for e in eps]
                    self.assertEqual(got, expected, policy)
                dists = sorted([list(_api.dist_name_version(d)) for d in _api.distributions(path=path)])
                self.assertEqual(dists, sorted(v["distributions"]))
                codes = sorted({d.code for d in _api.diagnostics(path=path, policy="scan")})
                self.assertEqual(codes, sorted(v["codes"]))
                if v["importlibAgrees"]:
                    self.assertEqual(ours(_api.entry_points(path=path, policy="scan")), importlib_entry_points(path))


if __name__ == "__main__":
    unittest.main()

"""Shared test helpers: fixture trees in temp dirs, the shared vectors, importlib as the oracle."""
from __future__ import annotations

import base64
import importlib.metadata as md
import json
import os
import shutil
import sys
import tempfile
import unittest
import zipfile
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VECTORS = os.path.join(REPO, "test", "vectors")
SRC = os.path.join(os.path.dirname(HERE), "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)


def vectors(name: str) -> List[Dict[str, Any]]:
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)["vectors"]


def content(value: Any) -> bytes:
    if isinstance(value, dict):
        return base64.b64decode(value["base64"])
    return value.encode("utf-8")


def write_tree(root: str, files: Dict[str, Any]) -> None:
    for rel, value in files.items():
        p = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(content(value))


def build_vector(root: str, v: Dict[str, Any]) -> List[str]:
    write_tree(root, v["files"])
    for link, target in (v.get("symlinks") or {}).items():
        os.symlink(os.path.join(root, target), os.path.join(root, link))
    for name, files in (v.get("zips") or {}).items():
        with zipfile.ZipFile(os.path.join(root, name), "w") as z:
            for rel, value in files.items():
                z.writestr(rel, content(value))
    for rel in v["path"]:
        if not os.path.exists(os.path.join(root, rel)) and rel != "nowhere":
            os.makedirs(os.path.join(root, rel), exist_ok=True)
    return [os.path.join(root, p) for p in v["path"]]


class TempDirTest(unittest.TestCase):
    """Each test gets a temp dir and its own user cache root."""

    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="epindex-py-")
        self.cache_root = os.path.join(self.tmp, ".user-cache")
        self._env = {k: os.environ.get(k) for k in ("EPINDEX_CACHE_DIR", "EPINDEX_CACHE", "EPINDEX_FRESHNESS")}
        os.environ["EPINDEX_CACHE_DIR"] = self.cache_root
        os.environ.pop("EPINDEX_CACHE", None)
        os.environ.pop("EPINDEX_FRESHNESS", None)
        from epindex import _cache, _lookup

        _lookup._real.clear()
        _cache._memo.clear()
        _cache._remembered.clear()
        _cache._locations.clear()

    def tearDown(self) -> None:
        for k, v in self._env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(self.tmp, ignore_errors=True)


def importlib_entry_points(path: List[str], group: Optional[str] = None) -> List[tuple]:
    """importlib.metadata's own algorithm for an explicit path: unique distributions by
    normalized name (3.10+'s _unique; applied on 3.9 too), their entry points in order."""
    seen = set()
    out = []
    for dist in md.distributions(path=path):
        key = getattr(dist, "_normalized_name", None) or dist.metadata["Name"].lower()
        if key in seen:
            continue
        seen.add(key)
        for ep in dist.entry_points:
            if group is None or ep.group == group:
                out.append((ep.name, ep.value, ep.group, str(dist._path)))
    return out


def ours(eps: Any) -> List[tuple]:
    return [(ep.name, ep.value, ep.group, str(ep.dist._path) if getattr(ep, "dist", None) is not None else None) for ep in eps]


def MD(name: str, version: str) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nbody\n"

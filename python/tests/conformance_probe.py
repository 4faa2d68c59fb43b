"""Run inside an environment (by test/python/conformance.test.ts): compares
``epindex.entry_points()`` under every policy, cold and warm, with importlib.metadata, as
sequences, on this interpreter's own sys.path. Prints one JSON object. (The accelerator is
compared by accel_probe.py, run accelerated and not.)

On 3.10/3.11 importlib's all-groups answer is sorted by group (SelectableGroups); epindex
keeps search-path order, so that comparison sorts epindex's answer by group (stably). On 3.9,
whose entry_points() neither selects nor de-duplicates, importlib's answer is rebuilt from
its own distributions() with 3.10's ``_unique``.
"""
import json
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import importlib.metadata as md  # noqa: E402

import epindex  # noqa: E402

SRC = sys.argv[1] if len(sys.argv) > 1 else None
search = [p for p in sys.path if p != SRC]
sys.path[:] = search


def row(ep):
    d = getattr(ep, "dist", None)
    return [ep.group, ep.name, ep.value, None if d is None else str(d._path)]


def importlib_all():
    patched = md.entry_points
    original = getattr(patched, "__wrapped__", patched)
    if sys.version_info < (3, 10):
        seen, out = set(), []
        for dist in md.distributions():
            key = dist.metadata["Name"]
            key = key.lower().replace("-", "_").replace(".", "_") if key else None
            stem = str(dist._path).rstrip("/").rsplit("/", 1)[-1]
            if stem.lower().endswith((".dist-info", ".egg-info")):
                import re

                key = re.sub(r"[-_.]+", "_", stem.rpartition(".")[0].partition("-")[0]).lower()
            if key in seen:
                continue
            seen.add(key)
            for ep in dist.entry_points:
                r = [ep.group, ep.name, ep.value, str(dist._path)]
                out.append(r)
        return out, original
    eps = original()
    if isinstance(eps, dict):
        return [row(e) for g in eps for e in eps[g]], original
    return [row(e) for e in eps], original


expected, original = importlib_all()
groups = sorted({r[0] for r in expected})
result = {"python": sys.version.split()[0], "entryPoints": len(expected), "groups": len(groups), "differ": [], "compared": 0}


def compare(what, got, want):
    result["compared"] += 1
    if got != want:
        result["differ"].append({"what": what, "onlyEpindex": [r for r in got if r not in want][:5], "onlyImportlib": [r for r in want if r not in got][:5],
                                 "sameSet": sorted(map(json.dumps, got)) == sorted(map(json.dumps, want))})


for policy in ("scan", "auto", "auto", "prefer", "only", "fallback"):
    every = [row(e) for e in epindex.entry_points(policy=policy)]
    if sys.version_info < (3, 12):
        every = sorted(every, key=lambda r: r[0])
        want = sorted(expected, key=lambda r: r[0])
    else:
        want = expected
    compare(f"all groups, policy {policy}", every, want)
    for g in groups:
        compare(f"group {g}, policy {policy}", [row(e) for e in epindex.entry_points(g, policy=policy)], [r for r in expected if r[0] == g])

print(json.dumps(result))

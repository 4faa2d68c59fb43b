"""oracle.py for many search paths in one process, with a per-distribution account when it raises.

Usage: python oracle_batch.py < PATHS_JSON
  PATHS_JSON  a JSON list of search paths (each a JSON list of path entries). FastPath's
              per-root cache is cleared before each.
Prints a JSON list with one result per search path:
  {"entryPoints": [[dist, group, name, value], ...]}
      importlib.metadata.entry_points() returned these (dist: PEP 503 normalized name), as
      oracle.py reports them;
  {"error": "TypeError: ...", "good": [[dist, group, name, value], ...], "bad": [...]}
      entry_points() raised. Then every distribution it uses (`_unique(distributions())`) is
      asked on its own: `good` holds the entry points of those whose `entry_points` works,
      `bad` one {"dist", "file", "error", "oracle"} per distribution whose `entry_points` raises,
      `oracle` being sectioned_batch.evaluate_file's account of its entry_points.txt, or
      {"error": name} when the file itself cannot be read (a damaged zip member: BadZipFile…);
      `dist` is null when even its name cannot be had (a zip distribution without METADATA);
  {"error": "...", "good": null, "bad": null}
      entry_points() raised, and so did listing the distributions one by one.
"""
import email.message  # noqa: F401  (imported before sys.path is replaced by the fixture's)
import email.parser  # noqa: F401
import importlib
import importlib.metadata as md
import itertools
import json
import os
import sys
import tempfile
import warnings

from sectioned_batch import evaluate_file

warnings.simplefilter("ignore", DeprecationWarning)


def dist_name(dist):
    return dist._normalized_name.replace("_", "-")


def evaluate(search_path):
    sys.path[:] = search_path
    importlib.invalidate_caches()
    md.FastPath.__new__.cache_clear()
    try:
        eps = md.entry_points()
        eps = list(itertools.chain.from_iterable(eps.values())) if hasattr(eps, "values") else list(eps)
        return {"entryPoints": [[dist_name(ep.dist), ep.group, ep.name, ep.value] for ep in eps]}
    except Exception as e:  # the oracle's failure is data
        error = "%s: %s" % (type(e).__name__, e)
    try:
        dists = list(md._unique(md.distributions()))
    except Exception:
        return {"error": error, "good": None, "bad": None}
    good, bad = [], []
    for dist in dists:
        try:
            name = dist_name(dist)
        except Exception:
            name = None
        try:
            eps = list(dist.entry_points)
        except Exception as e:
            file = os.path.join(str(dist._path), "entry_points.txt")
            bad.append({"dist": name, "file": file, "error": type(e).__name__, "oracle": account(dist, file)})
        else:
            good.extend([name, ep.group, ep.name, ep.value] for ep in eps)
    return {"error": error, "good": good, "bad": bad}


def account(dist, file):
    """evaluate_file's account of a distribution's entry_points.txt, wherever it lives (a zip too)."""
    if os.path.isfile(file):
        return evaluate_file(file)
    try:
        data = dist._path.joinpath("entry_points.txt").read_bytes()
    except Exception as e:
        return {"error": type(e).__name__}
    with tempfile.TemporaryDirectory(prefix="epindex-oracle-") as d:
        copy = os.path.join(d, "entry_points.txt")
        with open(copy, "wb") as f:
            f.write(data)
        return evaluate_file(copy)


def main():
    paths = json.load(sys.stdin)
    json.dump([evaluate(p) for p in paths], sys.stdout)


if __name__ == "__main__":
    main()

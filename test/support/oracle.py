"""importlib.metadata as the oracle: entry points of a search path, or the error it raises.

Usage: python oracle.py [PATH_JSON]
  PATH_JSON  a JSON list of path entries; without it, the interpreter's own sys.path
             (minus the script directory, as `python -P` has it; nothing is removed under -P).
Prints JSON: {"python": "3.11.7", "entryPoints": [[dist, group, name, value], ...]}
or {"python": ..., "error": "TypeError: ..."} when importlib.metadata raises.
dist is the PEP 503 normalized name of the distribution importlib chose.
"""
import importlib
import importlib.metadata as md
import itertools
import json
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)

if len(sys.argv) > 1:
    sys.path[:] = json.loads(sys.argv[1])
elif not getattr(sys.flags, "safe_path", False):  # under -P / PYTHONSAFEPATH there is no script dir
    del sys.path[0]
importlib.invalidate_caches()
out = {"python": "%d.%d.%d" % sys.version_info[:3]}
try:
    eps = md.entry_points()
    eps = list(itertools.chain.from_iterable(eps.values())) if hasattr(eps, "values") else list(eps)
    out["entryPoints"] = [[ep.dist._normalized_name.replace("_", "-"), ep.group, ep.name, ep.value] for ep in eps]
except Exception as e:  # the oracle's failure is data
    out["error"] = "%s: %s" % (type(e).__name__, e)
json.dump(out, sys.stdout)

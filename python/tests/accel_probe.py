"""Run in a child interpreter (accelerated or not, EPINDEX_ACCELERATE=0): everything a host can
ask importlib.metadata about the environment, printed as JSON, so that two runs compare.

    python accel_probe.py '{"groups": [...], "names": [...], "path": [...] or null}'

Exceptions are part of the answer ("!TypeError: ..."): importlib raises for some inputs, and
the accelerated answer must raise the same.
"""
import json
import os
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import importlib.metadata as md  # noqa: E402


def attempt(f):
    try:
        return f()
    except Exception as e:  # noqa: BLE001 - the exception is the answer
        return f"!{type(e).__name__}: {e}"


def describe_eps(eps, dist=None):
    if isinstance(eps, dict):  # 3.10/3.11 SelectableGroups
        return ["groups", sorted([g, describe_eps(v)] for g, v in eps.items())]
    return [type(eps).__name__, [[type(e).__name__, e.group, e.name, e.value,
                                  str(e.dist._path) if getattr(e, "dist", None) is not None else None,
                                  (e.dist is dist) if dist is not None else None] for e in eps]]


def describe_dist(d):
    return [type(d).__name__, type(d).__module__, isinstance(d, md.PathDistribution), isinstance(d, md.Distribution), str(d._path),
            attempt(lambda: d.name), attempt(lambda: d.version), attempt(lambda: d._normalized_name),
            attempt(lambda: describe_eps(d.entry_points, d)), attempt(lambda: d.metadata["Summary"])]


def main(spec):
    out = {}
    path = spec.get("path")
    if spec.get("all"):  # every group and every distribution name of the environment
        dists = list(md.distributions())
        spec["groups"] = [None] + sorted({e.group for d in dists for e in attempt(lambda: list(d.entry_points)) if not isinstance(e, str)})
        spec["names"] = sorted({n for n in (attempt(lambda: d.name) for d in dists) if isinstance(n, str) and not n.startswith("!")})
    out["distributions"] = attempt(lambda: [describe_dist(d) for d in (md.distributions(path=path) if path is not None else md.distributions())])
    out["again"] = attempt(lambda: [describe_dist(d) for d in md.distributions()])  # a second walk, as pytest makes
    out["entry_points"] = {str(g): attempt(lambda: describe_eps(md.entry_points(**({} if g is None else {"group": g})))) for g in spec.get("groups", [])}
    out["by_name"] = {g: attempt(lambda: describe_eps(md.entry_points(name=g))) for g in spec.get("ep_names", [])}
    out["versions"] = {n: attempt(lambda: [md.version(n), str(md.distribution(n)._path)]) for n in spec.get("names", [])}
    if os.environ.get("EPINDEX_ACCELERATE") != "0":
        from epindex import _accel

        out["stats"] = _accel.accelerator_stats()
    print(json.dumps(out))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))

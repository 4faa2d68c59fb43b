"""One measurement of the Python-hosts benchmark (run by bench/python-hosts.ts inside a
benchmark venv). Prints one JSON object.

    python bench/python-hosts.py first    epindex|importlib|accelerated  GROUP
    python bench/python-hosts.py repeat   epindex|importlib|accelerated  GROUP N
    python bench/python-hosts.py import-epindex

`first`: the first lookup of a fresh process (after its module is imported: the import is
measured by the whole-process numbers). `repeat`: N lookups after a first one; the median.
`accelerated` is importlib.metadata.entry_points with the accelerator installed in the venv,
`importlib` the same function unpatched (``__wrapped__`` when patched).
"""
import json
import statistics
import sys
import time


def lookup(kind):
    if kind == "epindex":
        import epindex

        return lambda g: epindex.entry_points(group=g)
    import importlib.metadata as md

    f = md.entry_points
    if kind == "importlib":
        f = getattr(f, "__wrapped__", f)
    elif not hasattr(f, "__wrapped__"):
        raise SystemExit("the accelerator is not installed in this interpreter")
    return lambda g: f(group=g)


def main(argv):
    what = argv[0]
    if what == "import-epindex":
        t = time.perf_counter()
        import epindex  # noqa: F401

        print(json.dumps({"ms": (time.perf_counter() - t) * 1000}))
        return
    kind, group = argv[1], argv[2]
    f = lookup(kind)
    t = time.perf_counter()
    first = f(group)
    first_ms = (time.perf_counter() - t) * 1000
    out = {"first_ms": first_ms, "count": len(first)}
    if what == "repeat":
        xs = []
        for _ in range(int(argv[3])):
            t = time.perf_counter()
            f(group)
            xs.append((time.perf_counter() - t) * 1000)
        out["median_ms"] = statistics.median(xs)
    if kind == "accelerated":
        from epindex import _accel

        out["accelerator"] = dict(_accel.stats)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])

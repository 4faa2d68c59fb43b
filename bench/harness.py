"""One in-process measurement of one Python peer (run by `npm run bench`, never by hand).

Usage: VENV/bin/python bench/harness.py CONFIG_JSON
  CONFIG_JSON = {"peer": ..., "workload": ..., "dir": ..., "group": ..., "nameGroup": ..., "name": ...,
                 "repeat": 100}

The peer's library is imported first (not timed; whole-process start-up is measured separately),
then sys.path becomes exactly [dir], as the test oracle does, and the lookup is timed with
time.perf_counter_ns from a library state without in-process caches (a fresh process) to the
answer. Prints one JSON object: {"ms": float, "lines": [[group, name, value], ...]}.
pkg_resources and entrypoints keep no raw value, so theirs is re-rendered from module, attr and
extras; the bench compares values after canonicalization (see bench/lib/answers.ts).
"""
import json
import sys
import time
import warnings

warnings.simplefilter("ignore")
cfg = json.loads(sys.argv[1])
peer, workload = cfg["peer"], cfg["workload"]
G, NG, N, R = cfg["group"], cfg["nameGroup"], cfg["name"], cfg.get("repeat", 100)


def raw(eps):
    return [[e.group, e.name, e.value] for e in eps]


if peer in ("importlib.metadata", "importlib_metadata"):
    if peer == "importlib.metadata":
        import importlib.metadata as m
    else:
        import importlib_metadata as m

    def flatten(eps):
        # Python <= 3.11 returns a dict of groups (SelectableGroups) without arguments.
        return [e for g in eps.values() for e in g] if hasattr(eps, "values") else list(eps)

    def run():
        if workload == "group":
            return raw(m.entry_points(group=G))
        if workload == "all":
            return raw(flatten(m.entry_points()))
        if workload == "name":
            return raw(m.entry_points(group=NG, name=N))
        for _ in range(R):
            eps = m.entry_points(group=G)
        return raw(eps)

elif peer == "pkg_resources":
    import pkg_resources as p

    def render(group, e):
        v = e.module_name + (":" + ".".join(e.attrs) if e.attrs else "")
        if e.extras:
            v += " [" + ",".join(e.extras) + "]"
        return [group, e.name, v]

    def run():
        # What `import pkg_resources` does: a WorkingSet over sys.path (the scan), then the lookup.
        ws = p.WorkingSet(sys.path)
        if workload == "group":
            return [render(G, e) for e in ws.iter_entry_points(G)]
        if workload == "all":
            return [render(g, e) for d in ws for g, em in d.get_entry_map().items() for e in em.values()]
        if workload == "name":
            return [render(NG, e) for e in ws.iter_entry_points(NG, N)]
        for _ in range(R):
            eps = list(ws.iter_entry_points(G))
        return [render(G, e) for e in eps]

elif peer == "stevedore":
    from stevedore import _cache as c

    def run():
        # The module-level cache object: an empty in-process dict in a fresh process; the
        # file cache under $XDG_CACHE_HOME is cold or warm as the bench prepared it.
        if workload == "group":
            return raw(c.get_group_all(G))
        if workload == "name":
            # get_single() returns the group's first entry point whatever the name (stevedore
            # bug, `if name == name`), so the lookup by name goes through get_group_named().
            eps = c.get_group_named(NG)
            return raw([eps[N]] if N in eps else [])
        for _ in range(R):
            eps = c.get_group_all(G)
        return raw(eps)

elif peer == "entrypoints":
    import entrypoints as ep

    def render(group, e):
        v = e.module_name + (":" + e.object_name if e.object_name else "")
        if e.extras:
            v += " [" + ",".join(e.extras) + "]"
        return [group, e.name, v]

    def run():
        if workload == "group":
            return [render(G, e) for e in ep.get_group_all(G)]
        if workload == "name":
            try:
                return [render(NG, ep.get_single(NG, N))]
            except ep.NoSuchEntryPoint:
                return []
        for _ in range(R):
            eps = ep.get_group_all(G)
        return [render(G, e) for e in eps]

elif peer == "pluggy":
    import importlib.metadata as m
    import pluggy

    loaded = []

    class Plugin:
        pass

    def fake_load(self):
        # Measure pluggy's scan, not the plugins' imports: record the entry point, return a
        # fresh empty plugin object for register().
        loaded.append(self)
        return Plugin()

    m.EntryPoint.load = fake_load

    def run():
        n = 1 if workload in ("group", "name") else R
        for _ in range(n):
            loaded.clear()
            pm = pluggy.PluginManager("bench")
            if workload == "name":
                pm.load_setuptools_entrypoints(NG, name=N)
            else:
                pm.load_setuptools_entrypoints(G)
        return raw(loaded)

else:
    raise SystemExit("unknown peer %r" % peer)

sys.path[:] = [cfg["dir"]]
t0 = time.perf_counter_ns()
lines = run()
t1 = time.perf_counter_ns()
json.dump({"ms": (t1 - t0) / 1e6, "lines": lines}, sys.stdout)

"""The floor under "every dist.entry_points": what making the EntryPoint objects alone costs.

Run with a venv's python (for example one of bench/.work/python-hosts/venvs/*/bin/python):
``python bench/entrypoint-floor.py [N]`` (N entry points, 31,603 by default: the 5,000-
distribution environment (b) of bench:python). Prints CPU ms of N objects made the cheapest way
the accelerator knows (``object.__new__`` and one ``__dict__.update``, as epindex/_accel.py does)
and through ``EntryPoint.__init__``, and the garbage collector's CPU while they are made.
Informative, not a test: docs/benchmarks.md quotes it.
"""
import gc
import importlib.metadata as m
import sys
import time


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 31603
    names = [f"name{i}" for i in range(n)]
    values = [f"module{i}:attr" for i in range(n)]
    gc_ms = [0.0]
    start = [0.0]

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            start[0] = time.process_time()
        else:
            gc_ms[0] += 1000 * (time.process_time() - start[0])

    gc.callbacks.append(watch)
    ep_cls, new = m.EntryPoint, object.__new__
    t0 = time.process_time()
    kept = []
    for i in range(n):
        ep = new(ep_cls)
        ep.__dict__.update(name=names[i], value=values[i], group="group", dist=None)
        kept.append(ep)
    t1 = time.process_time()
    bypass_gc = gc_ms[0]
    kept2 = [ep_cls(names[i], values[i], "group") for i in range(n)]
    t2 = time.process_time()
    print(f"{n} EntryPoints: object.__new__ + __dict__.update {1000 * (t1 - t0):.1f} ms "
          f"(GC {bypass_gc:.1f} ms of it); EntryPoint.__init__ {1000 * (t2 - t1):.1f} ms "
          f"(GC {gc_ms[0] - bypass_gc:.1f} ms of it); python {sys.version.split()[0]}")
    del kept, kept2


if __name__ == "__main__":
    main()

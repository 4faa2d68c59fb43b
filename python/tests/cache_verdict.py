"""The Python side of test/cache/readers-agree.test.ts: reads JSON lines ``{"file", "dir"}`` on
stdin and answers each with one JSON line: the verdict of the cache reader on that file (its
header and every section both readers read: "ok" or the code it rejects it with) and the
entry points a ``prefer`` lookup of ``dir`` gives. Never anything else: an exception here is a
defect the test reports."""
import json
import os
import sys

sys.setrecursionlimit(1000)  # the interpreter's default, whatever the runner set


def verdict(file: str) -> str:
    from epindex._cachefile import OPEN_FLAGS, CacheError, CachedEntry, identity, read_header

    fd = os.open(file, OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        try:
            head, header = read_header(fd, st.st_size)
            entry = CachedEntry(file, identity(st), head, header, os.path.dirname(os.path.dirname(file)), divmod(st.st_mtime_ns, 10**9))
            entry.fd = fd
            entry.load([n for n in entry.sections if n != "importlib"])
        except CacheError as e:
            return e.code
        return "ok"
    finally:
        os.close(fd)


def main() -> None:
    import epindex
    from epindex import _cache
    from epindex._api import dist_name_version

    for line in sys.stdin:
        q = json.loads(line)
        _cache._memo.clear()
        _cache._remembered.clear()
        v = verdict(q["file"])
        eps = [[e.group, e.name, e.value, dist_name_version(e.dist)[0]] for e in epindex.entry_points(path=[q["dir"]], policy="prefer", freshness="listing")]
        sys.stdout.write(json.dumps({"verdict": v, "entryPoints": eps}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

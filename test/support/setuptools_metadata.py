"""What setuptools writes to entry_points.txt for each project directory: its egg_info
command's file, as `prepare_metadata_for_build_wheel` (PEP 517) leaves it in the .dist-info.

Usage: python setuptools_metadata.py < DIRS_JSON
  DIRS_JSON  ["project directory", ...]
Prints a JSON list, one per directory: {"entryPoints": text or null, "warnings": [...]} or
{"error": "ExceptionType: message"}. Each directory is built in its own child process
(setup.py runs there: setuptools keeps state between runs), offline, without isolation.
"""
import json
import os
import subprocess
import sys
import tempfile

CHILD = r'''
import json, os, sys, tempfile, warnings, io, contextlib
import setuptools.build_meta as backend
out = tempfile.mkdtemp(prefix="epindex-metadata-")
log = io.StringIO()
result = {}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            name = backend.prepare_metadata_for_build_wheel(out)
        path = os.path.join(out, name, "entry_points.txt")
        result["entryPoints"] = open(path, encoding="utf-8", newline="").read() if os.path.exists(path) else None
    except BaseException as e:  # a failed build is an answer (SystemExit included)
        result["error"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
result["warnings"] = sorted({str(w.message).splitlines()[0] for w in caught if "defined outside of" in str(w.message)})
sys.__stdout__.write(json.dumps(result))
'''


def main():
    results = []
    for d in json.load(sys.stdin):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        r = subprocess.run([sys.executable, "-c", CHILD], cwd=d, capture_output=True, text=True, env=env, timeout=120)
        try:
            results.append(json.loads(r.stdout))
        except ValueError:
            results.append({"error": "the build process failed (%d): %s" % (r.returncode, r.stderr[-2000:])})
    json.dump(results, sys.stdout)


main()

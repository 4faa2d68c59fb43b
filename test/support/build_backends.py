"""Build wheels with real PEP 517 backends and report each wheel's entry_points.txt.

Usage: python build_backends.py < JOBS_JSON
  JOBS_JSON  [{"dir": project directory, "backend": "setuptools.build_meta" | "hatchling.build" | "flit_core.buildapi"}, ...]
Prints a JSON list, one per job: {"entryPoints": text or null, "wheel": file name} or {"error": message}.
Each build runs in its project directory, offline (the backends are already installed; no isolation).
"""
import importlib
import json
import os
import sys
import tempfile
import traceback
import zipfile


def build(job):
    backend = importlib.import_module(job['backend'])
    out = tempfile.mkdtemp(prefix='epindex-wheel-')
    cwd = os.getcwd()
    os.chdir(job['dir'])
    try:
        name = backend.build_wheel(out)
    finally:
        os.chdir(cwd)
    with zipfile.ZipFile(os.path.join(out, name)) as z:
        found = [n for n in z.namelist() if n.count('/') == 1 and n.endswith('.dist-info/entry_points.txt')]
        text = z.read(found[0]).decode('utf-8') if found else None
    return {'entryPoints': text, 'wheel': name}


def main():
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # backends log to stdout
    results = []
    for job in json.load(sys.stdin):
        try:
            results.append(build(job))
        except BaseException as e:  # a failed build is an answer (SystemExit included)
            results.append({'error': '%s: %s' % (type(e).__name__, e), 'trace': traceback.format_exc()[-2000:]})
    json.dump(results, real_stdout)


main()

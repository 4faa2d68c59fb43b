"""Every entry_points.txt reader this interpreter has, on many inputs in one process.

Usage: python lint_readers.py [--backport] < INPUTS_JSON
  INPUTS_JSON  a JSON list of base64-encoded file contents (bytes, as on disk).
Prints a JSON object {"python": "3.X.Y", "readers": [names], "results": [...]} with one result
per input: {reader: {"ok": [[group, name, value], ...]} or {"error": "ExceptionName"}}.

Readers (each only where it can be imported):
  importlib        the stdlib importlib.metadata: a dist-info directory holding the bytes, found
                   with distributions(path=[dir]); `dist.entry_points` as a list (3.9 reads with
                   ConfigParser, 3.10+ with the one-pass Sectioned reader, validating lazily)
  importlib_metadata  with --backport, the PyPI backport instead of the stdlib reader (8.7
                   validates at construction, as CPython 3.15 does). Importing the backport
                   replaces the stdlib's finder, so one process runs one of the two.
  configparser     ConfigParser(delimiters=('=',)) with optionxform=str, read_string of the
                   strictly decoded text: the spec's settings, as pypa/installer and entrypoints read
  pkg_resources    EntryPoint.parse_map of the strictly decoded text (setuptools <= 81)
"""
import base64
import json
import os
import sys
import tempfile
import warnings

warnings.simplefilter('ignore')

readers = {}


def _triples(eps):
    return [[ep.group, ep.name, ep.value] for ep in eps]


def _importlib_reader(module):
    def read(data, tmp):
        d = os.path.join(tmp, 'probe-1.0.dist-info')
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, 'METADATA'), 'w') as f:
            f.write('Metadata-Version: 2.1\nName: probe\nVersion: 1.0\n')
        with open(os.path.join(d, 'entry_points.txt'), 'wb') as f:
            f.write(data)
        dists = list(module.distributions(path=[tmp]))
        return _triples(list(dists[0].entry_points))
    return read


if '--backport' in sys.argv[1:]:
    import importlib_metadata  # noqa: E402

    readers['importlib_metadata'] = _importlib_reader(importlib_metadata)
else:
    import importlib.metadata as stdlib_metadata  # noqa: E402

    readers['importlib'] = _importlib_reader(stdlib_metadata)


def _configparser(data, tmp):
    import configparser

    parser = configparser.ConfigParser(delimiters=('=',))
    parser.optionxform = str
    parser.read_string(data.decode('utf-8'))
    return [[g, n, v] for g in parser.sections() for n, v in parser.items(g)]


readers['configparser'] = _configparser

try:
    import pkg_resources  # noqa: E402

    def _pkg_resources(data, tmp):
        out = []
        for group, eps in pkg_resources.EntryPoint.parse_map(data.decode('utf-8')).items():
            for name, ep in eps.items():
                value = ep.module_name + (':' + '.'.join(ep.attrs) if ep.attrs else '')
                if ep.extras:
                    value += ' [' + ','.join(ep.extras) + ']'
                out.append([group, name, value])
        return out

    readers['pkg_resources'] = _pkg_resources
except ImportError:
    pass


def main():
    inputs = json.load(sys.stdin)
    results = []
    for b64 in inputs:
        data = base64.b64decode(b64)
        one = {}
        for name, read in readers.items():
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    one[name] = {'ok': read(data, tmp)}
                except Exception as e:  # every reader failure is an answer
                    one[name] = {'error': type(e).__name__}
        results.append(one)
    json.dump({'python': '%d.%d.%d' % sys.version_info[:3], 'readers': list(readers), 'results': results}, sys.stdout)


main()

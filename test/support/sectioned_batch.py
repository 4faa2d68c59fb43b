"""importlib.metadata's entry_points.txt reader as an oracle, for many inputs in one process.

Usage: python sectioned_batch.py < INPUTS_JSON
  INPUTS_JSON  a JSON list of base64-encoded file contents (bytes, as they would be on disk).
Prints a JSON list with one result per input:
  {"ok": [[group, name, value], ...], "firstHeader": n or null}
      importlib.metadata returned these entry points (in its order); `firstHeader` is the line of
      the first section header;
  {"error": "TypeError", "lines": [[line, code], ...], "firstHeader": n, "repaired": [[g, n, v], ...]}
      importlib.metadata raised TypeError. `lines` are the 1-based lines (str.splitlines numbering)
      that make it raise: after the first section header, a stripped line that is neither empty,
      a `#` comment nor a header and has no `=`; code is EP103 when it starts with `;`, else
      EP104. `firstHeader` is the line of the first header. `repaired` is importlib's own result
      for the text with exactly those lines deleted (it must not raise: checked here);
  {"error": "UnicodeDecodeError", "start": byte offset, "line": n}
      the bytes are not strict UTF-8; `line` is the 1-based line of the first invalid byte.

Each input is written to a file and read with `Path.read_text(encoding='utf-8')`, exactly as
`PathDistribution.read_text` does (strict UTF-8, universal newlines), then parsed with
`importlib.metadata.EntryPoints._from_text` (i.e. `Sectioned.section_pairs`).
"""
import base64
import json
import pathlib
import sys
import tempfile
from importlib.metadata import EntryPoints


def triples(text):
    return [[ep.group, ep.name, ep.value] for ep in EntryPoints._from_text(text)]


def offending_lines(text):
    """The lines Sectioned.section_pairs cannot pair; the whole call raises TypeError on the first."""
    out = []
    first_header = None
    for number, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if not s or s.startswith('#'):
            continue
        if s.startswith('[') and s.endswith(']'):
            if first_header is None:
                first_header = number
            continue
        if first_header is not None and '=' not in s:
            out.append([number, 'EP103' if s.startswith(';') else 'EP104'])
    return out, first_header


def evaluate_text(text):
    bad, first_header = offending_lines(text)
    try:
        result = triples(text)
    except TypeError:
        if not bad:
            raise AssertionError('importlib raised TypeError but no offending line was found: %r' % text)
        deleted = {n for n, _ in bad}
        kept = '\n'.join(l for n, l in enumerate(text.splitlines(), 1) if n not in deleted)
        return {'error': 'TypeError', 'lines': bad, 'firstHeader': first_header, 'repaired': triples(kept)}
    if bad:
        raise AssertionError('offending lines %r but importlib did not raise: %r' % (bad, text))
    return {'ok': result, 'firstHeader': first_header}


def evaluate_file(path):
    """What importlib does with the entry_points.txt at `path` (read as PathDistribution does)."""
    try:
        text = pathlib.Path(path).read_text(encoding='utf-8')
    except UnicodeDecodeError:
        data = pathlib.Path(path).read_bytes()
        try:
            data.decode('utf-8')  # offsets of read_text's error are relative to its read chunk
        except UnicodeDecodeError as e:
            start = e.start
        else:
            raise AssertionError('read_text failed to decode what bytes.decode accepts')
        # The line of the first invalid byte: line breaks (str.splitlines) in the valid prefix, plus one.
        line = len((data[:start].decode('utf-8') + 'x').splitlines())
        return {'error': 'UnicodeDecodeError', 'start': start, 'line': line}
    return evaluate_text(text)


def main():
    inputs = json.load(sys.stdin)
    results = []
    with tempfile.TemporaryDirectory(prefix='epindex-sectioned-') as d:
        f = pathlib.Path(d, 'entry_points.txt')
        for b64 in inputs:
            f.write_bytes(base64.b64decode(b64))
            results.append(evaluate_file(f))
    json.dump(results, sys.stdout)


if __name__ == '__main__':
    main()

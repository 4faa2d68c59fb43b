"""``python -m epindex``: list, rebuild, status, check, accelerate — for environments without Node.

Exit codes as epi's: 0 success, 1 "found a problem / found nothing", 2 usage or operational error.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any, List, NoReturn, Optional, Sequence


class _PathList(argparse.Action):
    """``--path``, as epi reads it (src/cli/args.ts ``pathList``): repeatable, each value possibly
    several entries joined with ``os.pathsep``, an empty entry a usage error; the older form
    ``--path A B`` still works, with a warning saying how to write it now."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option_string: Optional[str] = None) -> None:
        got = list(getattr(namespace, self.dest, None) or [])
        for v in values:
            parts = v.split(os.pathsep)
            if any(p == "" for p in parts):
                parser.error(f"option '--path' has an empty entry in {json.dumps(v, ensure_ascii=False)}")
            got.extend(parts)
        if len(values) > 1:
            note = f"'--path A B' is deprecated: write '--path A --path B' or '--path A{os.pathsep}B'"
            warnings = getattr(namespace, "_warnings", None)
            if warnings is None:
                warnings = []
                setattr(namespace, "_warnings", warnings)
            if note not in warnings:
                warnings.append(note)
        setattr(namespace, self.dest, got)


def _path_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--path", nargs="+", action=_PathList, metavar="DIR",
                   help=f"search these path entries, in order, instead of sys.path (repeatable; or several joined with '{os.pathsep}')")


def _env_options(p: argparse.ArgumentParser, cache: bool = True) -> None:
    _path_option(p)
    if cache:
        p.add_argument("--cache", choices=["scan", "only", "prefer", "fallback", "auto"], help="lookup policy (default auto, or $EPINDEX_CACHE)")
    p.add_argument("--freshness", choices=["listing", "stat", "full"], help="freshness level (default stat, or $EPINDEX_FRESHNESS)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _closest(word: str, candidates: Sequence[str]) -> Optional[str]:
    """The closest candidate to ``word`` when it is a likely typo: epi's rule (src/cli/args.ts
    ``closest``): edit distance, a swap of neighbours one edit, a prefix of two or more
    characters one edit; at most a third of the word and at most 3."""
    def distance(a: str, b: str) -> int:
        prev2: List[int] = []
        prev = list(range(len(b) + 1))
        for i in range(1, len(a) + 1):
            row = [i]
            for j in range(1, len(b) + 1):
                row.append(min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])))
                if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                    row[j] = min(row[j], prev2[j - 2] + 1)
            prev2, prev = prev, row
        return prev[len(b)]

    best, best_d = None, 1 << 30
    for c in candidates:
        d = 1 if c.startswith(word) and len(word) >= 2 else distance(word, c)
        if d < best_d:
            best, best_d = c, d
    return best if best is not None and best_d <= min(3, max(1, len(word) // 3)) else None


def _did_you_mean(word: str, candidates: Sequence[str]) -> str:
    c = _closest(word, candidates)
    return "" if c is None else f" (did you mean `{c}`?)"


class _Parser(argparse.ArgumentParser):
    """Usage errors as epi words them (``epi: unknown command 'lsit' (did you mean `list`?)``),
    exit 2; subcommand parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        m = re.search(r"invalid choice: (['\"]?)(.*?)\1 \(choose from (.*)\)$", message)
        if m is not None:
            choices = re.findall(r"'([^']*)'", m.group(3)) or [c.strip() for c in m.group(3).split(",")]
            message += _did_you_mean(m.group(2), choices)
        m = re.search(r"unrecognized arguments: (\S+)", message)
        if m is not None and m.group(1).startswith("--"):
            message = f"unknown option '{m.group(1)}'" + _did_you_mean(m.group(1).split("=", 1)[0], _option_names(self))
        sys.stderr.write(f"{PROG}: {message}\n(add --help for usage)\n")
        sys.exit(2)


def _option_names(parser: argparse.ArgumentParser) -> List[str]:
    """Every long option of ``parser`` and of its subcommands."""
    names: List[str] = []
    for action in parser._actions:
        names += [o for o in action.option_strings if o.startswith("--")]
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names += _option_names(sub)
    return sorted(set(names))


def _commands(parser: argparse.ArgumentParser) -> List[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m epindex", description="Python entry points from epindex's per-directory caches.")
    p.add_argument("-V", "--version", action="store_true", help="print the version (anywhere before --, as epi)")
    p.add_argument("--debug", action="store_true", help="show stack traces for failures")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    ls = sub.add_parser("list", help="list entry points")
    ls.add_argument("--group", "-g")
    ls.add_argument("--name", "-n")
    ls.add_argument("--dist", "-d", help="only this distribution (any spelling of its name)")
    _env_options(ls)
    rb = sub.add_parser("rebuild", help="build the cache of every path entry")
    rb.add_argument("--force", action="store_true", help="rebuild even when fresh")
    rb.add_argument("--quiet", "-q", action="store_true")
    _path_option(rb)
    rb.add_argument("--json", action="store_true")
    st = sub.add_parser("status", help="each path entry's cache: fresh, stale, missing, untrusted; and the accelerator")
    _env_options(st, cache=False)
    ck = sub.add_parser("check", help="import every selected entry point in isolated subprocesses")
    ck.add_argument("--group", "-g", action="append", help="only this group (repeatable)")
    ck.add_argument("--name", "-n", action="append", help="only entry points with this name (repeatable)")
    ck.add_argument("--dist", "-d", action="append", help="only this distribution (repeatable)")
    ck.add_argument("--timeout", type=float, default=10.0, help="seconds per entry point (default 10)")
    ck.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: CPU count)")
    ck.add_argument("--batch", type=int, default=25, help="entry points per worker process (default 25)")
    ck.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    _env_options(ck)
    ac = sub.add_parser("accelerate", help="install the importlib.metadata accelerator into site-packages")
    ac.add_argument("--remove", action="store_true", help="remove it")
    ac.add_argument("--site", metavar="DIR", help="this site directory (default: the running interpreter's purelib)")
    ac.add_argument("--system", action="store_true", help="install into an interpreter that is not a virtual or conda environment")
    ac.add_argument("--json", action="store_true")
    return p


#: The name messages start with: ``epi`` sets it when it runs this CLI (src/cli/commands/check.ts).
PROG = "epindex"


def print_json(value: Any) -> None:
    """JSON and a newline, as epi's printJson (src/cli/output.ts): indented on a terminal,
    compact (``JSON.stringify``'s bytes) otherwise; lone surrogates (undecodable file names)
    escaped as ``\\udcXX`` either way, so writing never fails on them."""
    from ._text import js_json

    if sys.stdout.isatty():
        text = json.dumps(value, indent=2, ensure_ascii=False)
        if not text.isascii():
            import re

            text = re.sub("[\ud800-\udfff]", lambda m: "\\u%04x" % ord(m.group(0)), text)
    else:
        text = js_json(value)
    sys.stdout.write(text + "\n")


def _table(rows: List[List[str]], header: List[str]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def _cmd_list(a: argparse.Namespace) -> int:
    from . import _api
    from ._discover import normalize_name

    eps = list(_api.entry_points(a.group, a.name, path=a.path, policy=a.cache or "auto", freshness=a.freshness))
    if a.dist:
        want = normalize_name(a.dist)
        eps = [e for e in eps if getattr(e, "dist", None) is not None and normalize_name(e.dist.name or "") == want]
    if a.json:
        print_json({"entryPoints": [_ep_json(e) for e in eps], "diagnostics": [d.to_json() for d in _api._last_diagnostics]})
    else:
        rows = sorted([[e.group, e.name, e.value, _dist_label(e)] for e in eps], key=lambda r: (r[0], r[1]))
        sys.stdout.write(_table(rows, ["GROUP", "NAME", "VALUE", "DISTRIBUTION"]))
    return 0 if eps or (a.group is None and a.name is None) else 1


def _dist_label(e: Any) -> str:
    d = getattr(e, "dist", None)
    if d is None:
        return ""
    from ._api import dist_name_version

    name, version = dist_name_version(d)
    return f"{name} {version or ''}".strip()


def _ep_json(e: Any) -> dict:
    from ._reference import parse_reference

    ref = parse_reference(e.value)
    d = getattr(e, "dist", None)
    out: dict = {"group": e.group, "name": e.name, "value": e.value,
                 "module": None if isinstance(ref, str) else ref.module, "attr": None if isinstance(ref, str) else ref.attr,
                 "extras": [] if isinstance(ref, str) else list(ref.extras), "valid": not isinstance(ref, str)}
    if isinstance(ref, str):
        out["problem"] = ref
    if d is not None:
        from ._api import dist_name_version

        name, version = dist_name_version(d)
        out["dist"] = {"name": name, "version": version, "metadataPath": str(d._path)}
    else:
        out["dist"] = None
    return out


def _cmd_rebuild(a: argparse.Namespace) -> int:
    from ._cache import rebuild

    results = rebuild(a.path, force=a.force, settle=True)
    failed = [r for r in results if r["outcome"] == "failed"]
    if a.json:
        print_json({"results": results})
    elif not a.quiet or failed:
        for r in results:
            if a.quiet and r["outcome"] != "failed":
                continue
            why = f" ({r['reason']})" if r["reason"] else ""
            sys.stdout.write(f"{r['outcome']:9} {r['pathEntry'] or '.'}{why}\n")
    return 1 if failed else 0


def _cmd_status(a: argparse.Namespace) -> int:
    from . import _accelerate
    from ._cache import cache_status

    entries = cache_status(a.path, freshness=a.freshness)
    acc = _accelerate.status()
    if a.json:
        print_json({"freshness": a.freshness or "stat", "entries": entries, "accelerator": acc})
    else:
        rows = [[e["state"] + (" (racy)" if e["racy"] else ""), e["pathEntry"] or ".", e["location"] or "", e["reason"] or ""] for e in entries]
        sys.stdout.write(_table(rows, ["STATE", "PATH ENTRY", "LOCATION", "REASON"]))
        sys.stdout.write(f"accelerator: {_accelerator_line(acc)}\n")
    return 0


def _accelerator_line(acc: dict) -> str:
    if not acc["installed"]:
        return "not installed (python -m epindex accelerate)"
    if acc["active"]:
        return f"installed in {acc['site']}, active"
    return f"installed in {acc['site']}, inactive: {acc['reason']}"


def _cmd_accelerate(a: argparse.Namespace) -> int:
    from . import _accelerate

    try:
        result = _accelerate.remove(a.site) if a.remove else _accelerate.install(a.site, system=a.system)
    except _accelerate.Refused as e:
        sys.stderr.write(f"{PROG}: accelerate: {e}\n")
        return 2
    if a.json:
        print_json(result)
    elif a.remove:
        sys.stdout.write(f"accelerator removed from {result['site']}\n" if result["removed"] else f"accelerator was not installed in {result['site']}\n")
    else:
        where = "; `pip uninstall epindex` removes it too" if result.get("record") else ""
        sys.stdout.write(f"accelerator installed in {result['site']}{where}\n")
    return 0


def _cmd_check(a: argparse.Namespace) -> int:
    from ._check import main as check_main

    return check_main(a)


def run(argv: Sequence[str]) -> int:
    parser = _parser()
    words = list(argv)
    before = words[: words.index("--")] if "--" in words else words
    if "-V" in before or "--version" in before:
        from . import __version__

        sys.stdout.write(__version__ + "\n")
        return 0
    # The command is the first word that is not an option: say what it might have meant.
    first = next((w for w in before if not w.startswith("-")), None)
    if first is not None and first not in _commands(parser):
        sys.stderr.write(f"{PROG}: unknown command '{first}'{_did_you_mean(first, _commands(parser))}\n(add --help for usage)\n")
        return 2
    try:
        a = parser.parse_args(words)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    for w in getattr(a, "_warnings", None) or []:
        sys.stderr.write(f"{PROG}: warning: {w}\n")
    if a.command is None:
        parser.print_help()
        return 2
    a.prog = PROG
    try:
        return {"list": _cmd_list, "rebuild": _cmd_rebuild, "status": _cmd_status, "check": _cmd_check, "accelerate": _cmd_accelerate}[a.command](a)
    except (ValueError, OSError) as e:
        if a.debug:
            raise
        sys.stderr.write(f"{PROG}: {e}\n")
        return 2
    except KeyboardInterrupt:
        return 130

"""Object references ``module(.part)*[:attr(.part)*] [extras]`` (docs/spec.md §3.2).

A port of src/entry-point.ts ``parseObjectReference``: the same grammar and the same problem
texts (they are stored in caches and shown in diagnostics).
"""
from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Tuple, Union

# PEP 508: identifier = letterOrDigit ( (letterOrDigit | [-_.])* letterOrDigit )?
_EXTRA_PATTERN = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_WSP = " \t"


class Reference(NamedTuple):
    module: str
    attr: Optional[str]
    extras: Tuple[str, ...]


def _dotted_problem(what: str, dotted: str) -> Optional[str]:
    if dotted == "":
        return f"empty {what}"
    for part in dotted.split("."):
        if part == "":
            return f'{what} "{dotted}" has an empty dotted part'
        if not part.isidentifier():
            return f'"{part}" in {what} "{dotted}" is not a Python identifier'
    return None


def parse_reference(value: str) -> Union[Reference, str]:
    """The parts of a valid reference, or a string saying why ``value`` is not one."""
    ref = value
    extras: List[str] = []
    open_ = value.find("[")
    if open_ >= 0:
        ref = value[:open_]
        rest = value[open_ + 1 :].strip(_WSP)
        if not rest.endswith("]"):
            return 'extras: "[" without a closing "]" at the end'
        inner = rest[:-1].strip(_WSP)
        if inner != "":
            extras = [e.strip(_WSP) for e in inner.split(",")]
            for e in extras:
                if not re.fullmatch(_EXTRA_PATTERN, e):
                    return f'extras: "{e}" is not a valid extra name (PEP 508)'
    elif "]" in value:
        return '"]" without an opening "["'
    colon = ref.find(":")
    attr: Optional[str] = None
    if colon < 0:
        module = ref.rstrip(_WSP)
    else:
        if ref.find(":", colon + 1) >= 0:
            return 'more than one ":"'
        module = ref[:colon].rstrip(_WSP)
        attr = ref[colon + 1 :].strip(_WSP)
        problem = _dotted_problem("attribute", attr)
        if problem is not None:
            return problem
    problem = _dotted_problem("module", module)
    if problem is not None:
        return problem
    return Reference(module, attr, tuple(extras))

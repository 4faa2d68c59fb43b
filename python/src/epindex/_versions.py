"""PEP 440 ordering, only for choosing among several distributions of one name in one
directory (docs/spec.md §4.2). The standard library has none; this is packaging's comparison
key, matching the TypeScript side's ``@renovatebot/pep440`` (``valid`` and ``compare``)."""
from __future__ import annotations

import re
from typing import Any, Optional, Tuple

from ._text import utf16_key

_PATTERN = re.compile(
    r"v?(?:(?:(?P<epoch>[0-9]+)!)?(?P<release>[0-9]+(?:\.[0-9]+)*)"
    r"(?P<pre>[-_.]?(?P<pre_l>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?P<pre_n>[0-9]+)?)?"
    r"(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?"
    r"(?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?)"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?",
    re.IGNORECASE | re.ASCII,
)

def _letter(letter: Optional[str], number: Optional[str]) -> Optional[Tuple[str, int]]:
    if letter:
        letter = letter.lower()
        letter = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc", "rev": "post", "r": "post"}.get(letter, letter)
        return (letter, int(number or 0))
    if number:
        return ("post", int(number))
    return None


def _key(v: str) -> Optional[Tuple[Any, ...]]:
    m = _PATTERN.fullmatch(v)
    if m is None:
        return None
    release = [int(x) for x in m.group("release").split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    pre = _letter(m.group("pre_l"), m.group("pre_n"))
    post = _letter(m.group("post_l"), m.group("post_n1") or m.group("post_n2"))
    dev = _letter(m.group("dev_l"), m.group("dev_n"))
    # Tuples of one type per position (packaging's Infinity objects, without them):
    # (0,) sorts first, (2,) last, (1, letter, n) in between.
    pre_k = (1,) + pre if pre is not None else ((0,) if post is None and dev is not None else (2,))
    post_k = (1,) + post if post is not None else (0,)
    dev_k = (1,) + dev if dev is not None else (2,)
    local = m.group("local")
    if local is None:
        local_k: Any = (0,)
    else:
        local_k = (1, tuple((1, int(p)) if p.isdigit() else (0, p.lower()) for p in re.split(r"[._-]", local)))
    return (int(m.group("epoch") or 0), tuple(release), pre_k, post_k, dev_k, local_k)


def compare_versions_descending(a: Optional[str], b: Optional[str]) -> int:
    """<0 when ``a`` is preferred: a valid version beats an invalid one, which beats none;
    valid ones by PEP 440, invalid ones by code point (descending)."""
    if a == b:
        return 0
    if a is None:
        return 1
    if b is None:
        return -1
    ka, kb = _key(a), _key(b)
    if ka is not None and kb is not None:
        return -1 if ka > kb else (1 if ka < kb else 0)
    if (ka is None) != (kb is None):
        return -1 if ka is not None else 1
    ua, ub = utf16_key(a), utf16_key(b)
    return 1 if ua < ub else (-1 if ua > ub else 0)

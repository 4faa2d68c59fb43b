"""Python's own string rules, which the TypeScript side emulates (docs/spec.md §2.1).

Here they are the real thing: ``str.splitlines``, ``str.strip``, ``re``'s Unicode ``\\w`` and
``str.isidentifier``. What lives in this module is the little that the TypeScript side does
its own way and that must give the same bytes: JavaScript's ``String.prototype.trim``,
``JSON.stringify`` and the UTF-16 code-unit order used where the TypeScript code compares
strings with ``<``.
"""
from __future__ import annotations

import json
import re
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: The PyPA group-name rule ``^\w+(\.\w+)*$`` with Python's Unicode ``\w`` (for re.fullmatch;
#: re caches compiled patterns, and nothing is compiled at import).
GROUP_NAME = r"\w+(?:\.\w+)*"

# JavaScript's WhiteSpace and LineTerminator, what String.prototype.trim removes.
_JS_SPACE = "\t\n\v\f\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def js_trim(s: str) -> str:
    """``String.prototype.trim``: the TypeScript metadata reader's rule (kept for byte equality)."""
    return s.strip(_JS_SPACE)


def utf16_key(s: str) -> bytes:
    """A sort key giving JavaScript's ``<`` order on strings (UTF-16 code units)."""
    return s.encode("utf-16-be", "surrogatepass")


_SURROGATE = "[\ud800-\udfff]"


def js_json(value: Any) -> str:
    """``JSON.stringify(value)``: compact, non-ASCII raw, lone surrogates as lowercase ``\\udcXX``.

    Python's encoder already writes control characters as ECMAScript does (short forms for
    ``\\b\\f\\n\\r\\t``, else lowercase ``\\u00XX``); only lone surrogates differ (a Python
    ``str`` from ``os.fsdecode`` may hold them; JavaScript escapes them, Python would write them
    raw). Integers beyond 2**53 are written as JavaScript prints the nearest double.
    """
    text = json.dumps(_js_numbers(value), ensure_ascii=False, separators=(",", ":"), check_circular=False)
    if "\\u0000int:" in text:
        text = re.sub(_BIG_RE, lambda m: js_integer(int(m.group(1))), text)
    if not text.isascii() and re.search(_SURROGATE, text):
        text = re.sub(_SURROGATE, lambda m: "\\u%04x" % ord(m.group(0)), text)
    return text


def js_integer(n: int) -> str:
    """``String(Number(n))`` for an integer ``n``."""
    if -(2**53) <= n <= 2**53:
        return str(n)
    r = repr(float(n))  # shortest round-trip digits, as ECMAScript's Number::toString
    if "e" not in r:
        return r[:-2] if r.endswith(".0") else r
    mantissa, exp = r.split("e")
    e = int(exp)
    if e >= 21:
        return mantissa + "e+" + str(e)
    digits = mantissa.replace(".", "").lstrip("-")
    sign = "-" if n < 0 else ""
    return sign + digits + "0" * (e + 1 - len(digits))


_BIG = "\x00int:"
_BIG_RE = r'"\\u0000int:(-?[0-9]+)"'


def _js_numbers(value: Any) -> Any:
    # Integers beyond 2**53 (64-bit inode numbers) become marked strings, rewritten afterwards.
    if type(value) is int:
        return value if -(2**53) <= value <= 2**53 else _BIG + str(value)
    if isinstance(value, list):
        return [_js_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _js_numbers(v) for k, v in value.items()}
    return value


def quote(s: str) -> str:
    """``JSON.stringify`` of one string, as the TypeScript messages quote names and values."""
    return js_json(s)

"""Read ``setup(entry_points=...)`` from a setup.py without running it (docs/spec.md §12.4).

``epi write`` and ``epi lint`` run this module in the project's interpreter: setup.py arrives on
stdin (already checked to be a regular file within the size limit), is parsed with :mod:`ast`
and never executed. What comes back, as JSON on stdout, is the literal value that setuptools
would receive as ``entry_points`` -- strings, dicts, lists, tuples, sets and ``None``, names
bound once at module level to such literals followed -- with the source line of every part.
Whatever the build would compute (a call, a comprehension, formatting, a name bound twice or
conditionally, ``**kwargs`` that cannot be followed) comes back as a ``computed`` node naming
its line: the build decides it. setuptools' reading of the value is the TypeScript side's.

Everything here is bounded: the input (``limit`` bytes), the output (``OUTPUT_BUDGET``, since a
name may be referenced many times), and the depth of names followed.
"""
from __future__ import annotations

import ast
import io
import json
import sys
import tokenize
from typing import Any, Dict, List, Optional, Set, Tuple

#: Roughly the characters of JSON this module may print: strings, line lists and nodes.
OUTPUT_BUDGET = 8 * 1024 * 1024
#: Names followed through other names (``A = B``, ``B = {...}``).
MAX_DEPTH = 32

Node = Dict[str, Any]

_SETUP_MODULES = ("setuptools", "distutils.core")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%", ast.FloorDiv: "//",
        ast.Pow: "**", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
        ast.MatMult: "@"}


class _TooLarge(Exception):
    pass


def _dotted(node: ast.AST) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


class _Binding:
    def __init__(self, name: str, node: ast.AST, stmt: Optional[ast.stmt], top: bool) -> None:
        self.name = name
        self.node = node
        #: The statement that binds, when the name is its only target: ``NAME = value``.
        self.stmt = stmt
        #: Whether that statement is directly in the module body (not under if/for/try/with/...).
        self.top = top


class SetupPy:
    """One parsed setup.py: its module-scope bindings, name uses, and the setup() calls."""

    def __init__(self, tree: ast.Module, text: str) -> None:
        self.tree = tree
        self.text = text
        self.bindings: Dict[str, List[_Binding]] = {}
        self.loads: Dict[str, List[ast.Name]] = {}
        self.setup_names: Set[str] = set()
        self.module_names: Dict[str, str] = {}
        self.budget = OUTPUT_BUDGET
        self._tokens: Optional[List[tokenize.TokenInfo]] = None
        self._lines = text.split("\n")
        self._scan()

    # -- bindings and uses ------------------------------------------------------------------

    def _bind(self, name: str, node: ast.AST, module_scope: bool, stmt: Optional[ast.stmt] = None, top: bool = False) -> None:
        if module_scope:
            self.bindings.setdefault(name, []).append(_Binding(name, node, stmt, top))

    def _scan(self) -> None:
        top_level = {id(s) for s in self.tree.body}
        # Iterative walk (deeply nested input must not exhaust the stack), carrying whether the
        # node is in the module's own scope.
        stack: List[Tuple[ast.AST, bool]] = [(self.tree, True)]
        while stack:
            node, module_scope = stack.pop()
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    self.loads.setdefault(node.id, []).append(node)
                else:
                    self._bind(node.id, node, module_scope)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if isinstance(node, ast.ImportFrom):
                        if node.level == 0 and node.module in _SETUP_MODULES and alias.name in ("setup", "*"):
                            self.setup_names.add(alias.asname or "setup")
                        elif node.level == 0 and node.module == "distutils" and alias.name == "core":
                            self.module_names[alias.asname or "core"] = "distutils.core"
                        if alias.name != "*":
                            self._bind(alias.asname or alias.name, node, module_scope)
                    else:
                        bound = alias.asname or alias.name.split(".")[0]
                        self.module_names[bound] = alias.name if alias.asname else bound
                        self._bind(bound, node, module_scope)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._bind(node.name, node, module_scope)
            elif isinstance(node, ast.Global):
                for n in node.names:
                    self._bind(n, node, True)  # a function may rebind it at any time
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self._bind(node.name, node, module_scope)
            elif type(node).__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None):
                self._bind(getattr(node, "name"), node, module_scope)
            elif type(node).__name__ == "MatchMapping" and getattr(node, "rest", None):
                self._bind(getattr(node, "rest"), node, module_scope)
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if len(targets) == 1 and isinstance(targets[0], ast.Name) and node.value is not None and module_scope:
                    self._bind(targets[0].id, targets[0], True, node, id(node) in top_level)
                    for child in ast.iter_child_nodes(node):
                        if child is not targets[0]:
                            stack.append((child, module_scope))
                    continue
            inner = module_scope and not isinstance(node, _SCOPES)
            for child in ast.iter_child_nodes(node):
                # Defaults, decorators and bases are evaluated in the enclosing scope; treating
                # them as inner only makes a binding there (a walrus) look less certain.
                stack.append((child, inner))

    def is_setup(self, func: ast.AST) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.setup_names
        dotted = _dotted(func)
        if dotted is None or not dotted.endswith(".setup"):
            return False
        head, _, rest = dotted[: -len(".setup")].partition(".")
        module = self.module_names.get(head)
        if module is None:
            return False
        full = module + ("." + rest if rest else "")
        return full in _SETUP_MODULES

    def setup_calls(self) -> List[ast.Call]:
        calls = [n for n in ast.walk(self.tree) if isinstance(n, ast.Call) and self.is_setup(n.func)]
        return sorted(calls, key=lambda c: (c.lineno, c.col_offset))

    # -- values -----------------------------------------------------------------------------

    def _spend(self, n: int) -> None:
        self.budget -= n
        if self.budget < 0:
            raise _TooLarge()

    def computed(self, node: ast.AST, what: str) -> Node:
        self._spend(64 + len(what))
        return {"t": "computed", "line": getattr(node, "lineno", None), "what": what}

    def value(self, node: ast.AST, followed: List[ast.Name], depth: int = 0) -> Node:
        """The literal value of ``node`` with lines; names bound once to literals followed."""
        self._spend(32)
        line = getattr(node, "lineno", None)
        if depth > MAX_DEPTH:
            return self.computed(node, "a value nested more than %d levels deep" % MAX_DEPTH)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, str):
                lines = self._piece_lines(node, v)
                self._spend(len(v) + 8 * len(lines))
                return {"t": "str", "line": line, "v": v, "lines": lines}
            if v is None:
                return {"t": "none", "line": line}
            return {"t": "other", "line": line, "type": type(v).__name__}
        if isinstance(node, ast.Dict):
            items: List[Tuple[Optional[ast.AST], ast.AST]] = list(zip(node.keys, node.values))
            return self._dict(node, items, followed, depth)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            out: List[Node] = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    return self.computed(elt, "an unpacked value (*...)")
                out.append(self.value(elt, followed, depth + 1))
            kind = type(node).__name__.lower()
            if kind == "set":
                # A set keeps one of equal strings; setuptools sorts what it writes.
                seen: Set[str] = set()
                unique = []
                for item in out:
                    key = item["v"] if item["t"] == "str" else None
                    if key is not None and key in seen:
                        continue
                    if key is not None:
                        seen.add(key)
                    unique.append(item)
                out = unique
            return {"t": "list", "line": line, "kind": kind, "items": out}
        if isinstance(node, ast.Name):
            return self._name(node, followed, depth)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and "dict" not in self.bindings:
            if node.args or any(k.arg is None for k in node.keywords):
                return self.computed(node, "a call to dict() with positional or ** arguments")
            pairs: List[Tuple[Optional[ast.AST], ast.AST]] = []
            for k in node.keywords:
                key = ast.Constant(value=k.arg)
                ast.copy_location(key, k)
                pairs.append((key, k.value))
            return self._dict(node, pairs, followed, depth)
        return self.computed(node, _describe(node))

    def _dict(self, node: ast.AST, items: List[Tuple[Optional[ast.AST], ast.AST]], followed: List[ast.Name], depth: int) -> Node:
        out: List[Node] = []
        where: Dict[str, int] = {}
        duplicates: List[Node] = []
        for k, v in items:
            if k is None:
                return self.computed(v, "an unpacked dict (**...)")
            key = self.value(k, followed, depth + 1)
            if key["t"] == "computed":
                return key
            value = self.value(v, followed, depth + 1)
            if key["t"] == "str" and key["v"] in where:
                # Python keeps the first key's place and the last value.
                i = where[key["v"]]
                duplicates.append({"key": key["v"], "line": key["line"], "first": out[i]["key"]["line"]})
                out[i] = {"key": out[i]["key"], "value": value}
                continue
            if key["t"] == "str":
                where[key["v"]] = len(out)
            out.append({"key": key, "value": value})
        return {"t": "dict", "line": getattr(node, "lineno", None), "items": out, "duplicates": duplicates}

    def binding_of(self, name: str) -> Tuple[Optional[ast.AST], Optional[str]]:
        """The value expression ``name`` is bound to, or why it cannot be known."""
        found = self.bindings.get(name, [])
        if not found:
            return None, "%s is not bound to a value in setup.py" % name
        if len(found) > 1:
            lines = sorted({getattr(b.node, "lineno", 0) for b in found})
            return None, "%s is bound %d times (lines %s)" % (name, len(found), ", ".join(str(n) for n in lines))
        b = found[0]
        line = getattr(b.node, "lineno", "?")
        if b.stmt is None:
            return None, "%s is bound at line %s by %s" % (name, line, _binding_kind(b.node))
        if not b.top:
            return None, "%s is bound conditionally (line %s, inside a block)" % (name, line)
        value = b.stmt.value  # type: ignore[union-attr]
        return value, None

    def _name(self, node: ast.Name, followed: List[ast.Name], depth: int) -> Node:
        value, why = self.binding_of(node.id)
        if value is None:
            return self.computed(node, why or node.id)
        followed.append(node)
        return self.value(value, followed, depth + 1)

    def other_uses(self, followed: List[ast.Name]) -> List[Node]:
        """Uses of followed names other than the ones followed: each may change the value (``EP.update(...)``)."""
        allowed = {id(n) for n in followed}
        out: List[Node] = []
        seen: Set[str] = set()
        for n in followed:
            if n.id in seen:
                continue
            seen.add(n.id)
            for use in self.loads.get(n.id, []):
                if id(use) not in allowed:
                    out.append(self.computed(use, "%s is also used at line %d, where it may be changed" % (n.id, use.lineno)))
                    break
        return out

    # -- lines of a string's pieces ---------------------------------------------------------

    def _piece_lines(self, node: ast.Constant, value: str) -> List[int]:
        """The source line of each ``value.splitlines()`` piece."""
        pieces = value.splitlines(True)
        if not pieces:
            return []
        start = node.lineno
        end = getattr(node, "end_lineno", None) or start
        if end == start:
            return [start] * len(pieces)
        rows = self._char_rows(node, value)
        out = []
        pos = 0
        for piece in pieces:
            out.append(rows[pos] if rows is not None and pos < len(rows) else start)
            pos += len(piece)
        return out

    def _char_rows(self, node: ast.Constant, value: str) -> Optional[List[int]]:
        """The source row of each character, from the string tokens the constant is made of.

        A token whose raw line breaks are the value's (a triple-quoted string without escaped
        newlines) maps row by row; any other token maps to its first row.
        """
        tokens = self._string_tokens()
        if tokens is None:
            return None
        first = (node.lineno, self._char_col(node.lineno, node.col_offset))
        last = (getattr(node, "end_lineno", node.lineno), self._char_col(getattr(node, "end_lineno", node.lineno), getattr(node, "end_col_offset", 0) or 0))
        rows: List[int] = []
        for tok in tokens:
            if tok.start < first or tok.end > last:
                continue
            try:
                piece = ast.literal_eval(tok.string)
            except Exception:
                return None
            if not isinstance(piece, str):
                return None
            if piece.count("\n") == tok.end[0] - tok.start[0]:
                row = tok.start[0]
                for ch in piece:
                    rows.append(row)
                    if ch == "\n":
                        row += 1
            else:
                rows.extend([tok.start[0]] * len(piece))
        return rows if len(rows) == len(value) else None

    def _char_col(self, row: int, byte_col: int) -> int:
        line = self._lines[row - 1] if 0 < row <= len(self._lines) else ""
        return len(line.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "ignore"))

    def _string_tokens(self) -> Optional[List[tokenize.TokenInfo]]:
        if self._tokens is None:
            try:
                self._tokens = [t for t in tokenize.generate_tokens(io.StringIO(self.text).readline) if t.type == tokenize.STRING]
            except Exception:
                self._tokens = []
                return None
        return self._tokens


def _binding_kind(node: ast.AST) -> str:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "an import"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return "a def"
    if isinstance(node, ast.ClassDef):
        return "a class"
    if isinstance(node, ast.Global):
        return "a global statement (a function may rebind it)"
    if isinstance(node, ast.ExceptHandler):
        return "an except clause"
    return "an assignment that is not NAME = value"


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        name = _dotted(node.func)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return "string formatting (.format())"
        return "a call to %s()" % name if name else "a function call"
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return "a comprehension"
    if isinstance(node, ast.JoinedStr):
        return "an f-string"
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            return "string formatting (%)"
        return "an operation (%s)" % _OPS.get(type(node.op), type(node.op).__name__)
    if isinstance(node, ast.IfExp):
        return "a conditional expression"
    if isinstance(node, ast.Attribute):
        return "an attribute (%s)" % (_dotted(node) or "...")
    if isinstance(node, ast.Subscript):
        return "a subscript"
    return "an expression (%s)" % type(node).__name__


def _decode(data: bytes) -> str:
    """The source text as the import system reads it: PEP 263 coding, BOM, universal newlines."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read(data: bytes, limit: int) -> Dict[str, Any]:
    """What setup.py passes as ``entry_points``; see the module docstring for the shape."""
    if len(data) > limit:
        return {"error": {"kind": "size", "line": None, "message": "over the limit of %d bytes" % limit}}
    try:
        text = _decode(data)
    except (SyntaxError, LookupError, UnicodeDecodeError) as e:
        return {"error": {"kind": "encoding", "line": getattr(e, "lineno", None), "message": "cannot be decoded: %s" % e}}
    try:
        tree = ast.parse(text, "setup.py")
    except SyntaxError as e:
        return {"error": {"kind": "syntax", "line": e.lineno, "message": "SyntaxError: %s" % e.msg}}
    except (ValueError, RecursionError, MemoryError) as e:
        return {"error": {"kind": "syntax", "line": None, "message": "%s: %s" % (type(e).__name__, e)}}
    try:
        return _read_tree(SetupPy(tree, text))
    except _TooLarge:
        return {"error": {"kind": "size", "line": None, "message": "declares entry points over %d characters long" % OUTPUT_BUDGET}}
    except RecursionError:
        return {"error": {"kind": "syntax", "line": None, "message": "nested too deeply to read"}}


def _read_tree(s: SetupPy) -> Dict[str, Any]:
    calls = s.setup_calls()
    result: Dict[str, Any] = {"calls": [c.lineno for c in calls], "given": False, "line": None, "value": None, "computed": []}
    if len(calls) != 1:
        return result
    call = calls[0]
    followed: List[ast.Name] = []
    explicit = [k for k in call.keywords if k.arg == "entry_points"]
    expr: Optional[ast.AST] = None
    key_line: Optional[int] = None
    if explicit:
        expr = explicit[0].value
        key_line = getattr(explicit[0], "lineno", None) or expr.lineno
    else:
        for k in call.keywords:
            if k.arg is not None:
                continue
            found = _from_kwargs(s, k.value, followed)
            if found is None:
                continue
            if found[0] == "computed":
                result["computed"].append(found[1])
                return result
            expr, key_line = found[1], found[2]
            break
    if expr is None:
        return result
    value = s.value(expr, followed)
    result.update(given=True, line=key_line, value=value)
    result["computed"].extend(s.other_uses(followed))
    return result


def _from_kwargs(s: SetupPy, node: ast.AST, followed: List[ast.Name]) -> Optional[Tuple[Any, ...]]:
    """``setup(**X)``: the ``entry_points`` expression in X, None when X has none, or computed."""
    target = node
    for _ in range(MAX_DEPTH):
        if not isinstance(target, ast.Name):
            break
        value, why = s.binding_of(target.id)
        if value is None:
            return ("computed", s.computed(node, "setup() gets **%s: %s, so whether it holds entry_points is decided when setup.py runs" % (target.id, why)))
        followed.append(target)
        target = value
    pairs: List[Tuple[Optional[ast.AST], ast.AST]]
    if isinstance(target, ast.Dict):
        pairs = list(zip(target.keys, target.values))
    elif isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "dict" and "dict" not in s.bindings and not target.args:
        pairs = []
        for k in target.keywords:
            key = ast.Constant(value=k.arg) if k.arg is not None else None
            if key is not None:
                ast.copy_location(key, k)
            pairs.append((key, k.value))
    else:
        return ("computed", s.computed(node, "setup() gets **%s (%s), so whether it holds entry_points is decided when setup.py runs" % (_dotted(node) or "...", _describe(target))))
    found: Optional[Tuple[Any, ...]] = None
    for k, v in pairs:
        if k is None or not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
            return ("computed", s.computed(k if k is not None else v, "setup() gets **%s, whose keys are not all literal strings" % (_dotted(node) or "...")))
        if k.value == "entry_points":
            found = ("value", v, k.lineno)  # the last one wins, as in a dict
    return found


def main(argv: List[str]) -> int:
    limit = int(argv[1]) if len(argv) > 1 else 4 * 1024 * 1024
    data = sys.stdin.buffer.read(limit + 1)
    sys.stdout.write(json.dumps(read(data, limit), ensure_ascii=True, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

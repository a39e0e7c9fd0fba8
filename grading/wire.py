"""Values as plain JSON data with exact type tags, so that results cross processes and compare by type and value.

Every value becomes a list `[tag, ...]`: `["str", "abc"]`, `["int", 3]`, `["list", [...]]`, `["dict", "dict", [[k, v], ...]]`,
`["dataclass", "ulmfit_ref.data.Reviews", [[field, v], ...]]`, `["ndarray", dtype, shape, values]`, `["raised", type,
builtin base, message]`... The tag is taken from `type(x)` exactly, so a `str` subclass whose `__eq__` always says True
is tagged as an object of its own class and differs from every `str`.
"""

import dataclasses
import json
import math

MAX_REPR = 200  # characters of repr kept for an object of an unknown type
MAX_SHOWN = 300  # characters of a value shown in a message


class Approx:
    """A value whose floats (plain or in tensors) compare within `rtol`/`atol` of the reference's: the tolerance of an
    exercise that computes in floating point. Only the reference's tolerance counts."""

    def __init__(self, value, rtol: float = 1e-4, atol: float = 1e-5):
        self.value, self.rtol, self.atol = value, rtol, atol


def _is_tensor(x) -> bool:
    """A torch.Tensor or nn.Parameter exactly (torch is only imported by the code that made `x`)."""
    return type(x).__name__ in ("Tensor", "Parameter") and type(x).__module__ in ("torch", "torch.nn.parameter")


class Raised:
    """An exception a call raised, kept as a value so that it can be compared with the reference's."""

    def __init__(self, error: BaseException):
        self.error = error


def _qualname(t: type) -> str:
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _builtin_base(t: type) -> str:
    """The first built-in exception class of `t`'s MRO: what a contract such as 'raises ValueError' names."""
    return next(c.__name__ for c in t.__mro__ if c.__module__ == "builtins")


def _float(x: float) -> str:
    return x.hex() if math.isfinite(x) else repr(x)


def encode(x):
    """The tagged plain-data form of `x` (never raises: what cannot be encoded is tagged as such)."""
    t = type(x)
    try:
        if x is None:
            return ["None"]
        if t in (bool, int, str):
            return [t.__name__, x]
        if t is float:
            return ["float", _float(x)]
        if t is bytes:
            return ["bytes", x.decode("latin-1")]
        if t in (list, tuple):
            return [t.__name__, [encode(v) for v in x]]
        if isinstance(x, dict) and t.__module__ in ("builtins", "collections"):
            return ["dict", _qualname(t), [[encode(k), encode(v)] for k, v in dict.items(x)]]
        if t is Approx:
            return ["approx", float(x.rtol), float(x.atol), encode(x.value)]
        if _is_tensor(x):
            values = x.detach().cpu().reshape(-1).tolist()
            return ["tensor", str(x.dtype), list(x.shape), [encode(v) for v in values]]
        if isinstance(x, Raised):
            e = type(x.error)
            return ["raised", _qualname(e), _builtin_base(e), str(x.error)[:MAX_SHOWN]]
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            return ["dataclass", _qualname(t), [[f.name, encode(getattr(x, f.name))] for f in dataclasses.fields(x)]]
        if t.__module__ == "numpy" and t.__name__ == "ndarray":
            return ["ndarray", str(x.dtype), list(x.shape), [encode(v) for v in x.ravel().tolist()]]
        if t.__module__ == "numpy" and hasattr(x, "dtype") and x.shape == ():
            return ["numpy", str(x.dtype), encode(x.item())]
        return ["object", _qualname(t), repr(x)[:MAX_REPR]]
    except Exception as e:  # noqa: BLE001 - a value whose repr or fields fail is reported, not raised
        return ["unencodable", _qualname(t), f"{type(e).__name__}: {e}"[:MAX_SHOWN]]


def decode(tree):
    """The Python value of an encoded input (inputs are built of None, bool, int, float, str, bytes, list, tuple, dict)."""
    tag = tree[0]
    if tag == "None":
        return None
    if tag in ("bool", "int", "str"):
        return tree[1]
    if tag == "float":
        return float.fromhex(tree[1]) if tree[1] not in ("inf", "-inf", "nan") else float(tree[1])
    if tag == "bytes":
        return tree[1].encode("latin-1")
    if tag == "list":
        return [decode(v) for v in tree[1]]
    if tag == "tuple":
        return tuple(decode(v) for v in tree[1])
    if tag == "dict" and tree[1] == "dict":
        return {decode(k): decode(v) for k, v in tree[2]}
    raise ValueError(f"cannot decode a {tag!r} as an input")


def dumps(tree) -> str:
    """One line of JSON."""
    return json.dumps(tree, ensure_ascii=True, separators=(",", ":"))


def _key(tree) -> str:
    return dumps(tree)


def _type_of(tree) -> str:
    tag = tree[0]
    if tag in ("dict", "dataclass", "object", "unencodable"):
        return tree[1]
    if tag == "numpy":
        return f"numpy.{tree[1]}"
    if tag == "approx":
        return _type_of(tree[3])
    return {"tensor": "torch.Tensor", "ndarray": "numpy.ndarray", "raised": "raised exception"}.get(tag, tag)


def _close(e, a, tol) -> bool:
    """Two encoded floats within the tolerance (rtol, atol); NaN is close to NaN, an infinity to itself alone."""
    x, y = decode(e), decode(a)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=tol[0], abs_tol=tol[1])


def difference(expected, actual, where: str = "", tol: tuple | None = None) -> str | None:
    """None when two encoded values are the same (types included), else where and how they first differ, in words.
    Floats compare exactly, or within `tol` (rtol, atol) under an `Approx` of the expected value."""
    if expected == actual:
        return None
    at = f" at {where}" if where else ""
    if expected[0] == "approx":
        inner = actual[3] if actual[0] == "approx" else actual
        return difference(expected[3], inner, where, (expected[1], expected[2]))
    if tol is not None and expected[0] == "float" and actual[0] == "float":
        return None if _close(expected, actual, tol) else f"should be {show(expected)}{at}, yours is {show(actual)} (tolerance: rtol {tol[0]:g}, atol {tol[1]:g})"
    if expected[0] == "raised" and actual[0] == "raised":
        if expected[2] == actual[2]:
            return None  # same contract: both raise, e.g., a ValueError (the messages may differ)
        return f"{at.strip() or 'the call'} should raise {expected[2]}, yours raised {show(actual)}"
    if expected[0] == "raised":
        return f"{at.strip() or 'the call'} should raise {expected[2]}, yours gave {show(actual)}"
    if _type_of(expected) != _type_of(actual) or expected[0] != actual[0]:
        if actual[0] == "None":
            return f"should be a {_type_of(expected)}{at}, yours gave None (a missing `return`?)"
        if actual[0] == "raised":
            return f"should be a {_type_of(expected)}{at}, yours {show(actual)}"
        return f"should be a {_type_of(expected)}{at}, yours gave a {_type_of(actual)}: {show(actual)}"
    tag = expected[0]
    if tag in ("list", "tuple"):
        for i, (e, a) in enumerate(zip(expected[1], actual[1])):
            if d := difference(e, a, f"{where}[{i}]", tol):
                return d
        return f"should have {len(expected[1])} items{at}, yours has {len(actual[1])}"
    if tag == "dict":
        exp, act = {_key(k): (k, v) for k, v in expected[2]}, {_key(k): (k, v) for k, v in actual[2]}
        for k, (shown, v) in exp.items():
            if k not in act:
                return f"should hold the key {show(shown)}{at}, yours does not"
            if d := difference(v, act[k][1], f"{where}[{show(shown)}]", tol):
                return d
        extra = [shown for k, (shown, _) in act.items() if k not in exp]
        return f"should not hold the key {show(extra[0])}{at}" if extra else None
    if tag == "dataclass":
        for (name, e), (_, a) in zip(expected[2], actual[2]):
            if d := difference(e, a, f"{where}.{name}", tol):
                return d
    if tag == "ndarray":
        if expected[1] != actual[1]:
            return f"should be an array of {expected[1]}{at}, yours is of {actual[1]}"
        if expected[2] != actual[2]:
            return f"should have shape {tuple(expected[2])}{at}, yours has {tuple(actual[2])}"
        i = next(i for i, (e, a) in enumerate(zip(expected[3], actual[3])) if e != a)
        return f"should be {show(expected[3][i])}{at} (flat index {i}), yours is {show(actual[3][i])}"
    if tag == "tensor":
        if expected[1] != actual[1]:
            return f"should be a tensor of {expected[1]}{at}, yours is of {actual[1]}"
        if expected[2] != actual[2]:
            return f"should have shape {tuple(expected[2])}{at}, yours has {tuple(actual[2])}"
        for i, (e, a) in enumerate(zip(expected[3], actual[3])):
            same = (e == a) or (tol is not None and e[0] == a[0] == "float" and _close(e, a, tol))
            if not same:
                index = _unravel(i, expected[2])
                return (f"should be {show(e)}{at}[{', '.join(map(str, index))}], yours is {show(a)}"
                        f"{f' (tolerance: rtol {tol[0]:g}, atol {tol[1]:g})' if tol else ''}: expected {show(expected, 120)}, yours {show(actual, 120)}")
        return None
    if tag == "str":
        return f"should be {show(expected)}{at}, yours is {show(actual)}{_first_char_difference(expected[1], actual[1])}"
    return f"should be {show(expected)}{at}, yours is {show(actual)}"


def _unravel(i: int, shape: list) -> tuple:
    """The index in a tensor of `shape` of its `i`-th value in flat order."""
    index = []
    for n in reversed(shape):
        index.append(i % n)
        i //= n
    return tuple(reversed(index))


def _first_char_difference(e: str, a: str) -> str:
    """' (first difference at character i: ...)' for long strings, where a glance does not find it."""
    if len(e) < 40 and len(a) < 40:
        return ""
    i = next((j for j, (x, y) in enumerate(zip(e, a)) if x != y), min(len(e), len(a)))
    return f" (first difference at character {i}: {e[i:i + 12]!r} vs {a[i:i + 12]!r})"


def show(tree, width: int = MAX_SHOWN) -> str:
    """A Python-like repr of an encoded value, cut to `width` characters."""
    s = _show(tree)
    return s if len(s) <= width else s[: width - 1] + "…"


def _nested(values: list, shape: list) -> str:
    """The values of a tensor as nested lists, like `tensor.tolist()`."""
    if not shape:
        return _show(values[0]) if values else "?"
    if len(shape) == 1:
        return "[" + ", ".join(map(_show, values)) + "]"
    step = len(values) // shape[0] if shape[0] else 0
    return "[" + ", ".join(_nested(values[k * step:(k + 1) * step], shape[1:]) for k in range(shape[0])) + "]"


def _show(tree) -> str:
    tag = tree[0]
    if tag == "None":
        return "None"
    if tag in ("bool", "int", "str"):
        return repr(tree[1])
    if tag == "float":
        return repr(decode(tree))
    if tag == "bytes":
        return repr(tree[1].encode("latin-1"))
    if tag == "list":
        return "[" + ", ".join(map(_show, tree[1])) + "]"
    if tag == "tuple":
        return "(" + ", ".join(map(_show, tree[1])) + ("," if len(tree[1]) == 1 else "") + ")"
    if tag == "dict":
        body = "{" + ", ".join(f"{_show(k)}: {_show(v)}" for k, v in tree[2]) + "}"
        return body if tree[1] == "dict" else f"{tree[1].rsplit('.', 1)[-1]}({body})"
    if tag == "dataclass":
        return f"{tree[1].rsplit('.', 1)[-1]}(" + ", ".join(f"{k}={_show(v)}" for k, v in tree[2]) + ")"
    if tag == "ndarray":
        return f"array({'[' + ', '.join(map(_show, tree[3])) + ']'}, dtype={tree[1]}, shape={tuple(tree[2])})"
    if tag == "numpy":
        return f"numpy.{tree[1]}({_show(tree[2])})"
    if tag == "tensor":
        return f"tensor({_nested(tree[3], tree[2])}, dtype={tree[1]})"
    if tag == "approx":
        return _show(tree[3])
    if tag == "raised":
        return f"raised {tree[1]}: {tree[3]}" if tree[3] else f"raised {tree[1]}"
    if tag == "object":
        return f"<{tree[1]} object: {tree[2]}>"
    return f"<{tree[1]} that cannot be read: {tree[2]}>"

"""Values as plain JSON data with exact type tags: an observation crosses processes, and two of them compare by type.

The learner's side encodes (`encode` never raises: what cannot be encoded is tagged as such); the checker's side
decodes into values of its own making (`decode`): the builtins, `Counter` and the other dicts of `collections`,
`Record` for a dataclass, `Raised` for an exception, numpy arrays and torch tensors rebuilt from their bytes (their
size checked against their shape), `Opaque` for anything else. A tag is taken from `type(x)` exactly, so a `str`
subclass whose `__eq__` always says True decodes as an `Opaque` of its own class and differs from every `str`, and an
object that calls itself a tensor is not one. `difference` says where two decoded values first differ, in words.
"""

import base64
import collections
import dataclasses
import json
import math
import sys
import traceback

MAX_DEPTH = 60  # nesting levels encoded; deeper (or circular) values are unencodable
MAX_REPR = 200  # characters of repr kept for an object of a type the wire does not know
MAX_SHOWN = 300  # characters of a value shown in a message
_DICTS = {
    dict: "dict",
    collections.Counter: "collections.Counter",
    collections.OrderedDict: "collections.OrderedDict",
    collections.defaultdict: "collections.defaultdict",
}
_TENSOR_DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")


class WireError(ValueError):
    """An encoded value that is not well formed (a forged or damaged answer)."""


@dataclasses.dataclass(frozen=True)
class Record:
    """A dataclass instance, as its class's qualified name and its fields."""

    type: str
    fields: tuple


@dataclasses.dataclass(frozen=True)
class Raised:
    """An exception a call raised: its class, the first built-in class of its MRO, its message, and where in the
    learner's code it was raised (`where` in words, `function` the name of that function)."""

    type: str
    base: str
    message: str
    where: str = ""
    function: str = ""


@dataclasses.dataclass(frozen=True)
class Opaque:
    """An object of a type the wire does not carry: its class and its repr, for messages only."""

    type: str
    text: str


def qualname(t: type) -> str:
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


# --- encoding, in the learner's process --------------------------------------------------------------------------


def _hide(text: str, hide) -> str:
    for pattern in hide:
        text = pattern.sub("", text)
    return text


def raised(e: BaseException, where: str = "", function: str = "", hide=()) -> list:
    """The encoded form of an exception raised by a call."""
    t = type(e)
    base = next((c.__name__ for c in t.__mro__ if c.__module__ == "builtins"), "BaseException")
    try:
        message = _hide(str(e), hide)[:MAX_SHOWN]
    except Exception:  # noqa: BLE001 - an exception whose str() fails still has a type
        message = "(its message cannot be read)"
    return ["raised", qualname(t), base, message, where, function]


def learner_frame(e: BaseException, is_learner) -> tuple[str, str]:
    """(' (line N of ...: code)', function name) of the deepest frame of `e` for which `is_learner(filename)` gives a
    description ('your fixup cell'), else ('', '')."""
    found = ("", "")
    for frame, lineno in traceback.walk_tb(e.__traceback__):
        what = is_learner(frame.f_code.co_filename)
        if what:
            import linecache

            line = linecache.getline(frame.f_code.co_filename, lineno).strip()
            found = (f" (line {lineno} of {what}{': ' + line if line else ''})", frame.f_code.co_name)
    return found


def _float(x: float) -> str:
    return x.hex() if math.isfinite(x) else repr(x)


def _tensor_types() -> tuple:
    torch = sys.modules.get("torch")  # only a value made by torch can be a tensor, so torch is never imported here
    return (torch.Tensor, torch.nn.Parameter) if torch is not None and hasattr(torch, "nn") else ()


def encode(x, hide=(), _depth: int = 0):
    """The tagged plain-data form of `x`; `hide` holds regular expressions of what to cut out of messages (paths)."""
    t = type(x)
    try:
        if _depth > MAX_DEPTH:
            return ["unencodable", qualname(t), f"nested more than {MAX_DEPTH} levels deep"]
        if x is None:
            return ["None"]
        if t in (bool, int, str):
            return [t.__name__, x]
        if t is float:
            return ["float", _float(x)]
        if t is bytes:
            return ["bytes", x.decode("latin-1")]
        if t in (list, tuple):
            return [t.__name__, [encode(v, hide, _depth + 1) for v in x]]
        if t in _DICTS:
            return [
                "dict",
                _DICTS[t],
                [[encode(k, hide, _depth + 1), encode(v, hide, _depth + 1)] for k, v in dict.items(x)],
            ]
        if t in (set, frozenset):
            items = sorted((encode(v, hide, _depth + 1) for v in x), key=dumps)
            return [t.__name__, items]
        if t in _tensor_types():
            torch = sys.modules["torch"]
            data = torch.empty(x.shape, dtype=x.dtype).copy_(x.detach())  # dense and on the CPU, whatever its strides
            raw = data.view(-1).view(torch.uint8).numpy().tobytes() if data.numel() else b""
            return ["tensor", str(data.dtype).removeprefix("torch."), list(data.shape), base64.b64encode(raw).decode()]
        if t.__module__ == "numpy" and t.__name__ == "ndarray":
            if x.dtype.kind in "biuf" and not x.dtype.hasobject:
                raw = x.astype(x.dtype.newbyteorder("<")).tobytes()
                return [
                    "ndarray",
                    x.dtype.str.replace(">", "<").replace("|", "<"),
                    list(x.shape),
                    base64.b64encode(raw).decode(),
                ]
            return [
                "ndarray-values",
                str(x.dtype),
                list(x.shape),
                [encode(v, hide, _depth + 1) for v in x.ravel().tolist()],
            ]
        if t.__module__ == "numpy" and getattr(x, "shape", None) == () and hasattr(x, "item"):
            return ["numpy", str(x.dtype), encode(x.item(), hide, _depth + 1)]
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            return [
                "record",
                qualname(t),
                [[f.name, encode(getattr(x, f.name), hide, _depth + 1)] for f in dataclasses.fields(x)],
            ]
        return ["object", qualname(t), _hide(repr(x), hide)[:MAX_REPR]]
    except Exception as e:  # noqa: BLE001 - a value whose repr, fields or bytes fail is reported, not raised
        return ["unencodable", qualname(t), f"{type(e).__name__}: {e}"[:MAX_SHOWN]]


def dumps(tree) -> str:
    """One line of JSON."""
    return json.dumps(tree, ensure_ascii=True, separators=(",", ":"))


# --- decoding, in the checker's process ---------------------------------------------------------------------------


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise WireError(what)


def _shape(shape) -> tuple:
    _need(type(shape) is list and all(type(n) is int and n >= 0 for n in shape), f"a bad shape {shape!r}")
    return tuple(shape)


def _bytes(text) -> bytes:
    _need(type(text) is str, "values that are not base64")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise WireError("values that are not base64") from None


def decode(tree):
    """The value an encoded tree stands for, built here; `WireError` when the tree is not well formed."""
    _need(type(tree) is list and tree and type(tree[0]) is str, f"not an encoded value: {str(tree)[:80]}")
    tag, rest = tree[0], tree[1:]
    if tag == "None":
        return None
    if tag in ("bool", "int", "str"):
        _need(len(rest) == 1 and type(rest[0]) is {"bool": bool, "int": int, "str": str}[tag], f"a bad {tag}")
        return rest[0]
    if tag == "float":
        _need(len(rest) == 1 and type(rest[0]) is str, "a bad float")
        try:
            return float(rest[0]) if rest[0] in ("inf", "-inf", "nan") else float.fromhex(rest[0])
        except ValueError:
            raise WireError(f"a bad float {rest[0]!r}") from None
    if tag == "bytes":
        _need(len(rest) == 1 and type(rest[0]) is str, "bad bytes")
        return rest[0].encode("latin-1")
    if tag in ("list", "tuple", "set", "frozenset"):
        _need(len(rest) == 1 and type(rest[0]) is list, f"a bad {tag}")
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](decode(v) for v in rest[0])
    if tag == "dict":
        _need(len(rest) == 2 and rest[0] in _DICTS.values() and type(rest[1]) is list, "a bad dict")
        items = [(decode(k), decode(v)) for k, v in (_pair(p) for p in rest[1])]
        kind = next(t for t, name in _DICTS.items() if name == rest[0])
        return kind(None, items) if kind is collections.defaultdict else kind(dict(items))
    if tag == "record":
        _need(len(rest) == 2 and type(rest[0]) is str and type(rest[1]) is list, "a bad record")
        return Record(rest[0], tuple((str(name), decode(v)) for name, v in (_pair(p) for p in rest[1])))
    if tag == "raised":
        _need(len(rest) == 5 and all(type(v) is str for v in rest), "a bad exception")
        return Raised(*rest)
    if tag == "tensor":
        _need(len(rest) == 3 and rest[0] in _TENSOR_DTYPES, f"a tensor of an unknown dtype {rest[:1]}")
        import torch

        dtype, shape, raw = getattr(torch, rest[0]), _shape(rest[1]), _bytes(rest[2])
        _need(
            len(raw) == math.prod(shape) * dtype.itemsize, f"a tensor of shape {shape} with {len(raw)} bytes of values"
        )
        values = torch.frombuffer(bytearray(raw), dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        return values.reshape(shape).clone()
    if tag == "ndarray":
        import numpy as np

        _need(len(rest) == 3 and type(rest[0]) is str, "a bad array")
        try:
            dtype = np.dtype(rest[0])
        except TypeError:
            raise WireError(f"an array of an unknown dtype {rest[0]!r}") from None
        _need(dtype.kind in "biuf" and not dtype.hasobject, f"an array of dtype {dtype}")
        shape, raw = _shape(rest[1]), _bytes(rest[2])
        _need(
            len(raw) == math.prod(shape) * dtype.itemsize, f"an array of shape {shape} with {len(raw)} bytes of values"
        )
        return np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    if tag == "ndarray-values":
        import numpy as np

        _need(len(rest) == 3 and type(rest[0]) is str and type(rest[2]) is list, "a bad array")
        shape, values = _shape(rest[1]), [decode(v) for v in rest[2]]
        _need(len(values) == math.prod(shape), f"an array of shape {shape} with {len(values)} values")
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return Opaque(f"numpy.ndarray of {rest[0]}", repr(out.reshape(shape).tolist())[:MAX_REPR])
    if tag == "numpy":
        import numpy as np

        _need(len(rest) == 2 and type(rest[0]) is str, "a bad numpy scalar")
        try:
            return np.dtype(rest[0]).type(decode(rest[1]))
        except TypeError:
            raise WireError(f"a numpy scalar of an unknown dtype {rest[0]!r}") from None
    if tag in ("object", "unencodable"):
        _need(len(rest) == 2 and all(type(v) is str for v in rest), f"a bad {tag}")
        return Opaque(rest[0], rest[1] if tag == "object" else f"<cannot be read: {rest[1]}>")
    raise WireError(f"an unknown tag {tag!r}")


def _pair(p) -> tuple:
    _need(type(p) is list and len(p) == 2, "a bad pair")
    return p[0], p[1]


# --- comparing, in the checker's process --------------------------------------------------------------------------


def kind(x) -> str:
    """The name of what `x` is, as the learner would say it: 'str', 'Reviews', 'torch.Tensor', 'ndarray'..."""
    if isinstance(x, (Record, Opaque)):
        return x.type.rsplit(".", 1)[-1]
    if isinstance(x, Raised):
        return "raised exception"
    t = type(x)
    if t.__module__.startswith("torch"):
        return "tensor"
    return t.__name__


def _same_kind(e, a) -> bool:
    if isinstance(e, (Record, Opaque)):
        return type(a) is type(e) and a.type == e.type
    return type(a) is type(e) or (kind(e) == kind(a) == "tensor")


def _index(i: tuple) -> str:
    return f"[{', '.join(map(str, i))}]"


def difference(expected, actual, subject: str = "the result", tol: tuple | None = None) -> str | None:
    """None when `actual` is `expected` (same types all the way down; floats within `tol` = (rtol, atol) if given),
    else one sentence saying where they first differ, starting with `subject`."""
    e, a = expected, actual
    if isinstance(e, Raised) or isinstance(a, Raised):
        return _raised_difference(e, a, subject)
    if not _same_kind(e, a):
        if e is None:
            return f"{subject} should be None, yours is a {kind(a)}: {show(a)}"
        if a is None:
            return f"{subject} should be a {kind(e)}, yours is None (a missing `return`?)"
        return f"{subject} should be a {kind(e)}, yours is a {kind(a)}: {show(a)}"
    if type(e) in (list, tuple):
        for i, (x, y) in enumerate(zip(e, a)):
            if d := difference(x, y, f"{subject}[{i}]", tol):
                return d
        if len(e) != len(a):
            n = min(len(e), len(a))
            which = (
                f"the first extra one is {show(a[n], 80)}"
                if len(a) > n
                else f"the first missing one is {show(e[n], 80)}"
            )
            return f"{subject} should have {len(e)} item{'s' if len(e) != 1 else ''}, yours has {len(a)}: {which}"
        return None
    if isinstance(e, dict):
        for k in e:
            if k not in a:
                return f"{subject} should hold the key {show(k, 80)}, yours does not"
        for k in a:
            if k not in e:
                return f"{subject} should not hold the key {show(k, 80)}"
        for k in e:
            if d := difference(e[k], a[k], f"{subject}[{k!r}]", tol):
                return d
        return None
    if isinstance(e, Record):
        names, theirs = [n for n, _ in e.fields], [n for n, _ in a.fields]
        if names != theirs:
            return f"{subject} should have the fields {', '.join(names)}; yours has {', '.join(theirs) or 'none'}"
        for (name, x), (_, y) in zip(e.fields, a.fields):
            if d := difference(x, y, f"{subject}.{name}", tol):
                return d
        return None
    if kind(e) == "tensor":
        return _array_difference(
            e, a, subject, tol, str(e.dtype).removeprefix("torch."), str(a.dtype).removeprefix("torch.")
        )
    if kind(e) == "ndarray":
        return _array_difference(e, a, subject, tol, str(e.dtype), str(a.dtype))
    if type(e) is float and tol is not None:
        if _close(e, a, tol):
            return None
        return f"{subject} should be {e!r}, yours is {a!r} (tolerance: rtol {tol[0]:g}, atol {tol[1]:g})"
    if type(e) is float and math.isnan(e) and math.isnan(a):
        return None
    if isinstance(e, Opaque) or not e == a:
        return f"{subject} should be {show(e)}, yours is {show(a)}{_first_char_difference(e, a)}"
    return None


def _raised_difference(e, a, subject: str) -> str | None:
    call = "the call" if subject == "the result" else subject
    if isinstance(e, Raised) and isinstance(a, Raised):
        if e.base == a.base:
            return None  # the contract names the exception ("raises ValueError"), not its message
        return f"{call} should raise {e.base}, yours raised {a.type}: {a.message}{a.where}"
    if isinstance(e, Raised):
        return f"{call} should raise {e.base}, yours returned {show(a)}"
    if subject == "the result":
        return f"the call raised {a.type}: {a.message}{a.where}"
    return f"{subject} should be a {kind(e)}, yours raised {a.type}: {a.message}{a.where}"


def _close(x: float, y: float, tol: tuple) -> bool:
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=tol[0], abs_tol=tol[1])


def _array_difference(e, a, subject: str, tol, e_dtype: str, a_dtype: str) -> str | None:
    """The first difference of two tensors (or two numpy arrays): dtype, shape, then the first value that differs."""
    import numpy as np

    if e_dtype != a_dtype:
        return f"{subject} should have dtype {e_dtype}, yours has {a_dtype}"
    if tuple(e.shape) != tuple(a.shape):
        return f"{subject} should have shape {tuple(e.shape)}, yours has {tuple(a.shape)}"
    x = e.float().numpy() if kind(e) == "tensor" and e.dtype.is_floating_point else np.asarray(e)
    y = a.float().numpy() if kind(a) == "tensor" and a.dtype.is_floating_point else np.asarray(a)
    if x.dtype.kind == "f" and tol is not None:
        same = np.isclose(y, x, rtol=tol[0], atol=tol[1], equal_nan=True)
    else:
        same = (x == y) | (np.isnan(x) & np.isnan(y) if x.dtype.kind == "f" else False)
    if same.all():
        return None
    i = tuple(int(k) for k in np.argwhere(~same)[0])
    within = f" (tolerance: rtol {tol[0]:g}, atol {tol[1]:g})" if tol is not None and x.dtype.kind == "f" else ""
    return f"{subject}{_index(i)} should be {_scalar(x[i])}, yours is {_scalar(y[i])}{within}"


def _scalar(v) -> str:
    v = v.item() if hasattr(v, "item") else v
    return f"{v:.6g}" if isinstance(v, float) else repr(v)


def _first_char_difference(e, a) -> str:
    """' (first difference at character i: ...)' for long strings, where a glance does not find it."""
    if type(e) is not str or type(a) is not str or (len(e) < 40 and len(a) < 40):
        return ""
    i = next((j for j, (x, y) in enumerate(zip(e, a)) if x != y), min(len(e), len(a)))
    return f" (first difference at character {i}: {e[i : i + 12]!r} vs {a[i : i + 12]!r})"


# --- showing, in messages -----------------------------------------------------------------------------------------


def show(x, width: int = MAX_SHOWN) -> str:
    """A Python-like repr of a decoded value, cut to `width` characters."""
    s = _show(x)
    return s if len(s) <= width else s[: width - 1] + "…"


def _show(x) -> str:
    if isinstance(x, Record):
        return f"{x.type.rsplit('.', 1)[-1]}(" + ", ".join(f"{k}={_show(v)}" for k, v in x.fields) + ")"
    if isinstance(x, Raised):
        return f"raised {x.type}: {x.message}" if x.message else f"raised {x.type}"
    if isinstance(x, Opaque):
        return f"<{x.type} object: {x.text}>"
    if type(x) is list:
        return "[" + ", ".join(map(_show, x)) + "]"
    if type(x) is tuple:
        return "(" + ", ".join(map(_show, x)) + ("," if len(x) == 1 else "") + ")"
    if isinstance(x, dict):  # keys in a fixed order: a mapping's order is not compared, and sets make it vary
        body = (
            "{" + ", ".join(f"{_show(k)}: {_show(v)}" for k, v in sorted(x.items(), key=lambda kv: repr(kv[0]))) + "}"
        )
        return body if type(x) is dict else f"{type(x).__name__}({body})"
    if kind(x) == "tensor":
        return f"tensor({_values(x.tolist())}, dtype={x.dtype})"
    if kind(x) == "ndarray":
        return f"array({_values(x.tolist())}, dtype={x.dtype})"
    return repr(x)


def _values(v) -> str:
    """Nested lists of numbers, floats to 4 significant digits."""
    if type(v) is list:
        return "[" + ", ".join(map(_values, v)) + "]"
    return f"{v:.4g}" if type(v) is float else repr(v)

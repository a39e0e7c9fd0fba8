"""course.wire: values cross processes as tagged plain data, decoded into values of the checker's own making, and
two of them compare by exact type and value, floats within a tolerance, with the first difference said in words."""

import dataclasses
import json
from collections import Counter, defaultdict

import numpy as np
import pytest
import torch

from course import wire
from ulmfit_ref.data import Reviews


class AlwaysEqual(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def roundtrip(x):
    return wire.decode(json.loads(wire.dumps(wire.encode(x))))


def diff(expected, actual, tol=None):
    return wire.difference(roundtrip(expected), roundtrip(actual), tol=tol)


def test_values_of_the_very_same_types_are_the_same():
    for x in (
        "a",
        1,
        1.5,
        None,
        True,
        [1, "a"],
        (1,),
        {"a": [1]},
        Counter("abca"),
        np.arange(3, dtype=np.int32),
        Reviews(["a"], [1]),
        torch.arange(6).view(2, 3),
        torch.zeros(0),
        float("nan"),
        b"\xff",
        {1, 2},
    ):
        assert diff(x, x) is None, x
    assert diff({"a": 1, "b": 2}, {"b": 2, "a": 1}) is None, "a mapping compares as a mapping"
    assert roundtrip(Counter("abca")) == Counter("abca") and type(roundtrip(Counter("ab"))) is Counter


def test_types_are_exact():
    assert (
        diff("a", AlwaysEqual("b"))
        == "the result should be a str, yours is a AlwaysEqual: <test_wire.AlwaysEqual object: 'b'>"
    )
    assert diff(1, True) and diff(1, 1.0) and diff([1], (1,)) and diff(Counter("ab"), {"a": 1, "b": 1})
    assert (
        diff({"a": 1}, defaultdict(int, {"a": 1}))
        == "the result should be a dict, yours is a defaultdict: defaultdict({'a': 1})"
    )
    assert diff(np.arange(3, dtype=np.int32), np.arange(3)) == "the result should have dtype int32, yours has int64"
    assert diff(torch.arange(3), torch.arange(3.0)) == "the result should have dtype int64, yours has float32"


def test_items_that_agree_within_the_tolerance_agree():
    # the answer [lr * factor ** -k ...] differs from lr / factor ** k in the last bits: a list, a dict of lists and a
    # dataclass of them fell through to "should have 6 items, yours has 6"
    lr, factor = 1e-3, 2.6
    ours = [lr / factor ** (5 - i) for i in range(6)]
    theirs = [lr * factor ** -(5 - i) for i in range(6)]
    assert ours != theirs
    tol = (1e-9, 1e-15)
    assert diff(ours, theirs, tol) is None
    assert diff({"lrs": ours}, {"lrs": theirs}, tol) is None
    assert diff(Reviews(["a"], ours), Reviews(["a"], theirs), tol) is None
    assert diff((ours, ours), (theirs, theirs), tol) is None
    i = next(i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b)
    assert diff(ours, theirs) == f"the result[{i}] should be {ours[i]!r}, yours is {theirs[i]!r}", (
        "exact without a tolerance"
    )


def test_a_difference_says_where():
    assert diff({"itos": ["a", "b"]}, {"itos": ["a", "c"]}) == "the result['itos'][1] should be 'b', yours is 'c'"
    assert diff(torch.tensor([[1, 102]]), torch.tensor([[1, 103]])) == "the result[0, 1] should be 102, yours is 103"
    assert diff(Reviews(["a"], [0]), Reviews(["a"], [1])) == "the result.labels[0] should be 0, yours is 1"
    assert diff([1, 2], [1]) == "the result should have 2 items, yours has 1: the first missing one is 2"
    assert diff([1], [1, 2]) == "the result should have 1 item, yours has 2: the first extra one is 2"
    assert diff([1], None) == "the result should be a list, yours is None (a missing `return`?)"
    assert diff(None, 3) == "the result should be None, yours is a int: 3"


def test_exceptions_compare_by_the_builtin_class_the_contract_names():
    def raised(e):
        return wire.decode(wire.raised(e))

    assert wire.difference(raised(ValueError("x")), raised(ValueError("y"))) is None
    assert wire.difference(raised(ValueError("x")), 3) == "the call should raise ValueError, yours returned 3"
    assert (
        wire.difference(raised(ValueError("x")), raised(TypeError("t")))
        == "the call should raise ValueError, yours raised TypeError: t"
    )
    assert wire.difference(3, raised(KeyError("k"))) == "the call raised KeyError: 'k'"


def test_an_object_that_calls_itself_a_tensor_is_not_one():
    class Tensor:
        __module__ = "torch"
        shape, dtype = (0,), "torch.int64"

        def tolist(self):
            return []

    fake = roundtrip(Tensor())
    assert isinstance(fake, wire.Opaque)
    assert wire.difference(roundtrip(torch.arange(4)), fake).startswith(
        "the result should be a tensor, yours is a Tensor"
    )


def test_a_forged_tensor_whose_values_do_not_fill_its_shape_is_refused():
    good = wire.encode(torch.arange(6).view(2, 3))
    short = [*good[:3], wire.encode(torch.arange(2))[3]]
    with pytest.raises(wire.WireError, match="shape"):
        wire.decode(short)
    with pytest.raises(wire.WireError):
        wire.decode(["tensor", "complex128", [1], ""])
    with pytest.raises(wire.WireError):
        wire.decode(["list", "not a list"])
    with pytest.raises(wire.WireError):
        wire.decode(["bool", 1])


def test_tensors_of_any_layout_travel_dense():
    expanded = torch.tensor([1.5]).expand(3)  # stride 0, as torch.stack of 0-d tensors can give
    assert roundtrip(expanded).tolist() == [1.5, 1.5, 1.5]
    assert roundtrip(torch.arange(6).view(2, 3).t()).tolist() == [[0, 3], [1, 4], [2, 5]]
    assert roundtrip(torch.ones(2, requires_grad=True) * 2).tolist() == [2.0, 2.0]


def test_circular_and_unreadable_values_are_tagged_not_raised():
    loop = []
    loop.append(loop)
    assert isinstance(roundtrip(loop)[0], list)

    class Bad:
        def __repr__(self):
            raise RuntimeError("no")

    assert "cannot be read" in roundtrip(Bad()).text


@dataclasses.dataclass
class Pair:
    a: int
    b: float


def test_dataclasses_are_records_by_qualified_name():
    r = roundtrip(Pair(1, 2.0))
    assert r == wire.Record("test_wire.Pair", (("a", 1), ("b", 2.0)))
    assert wire.show(r) == "Pair(a=1, b=2.0)"


def test_a_record_differs_from_one_of_other_fields_even_of_the_same_name():
    pair = wire.Record("test_wire.Pair", (("a", 1), ("b", 2.0)))
    empty = wire.Record("test_wire.Pair", ())
    assert "should have the fields a, b; yours has none" in wire.difference(pair, empty)
    assert "yours has a, c" in wire.difference(pair, wire.Record("test_wire.Pair", (("a", 1), ("c", 2.0))))
    assert wire.difference(pair, roundtrip(Pair(1, 2.0))) is None

"""Results cross processes as tagged plain data: exact types, values, and a difference said in words."""

from collections import Counter, defaultdict

import numpy as np

from grading import wire
from ulmfit_ref.data import Reviews


class AlwaysEqual(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def same(a, b) -> bool:
    return wire.difference(wire.encode(a), wire.encode(b)) is None


def test_values_of_the_very_same_types_are_the_same():
    for x in ("a", 1, 1.5, None, True, [1, "a"], (1,), {"a": [1]}, Counter("abca"), np.arange(3, dtype=np.int32), Reviews(["a"], [1])):
        assert same(x, x)
    assert same({"a": 1, "b": 2}, {"b": 2, "a": 1}), "a mapping compares as a mapping"


def test_types_are_exact():
    assert not same("a", AlwaysEqual("b")), "a str subclass whose == says True is not a str"
    assert not same(1, True) and not same(1, 1.0)
    assert not same([1], (1,))
    assert not same(Counter("ab"), {"a": 1, "b": 1})
    assert not same({"a": 1}, defaultdict(int, {"a": 1}))
    assert not same(np.arange(3, dtype=np.int32), np.arange(3))
    assert "should be a str" in wire.difference(wire.encode("a"), wire.encode(AlwaysEqual("a")))


def test_a_difference_says_where():
    d = wire.difference(wire.encode({"itos": ["a", "b"]}), wire.encode({"itos": ["a", "c"]}))
    assert d == "should be 'b' at ['itos'][1], yours is 'c'"
    assert "missing `return`" in wire.difference(wire.encode([1]), wire.encode(None))
    assert wire.difference(wire.encode(wire.Raised(ValueError("x"))), wire.encode(wire.Raised(ValueError("y")))) is None
    assert "should raise ValueError" in wire.difference(wire.encode(wire.Raised(ValueError())), wire.encode(3))


def test_inputs_round_trip():
    x = ("a", 1, -0.5, None, True, b"\xff", [1, (2, 3)], {"k": [1]})
    assert wire.decode(wire.encode(x)) == x

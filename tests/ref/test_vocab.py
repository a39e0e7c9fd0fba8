"""The Vocab: building, numericalizing, and safe saving and loading."""

import pickle
from collections import Counter

import numpy as np
import pytest

from ulmfit_ref.vocab import Vocab, load_itos


def test_build_keeps_the_most_common_after_the_specials():
    counts = Counter({"the": 10, "a": 8, "film": 5, "rare": 1, "_unk_": 99})
    v = Vocab.build(counts, max_vocab=2, min_freq=1)
    assert v.itos == ["_unk_", "_pad_", "the", "a"]
    assert v.stoi["_unk_"] == 0 and v.stoi["_pad_"] == 1


def test_min_freq_is_inclusive():
    counts = Counter({"three": 3, "two": 2})
    assert Vocab.build(counts, min_freq=3).itos == ["_unk_", "_pad_", "three"]
    assert Vocab.build(counts, min_freq=2).itos == ["_unk_", "_pad_", "three", "two"]


def test_ties_are_broken_by_first_appearance():
    assert Vocab.build(Counter(["b", "a", "a", "b", "c"]), min_freq=1).itos[2:] == ["b", "a", "c"]


def test_unknown_tokens_map_to_zero_and_the_vocab_does_not_grow():
    v = Vocab(["_unk_", "_pad_", "good"])
    ids = v.numericalize(["good", "never-seen", "good"])
    assert ids.dtype == np.int32 and ids.tolist() == [2, 0, 2]
    assert len(v.stoi) == 3 and len(v) == 3
    assert v.textify([2, 0, 1]) == "good _unk_ _pad_"


@pytest.mark.parametrize("itos, message", [(["a", "b"], "must start"), (["_unk_", "_pad_", "x", "x"], "repeat")])
def test_bad_itos_is_refused(itos, message):
    with pytest.raises(ValueError, match=message):
        Vocab(itos)


@pytest.mark.parametrize("max_vocab, min_freq", [(-1, 1), (10, 0)])
def test_bad_sizes_are_refused(max_vocab, min_freq):
    with pytest.raises(ValueError, match="max_vocab"):
        Vocab.build(Counter("abc"), max_vocab, min_freq)


def test_save_and_load_round_trip_as_json(tmp_path):
    v = Vocab(["_unk_", "_pad_", "\n", "café", "xbos"])
    v.save(tmp_path / "vocab.json")
    assert (tmp_path / "vocab.json").read_text(encoding="utf-8").startswith('["_unk_"')
    assert Vocab.load(tmp_path / "vocab.json").itos == v.itos


def test_the_seeds_pickled_itos_loads_with_a_warning(tmp_path):
    path = tmp_path / "itos.pkl"
    path.write_bytes(pickle.dumps(["_unk_", "_pad_", "the"]))
    with pytest.warns(UserWarning, match="pickled vocab"):
        assert Vocab.load(path).itos == ["_unk_", "_pad_", "the"]


class Evil:
    def __reduce__(self):
        return (print, ("code ran",))


def test_a_pickle_that_would_run_code_is_refused(tmp_path, capsys):
    path = tmp_path / "itos.pkl"
    path.write_bytes(pickle.dumps(["_unk_", Evil()]))
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="refusing to load builtins.print"):
        load_itos(path)
    assert "code ran" not in capsys.readouterr().out


@pytest.mark.parametrize("content", [b"not json", b'{"a": 1}', b'["a", 2]', b"\xff\xfe"])
def test_a_file_that_is_not_a_token_list_is_a_clear_error(tmp_path, content):
    path = tmp_path / "vocab.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="vocab.json"):
        load_itos(path)

"""The text rules, the tokenizer and its parallel, streaming driver."""

import multiprocessing
import os

import pytest

from ulmfit_ref import text
from ulmfit_ref.text import (
    Tokenizer,
    fixup,
    mark_fields,
    partition,
    partition_by_cores,
    proc_all_mp,
    read_tokens,
    replace_all_caps,
    replace_rep,
    replace_wrep,
    rm_useless_spaces,
    spec_add_spaces,
    tokenize_to_file,
)


@pytest.mark.parametrize(
    "raw, fixed",
    [
        ("it#39;s", "it's"),
        ("R amp; B", "R & B"),
        ("don#146;t", "don't"),
        ("a nbsp;b", "a b"),
        ("#36;5", "$5"),
        ("one\\ntwo", "one\ntwo"),
        ("quot;hi quot;", "'hi '"),
        ("end.<br /><br />Next", "end.\n\nNext"),
        ('say \\"hi\\"', 'say "hi"'),
        ("an <unk> word", "an u_n word"),
        ("1 @.@ 5 million", "1.5 million"),
        ("well @-@ known", "well-known"),
        ("a\\b", "a \\ b"),
        ("caf&eacute; &lt;3", "café <3"),
        ("too    many   spaces", "too many spaces"),
        ("", ""),
    ],
)
def test_fixup_repairs_each_kind_of_debris(raw, fixed):
    assert fixup(raw) == fixed


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("cooool", "c tk_rep 4 o l"),
        ("!!!!!!", " tk_rep 6 ! "),
        ("cool", "cool"),  # 2 repeats: untouched
        ("coool", "coool"),  # 3 repeats: untouched
        ("a    b", "a    b"),  # spaces are not characters to count
    ],
)
def test_replace_rep_counts_characters_repeated_four_times_or_more(raw, expected):
    assert replace_rep(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("no no no no ", " tk_wrep 4 no  "),
        ("so so so ", "so so so "),  # 3 repeats: untouched
        ("no no no no no", " tk_wrep 4 no  no"),  # the last word has no separator after it, so it is not counted
        ("bad, bad, bad, bad, film", " tk_wrep 4 bad,  film"),
    ],
)
def test_replace_wrep_counts_words_repeated_four_times_or_more(raw, expected):
    assert replace_wrep(raw) == expected


def test_spaces_around_slash_and_hash_then_collapsed():
    assert rm_useless_spaces(spec_add_spaces("10/10 #1")) == "10 / 10 # 1"


@pytest.mark.parametrize(
    "tokens, expected",
    [
        (["This", "is", "GREAT"], ["this", "is", "t_up", "great"]),
        (["I", "am", "OK"], ["i", "am", "ok"]),  # words under 3 characters get no t_up
        (["ABC123"], ["t_up", "abc123"]),
        (["Abc", "aBC"], ["abc", "abc"]),
        (["!!!"], ["!!!"]),  # no cased character: not all-caps
        ([], []),
    ],
)
def test_replace_all_caps_marks_then_lowercases(tokens, expected):
    assert replace_all_caps(tokens) == expected


def test_mark_fields_numbers_each_field_from_one():
    assert mark_fields(["a"]) == "xbos xfld 1 a"
    assert mark_fields(["title", "body"]) == "xbos xfld 1 title xfld 2 body"


def test_tokenizer_applies_all_rules_in_order():
    tok = Tokenizer()
    assert tok(mark_fields(["This film is SOOOO GOOD!!!!<br />10/10"])) == [
        "xbos", "xfld", "1", "this", "film", "is", "s", "tk_rep", "4", "o", "t_up", "good",
        "tk_rep", "4", "!", "\n", "10", "/", "10",
    ]


def test_tokenizer_keeps_an_empty_document():
    assert Tokenizer()(mark_fields([""])) == ["xbos", "xfld", "1"]


def test_partition_and_partition_by_cores_keep_every_item_in_order():
    items = list(range(10))
    assert list(partition(items, 4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    parts = partition_by_cores(items, 3)
    assert len(parts) == 3 and sum(parts, []) == items
    assert partition_by_cores([], 2) == []
    with pytest.raises(ValueError, match="at least 1"):
        list(partition(items, 0))


TEXTS = [mark_fields([f"Review {i}: {'GREAT' if i % 3 else 'bad'} film number {i}!!!!"]) for i in range(57)]


def test_proc_all_mp_equals_one_process_and_keeps_order():
    single = Tokenizer().proc_all(TEXTS)
    for n_workers in (1, 2):
        chunks = list(proc_all_mp(partition(TEXTS, 5), n_workers))
        assert sum(chunks, []) == single
        assert [len(c) for c in chunks] == [5] * 11 + [2]


def test_tokenize_to_file_streams_one_line_per_document(tmp_path):
    path = tmp_path / "tok.jsonl"
    texts = TEXTS + [mark_fields(["line\nbreak \u2028 and \x85 odd separators"])]
    n = tokenize_to_file(partition(texts, 8), path, n_workers=2)
    assert n == len(texts)
    assert list(read_tokens(path)) == Tokenizer().proc_all(texts)


def test_read_tokens_names_the_bad_line(tmp_path):
    path = tmp_path / "tok.jsonl"
    path.write_text('["a"]\nnot json\n')
    with pytest.raises(ValueError, match=r"line 2"):
        list(read_tokens(path))


def test_a_five_megabyte_single_line_document_is_tokenized():
    words = [f"word{i % 997}" for i in range(900_000)]
    doc = " ".join(words)
    assert len(doc) > 5_000_000 and "\n" not in doc
    assert Tokenizer()(mark_fields([doc])) == ["xbos", "xfld", "1"] + words


def test_default_workers_is_positive():
    assert text.default_workers() >= 1


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="workers inherit only when forked")
def test_forked_workers_reuse_the_parents_tokenizer_instead_of_loading_spacy_again(monkeypatch, tmp_path):
    made, real_init = tmp_path / "made", text.Tokenizer.__init__

    def counting_init(self, *args, **kwargs):
        with open(made, "a") as f:
            f.write(f"{os.getpid()}\n")
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(text.Tokenizer, "__init__", counting_init)
    monkeypatch.setattr(text, "_tokenizers", {})
    blocks = list(text.tokenize_blocks([["Good film."], ["Bad film."]] * 3, n_workers=2))
    assert len(blocks) == 6 and made.read_text().split() == [str(os.getpid())]

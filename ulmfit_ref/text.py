"""Text to tokens: `fixup`, the special-token rules, spaCy tokenization and its parallel, streaming driver."""

import html
import json
import multiprocessing
import os
import re
from collections import deque
from itertools import islice
from pathlib import Path

import spacy

from .files import atomic_write

BOS, FLD = "xbos", "xfld"  # start of a document; start of field N ("xfld N")
TK_UP, TK_REP, TK_WREP = "t_up", "tk_rep", "tk_wrep"  # all-caps word; repeated character; repeated word
UNK, PAD = "_unk_", "_pad_"
SPECIAL_TOKENS = (UNK, PAD, BOS, FLD, TK_UP, TK_REP, TK_WREP)

# (broken text, repair) pairs of the 2018 notebook's fixup, applied in this order.
FIXUP_REPLACEMENTS = (
    ("#39;", "'"),  # HTML entity for ' with its "&" lost
    ("amp;", "&"),
    ("#146;", "'"),
    ("nbsp;", " "),
    ("#36;", "$"),
    ("\\n", "\n"),  # escaped newline
    ("quot;", "'"),
    ("<br />", "\n"),  # IMDb's line breaks
    ('\\"', '"'),  # escaped quote
    ("<unk>", "u_n"),  # WikiText's unknown marker, kept apart from our _unk_
    (" @.@ ", "."),  # WikiText's split numbers: 1 @.@ 5 -> 1.5
    (" @-@ ", "-"),  # WikiText's split hyphens: well @-@ known -> well-known
    ("\\", " \\ "),  # a lone backslash becomes its own token
)
_re_spaces = re.compile(r"  +")
_re_rep = re.compile(r"(\S)(\1{3,})")
_re_wrep = re.compile(r"(\b\w+\W+)(\1{3,})")
_re_slash_hash = re.compile(r"([/#])")
_re_multi_space = re.compile(" {2,}")


def fixup(x: str) -> str:
    """Repair the HTML and WikiText debris of a raw text, then collapse repeated spaces.

    Taught in lesson 2; the 2018 notebook: `fixup`."""
    for broken, repair in FIXUP_REPLACEMENTS:
        x = x.replace(broken, repair)
    return _re_spaces.sub(" ", html.unescape(x))


def replace_rep(t: str) -> str:
    """`tk_rep N c` for a character repeated 4+ times: 'cooool' -> 'c tk_rep 4 o l'.

    Taught in lesson 3; fastai 0.7: `Tokenizer.replace_rep` (`tk_rep`)."""
    return _re_rep.sub(lambda m: f" {TK_REP} {len(m.group(2)) + 1} {m.group(1)} ", t)


def replace_wrep(t: str) -> str:
    """`tk_wrep N w` for a word repeated 4+ times: 'no no no no ' -> 'tk_wrep 4 no '.

    Taught in lesson 3; fastai 0.7: `Tokenizer.replace_wrep` (`tk_wrep`)."""
    return _re_wrep.sub(lambda m: f" {TK_WREP} {len(m.group(2).split()) + 1} {m.group(1)} ", t)


def spec_add_spaces(t: str) -> str:
    """Spaces around `/` and `#`, so that 'good/bad' gives three tokens."""
    return _re_slash_hash.sub(r" \1 ", t)


def rm_useless_spaces(t: str) -> str:
    """Collapse runs of spaces into one."""
    return _re_multi_space.sub(" ", t)


def replace_all_caps(tokens: list[str]) -> list[str]:
    """`t_up` before each word of 3+ characters in capitals, and every token lower-cased.

    Taught in lesson 3; fastai 0.7: `Tokenizer.do_caps` (`t_up`)."""
    res = []
    for t in tokens:
        if len(t) > 2 and t.isupper():
            res.append(TK_UP)
        res.append(t.lower())
    return res


PRE_RULES = (fixup, replace_rep, replace_wrep, spec_add_spaces, rm_useless_spaces)
POST_RULES = (replace_all_caps,)


def mark_fields(fields: list[str]) -> str:
    """One document from its fields: `xbos xfld 1 <field 1> xfld 2 <field 2> ...`.

    Taught in lesson 3; the 2018 notebook: `get_texts(df, n_lbls)` (`xbos`, `xfld`)."""
    return f"{BOS} " + " ".join(f"{FLD} {i} {f}" for i, f in enumerate(fields, 1))


class Tokenizer:
    """spaCy's `blank('en')` tokenizer wrapped in the pre-rules (on the string) and post-rules (on tokens).

    Taught in lesson 3; fastai 0.7: `Tokenizer`."""

    def __init__(self, lang: str = "en", pre_rules=PRE_RULES, post_rules=POST_RULES):
        self.tok = spacy.blank(lang).tokenizer
        self.pre_rules, self.post_rules = pre_rules, post_rules

    def __call__(self, text: str) -> list[str]:
        """Tokens of one text."""
        for rule in self.pre_rules:
            text = rule(text)
        tokens = [t.text for t in self.tok(text)]
        for rule in self.post_rules:
            tokens = rule(tokens)
        return tokens

    def proc_all(self, texts) -> list[list[str]]:
        """Tokens of each text, in order."""
        return [self(t) for t in texts]


def partition(items, size: int):
    """Consecutive lists of `size` items (the last may be shorter) from any iterable."""
    if size < 1:
        raise ValueError(f"partition size must be at least 1, got {size}")
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def partition_by_cores(items: list, n_workers: int) -> list[list]:
    """The 2018 notebook's split of a list into `n_workers` consecutive, near-equal parts.

    Taught in lesson 3; fastai 0.7: `partition_by_cores`."""
    size = max(1, -(-len(items) // max(1, n_workers)))
    return list(partition(items, size))


_tokenizers: dict[str, Tokenizer] = {}


def _tokenizer(lang: str) -> Tokenizer:
    """This process's Tokenizer for `lang`, made once: forked workers inherit the parent's, caches warm."""
    if lang not in _tokenizers:
        _tokenizers[lang] = Tokenizer(lang)
    return _tokenizers[lang]


def _tokenize_block(texts: list[str], lang: str) -> str:
    """Tokens of a chunk of texts as one JSON-lines block: far cheaper to send between processes than lists."""
    return "\n".join(json.dumps(tokens, ensure_ascii=False) for tokens in _tokenizer(lang).proc_all(texts))


def _mp_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def tokenize_blocks(chunks, n_workers: int = None, lang: str = "en"):
    """Tokenize an iterable of text chunks over `n_workers` processes; yields JSON-lines blocks in input order."""
    n_workers = n_workers or default_workers()
    _tokenizer(lang)  # made before the fork, so no worker loads spaCy again
    if n_workers == 1:
        yield from (_tokenize_block(chunk, lang) for chunk in chunks)
        return
    with _mp_context().Pool(n_workers) as pool:
        pending = deque()  # at most 2 chunks in flight per worker, so memory does not grow with the corpus
        for chunk in chunks:
            pending.append(pool.apply_async(_tokenize_block, (chunk, lang)))
            if len(pending) >= 2 * n_workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def proc_all_mp(chunks, n_workers: int = None, lang: str = "en"):
    """Tokenize an iterable of text chunks over `n_workers` processes; yields token lists in input order.

    fastai 0.7: `Tokenizer.proc_all_mp`."""
    for block in tokenize_blocks(chunks, n_workers, lang):
        yield [json.loads(line) for line in block.split("\n")] if block else []


def default_workers() -> int:
    """The number of cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def tokenize_to_file(chunks, path: Path, n_workers: int = None, lang: str = "en") -> int:
    """Tokenize text chunks in parallel into a JSON-lines file (a document per line); returns how many were written.

    Taught in lesson 4;
    the 2018 notebook: `Tokenizer().proc_all_mp(partition_by_cores(texts))` over `chunksize` rows."""
    n = 0
    with atomic_write(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        for block in tokenize_blocks(chunks, n_workers, lang):
            if block:
                f.write(block)
                f.write("\n")
                n += block.count("\n") + 1
    return n


def read_tokens(path: Path):
    """Yield the token list of each document of a JSON-lines token file."""
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            try:
                yield json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}, line {i}: not a JSON list of tokens ({e})") from None

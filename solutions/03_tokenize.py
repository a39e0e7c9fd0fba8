# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 3 — Tokenization tricks, and tokenizing over all cores
#
# A language model reads **tokens**: words, punctuation, and a few special tokens that we add. Every
# choice made here changes what the model can learn. Lower-casing every word lets `Great` and `great`
# share what is learned about them, but loses the shouting in `GREAT`; `sooooo` is a word the model
# may never have seen, while `so` is one of the most common. ULMFiT's answer is to keep the
# vocabulary small and the information in, with special tokens:
#
# | token | meaning | example |
# | --- | --- | --- |
# | `xbos` | the beginning of a document | the model reads documents one after another; this tells it a new one starts |
# | `xfld N` | the start of field N of a document | `xfld 1` title, `xfld 2` body |
# | `t_up` | the next word was written in capitals | `GREAT` → `t_up great` |
# | `tk_rep N c` | the character `c` repeated `N` times | `sooooo` → `s tk_rep 5 o` |
# | `tk_wrep N w` | the word `w` repeated `N` times | `no no no no` → `tk_wrep 4 no` |
#
# **By the end of this lesson you can**
# 1. write the rules that add `tk_rep`, `tk_wrep`, `t_up` and `xbos` / `xfld`, and agree with the
#    reference's tokens;
# 2. write the test that tells a right `replace_all_caps` from the ways it goes wrong;
# 3. tokenize with spaCy's rule-based tokenizer (`spacy.blank("en")`, no model to download), chain the rules
#    into a tokenizer, and predict what it makes of a review;
# 4. split the work over the cores of the machine and measure the speed-up.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()`, then
# run the check cell below it. `fixup` comes from the reference, so this lesson does not need your
# lesson 2.

# %%
import multiprocessing
import os
import re
import time
from math import ceil

import spacy

from course.data import lesson_imdb
from course.exercises import check
from ulmfit_ref.data import read_imdb
from ulmfit_ref.text import Tokenizer, default_workers, fixup, rm_useless_spaces, spec_add_spaces

# %% tags=["parameters"]
DATA = None  # None: the IMDb data found for this folder (see lesson 1); a path; or "tiny"
N_PER_CLASS = 200
N_SPEEDUP = 2000  # documents tokenized to measure the speed-up (the reviews, repeated as needed)

# %%
imdb = lesson_imdb(DATA, N_PER_CLASS)
reviews = read_imdb(imdb)
texts = reviews["train"].texts + reviews["test"].texts
print(f"{len(texts)} reviews")

# %% [markdown]
# ## spaCy's tokenizer
#
# `spacy.blank("en")` is an English pipeline with no trained model in it: only the tokenizer, made of
# rules (split on spaces, then split off punctuation, prefixes and suffixes, with exceptions such as
# `don't` → `do`, `n't`). It needs no download and is fast. Each token keeps its text in `.text`.

# %%
nlp = spacy.blank("en")
sample = fixup("I didn't like it... <br /><br />NOT AT ALL!!!! 1/10, #worst")
print(repr(sample))
print([t.text for t in nlp.tokenizer(sample)])

# %% [markdown]
# Notice the `'\n\n'` token for the paragraph break (kept: a paragraph break tells something), `1/10`
# left whole (a rare token, where `1`, `/` and `10` are common ones), and `!!!!` cut into four `!`.
# The rules below deal with both before spaCy sees the text.
#
# ## Exercise 1: `replace_rep`
#
# **Goal:** `sooooo` and `sooo` are rare words, `so` is a common one: keep the common word and say how
# long the run was. Write `replace_rep(t)`, with this contract:
# - a *run* is a character that is not whitespace written **4 or more** times in a row (`n` times in all);
# - each run becomes the text `" tk_rep n c "`: a space, the special token `tk_rep` (given in the table above), the
#   count `n`, the character `c`, a space;
# - everything else, runs of 3 or fewer and runs of whitespace (spaces, `"\n"`, `"\r"` and the other line breaks)
#   included, is left as it is; `t` is a `str`, and so is the result.
#
# `replace_rep("cooool")` is `"c tk_rep 4 o l"`, and `"aaa"` (only 3) stays `"aaa"`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# How would you find, in one pass over the text, "a character, then the same character at least three more times"?
# Which tool lets the replacement depend on what was found?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# A regular expression can refer back to what one of its groups matched (`\1`); `\S` is any character but
# whitespace; `re.sub` accepts a function of the match in place of the replacement text. Mind the count: it is the
# whole run, the first character included.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `re.sub(r"(\S)(\1{3,})", lambda m: f" tk_rep {len(m.group(2)) + 1} {m.group(1)} ", t)`: group 1 is the
# character, group 2 its repeats after the first.
#
# </details>
#
# Reference: [`ulmfit_ref.text.replace_rep`](../docs/API.md#replace_rep).

# %% nbgrader={"grade": false, "grade_id": "replace_rep", "locked": false, "schema_version": 3, "solution": true, "task": false}
def replace_rep(t: str) -> str:
    """`tk_rep N c` for a character repeated 4+ times: 'cooool' -> 'c tk_rep 4 o l'."""
    ### BEGIN SOLUTION
    return re.sub(r"(\S)(\1{3,})", lambda m: f" tk_rep {len(m.group(2)) + 1} {m.group(1)} ", t)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "replace_rep-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("replace_rep", replace_rep)
### BEGIN HIDDEN TESTS
check("replace_rep", replace_rep, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2: `replace_wrep`
#
# **Goal:** the same for words: `no no no no` becomes one count and one word. Write `replace_wrep(t)`, with this
# contract:
# - a *word unit* is a word (one or more word characters, starting where a word starts) with all the non-word
#   characters after it (its separator: `" "`, `", "`, `"!"`, a line break...), and there is at least one;
# - wherever a word unit is written **4 or more** times in a row, exactly (same word, same case, same separator), the
#   run becomes `" tk_wrep n u "`: a space, the special token `tk_wrep`, the count `n`, the word unit `u` with its
#   separator, a space;
# - `n` is counted as the 2018 notebook counted it, which is not always the number of copies (with a separator that is
#   not whitespace it is less): the cell gives it to you as `wrep_count(copies)`, `copies` being the text of the run
#   after its first word unit; everything else is left as it is.
#
# `replace_wrep("no no no no ")` is `" tk_wrep 4 no  "` (note the spaces: the separator of `no ` and the space after
# it); `"no no no"` (3 times) is unchanged.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# What did `replace_rep` look for, and what changes when the unit that repeats is a word with its separator instead of
# one character?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# The same back-reference, on a group that is a word unit: `\b` (where a word starts), `\w+` (the word), `\W+` (its
# separator). Check it on `"why why why why did I watch this?"`: the unit `"why "`, four times.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `re.sub(r"(\b\w+\W+)(\1{3,})", lambda m: f" tk_wrep {wrep_count(m.group(2))} {m.group(1)} ", t)`.
#
# </details>
#
# Reference: [`ulmfit_ref.text.replace_wrep`](../docs/API.md#replace_wrep).

# %% nbgrader={"grade": false, "grade_id": "replace_wrep", "locked": false, "schema_version": 3, "solution": true, "task": false}
def wrep_count(copies: str) -> int:
    """fastai 0.7's count of a repeated word unit, from the run's text after its first unit (given)."""
    return len(copies.split()) + 1


def replace_wrep(t: str) -> str:
    """`tk_wrep N w` for a word repeated 4+ times: 'no no no no ' -> ' tk_wrep 4 no  '."""
    ### BEGIN SOLUTION
    return re.sub(r"(\b\w+\W+)(\1{3,})", lambda m: f" tk_wrep {wrep_count(m.group(2))} {m.group(1)} ", t)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "replace_wrep-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("replace_wrep", replace_wrep)
### BEGIN HIDDEN TESTS
check("replace_wrep", replace_wrep, full=True)
### END HIDDEN TESTS

# %% [markdown]
# **Predict, then run.** A real review ends `"...come quietly HA HA HA HA HA HA HA HA"`: eight `HA`,
# and nothing after the last one. What does `replace_wrep` make of it: which count `n`, and what is
# left over? Write it down, then run the cell (with your `replace_wrep`).

# %%
print(repr(replace_wrep("come quietly HA HA HA HA HA HA HA HA")))

# %% [markdown]
# Seven, not eight: a word unit is a word *and the separator after it*, and the last `HA` has none,
# so it is not a copy of `"HA "`. It stays behind as a word of its own.
#
# Both rules leave extra spaces behind, and spaCy turns a run of spaces into a whitespace token. Two
# small rules from the reference clean up before tokenizing: `spec_add_spaces` puts spaces around
# `/` and `#` (so `1/10` gives `1`, `/`, `10` and `#worst` gives `#`, `worst`: `10` and `worst` are
# words the model knows), and `rm_useless_spaces` turns every run of spaces into one.

# %%
step = replace_wrep(replace_rep(fixup("Sooooo good, no no no no no way! 10/10 #best")))
print(repr(step))
print(repr(rm_useless_spaces(spec_add_spaces(step))))

# %% [markdown]
# ## Exercise 3: `replace_all_caps`
#
# **Goal:** one embedding for `great`, `Great` and `GREAT`, and the shouting kept. This rule works on the list of
# tokens, after spaCy. Write `replace_all_caps(tokens)`, with this contract:
# - it returns a new list that holds every token lower-cased, in order;
# - a token of **3 or more characters** that is written in capitals (`str.isupper()` says so: every cased character
#   upper-case, and at least one) gets the special token `t_up` just before it; short words such as `I`, `OK` or `TV`
#   get none (they are written in capitals anyway), nor do tokens with no letters (`!!!`);
# - the list it is given is left as it was.
#
# `replace_all_caps(["I", "LOVED", "it"])` is `["i", "t_up", "loved", "it"]`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# The result can be longer than the input: how many tokens does each input token give, and when?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Build a new list with a loop: for each token, maybe append the marker, then always append the lower-cased token.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# ```python
# res = []
# for t in tokens:
#     if len(t) > 2 and t.isupper():
#         res.append("t_up")
#     res.append(t.lower())
# return res
# ```
#
# </details>
#
# Reference: [`ulmfit_ref.text.replace_all_caps`](../docs/API.md#replace_all_caps).

# %% nbgrader={"grade": false, "grade_id": "replace_all_caps", "locked": false, "schema_version": 3, "solution": true, "task": false}
def replace_all_caps(tokens: list) -> list:
    """`t_up` before each word of 3+ characters in capitals, and every token lower-cased."""
    ### BEGIN SOLUTION
    res = []
    for t in tokens:
        if len(t) > 2 and t.isupper():
            res.append("t_up")
        res.append(t.lower())
    return res
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "replace_all_caps-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("replace_all_caps", replace_all_caps)
### BEGIN HIDDEN TESTS
check("replace_all_caps", replace_all_caps, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4: write the test of `replace_all_caps`
#
# The checks of this course are tests: they call the code and say what is wrong. Now you write one. Write
# `test_replace_all_caps(replace_all_caps)`: it is given *some* `replace_all_caps` and must raise (an `assert` that
# fails) when that function breaks the contract of exercise 3, and return quietly when it keeps it. Your test is run on
# the correct function, on one written differently (both must pass), and on several hidden buggy versions, each a
# mistake people make with this rule; your score is the share of the bugs it catches.
#
# Decide what to assert: which tokens tell a right `replace_all_caps` from a wrong one? A test on `["I", "LOVED", "it"]`
# alone catches little.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Which tokens sit just at the edges of the rule? Think of length (2 and 3 characters), of case (all capitals, a
# capital first, none) and of tokens with no letters at all. And what must not happen to the list you pass in?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Write one list of tokens that holds each of those cases, write by hand the list the contract gives for it, and assert
# the two are equal; keep a copy of your input and assert it is unchanged after the call.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "test_replace_all_caps", "locked": false, "schema_version": 3, "solution": true, "task": false}
def test_replace_all_caps(replace_all_caps) -> None:
    """Raise when `replace_all_caps` breaks its contract; return quietly when it keeps it."""
    ### BEGIN SOLUTION
    tokens = ["I", "LOVED", "it", "OK", "BAD", "Great", "!!!", "10/10", "HBO's", "\n"]
    before = list(tokens)
    out = replace_all_caps(tokens)
    assert out == ["i", "t_up", "loved", "it", "ok", "t_up", "bad", "great", "!!!", "10/10", "hbo's", "\n"], out
    assert tokens == before, "replace_all_caps should leave the list it is given as it was"
    assert replace_all_caps([]) == [], "no tokens give no tokens"
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_replace_all_caps-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("test_replace_all_caps", test_replace_all_caps)

# %% [markdown]
# ## Exercise 5: `mark_fields`
#
# A document may have several text fields; the standard CSV of lesson 1 has one column per field.
# Before tokenizing, the fields of a document are joined into one text that says where it starts and
# where each field starts. **Goal:** one text per document, in which the model can see where the document and each
# of its fields start. Write `mark_fields(fields)`, with this contract:
# - `fields` is a list of strings, the document's fields in order (left as it was);
# - the result is one string: the special token `xbos`, then for each field its marker `xfld i` (`i` counting the
#   fields from 1) and the field's text, all of these parts separated by single spaces;
# - the fields' own text is kept as it is (line breaks included); with no field at all, the result is `"xbos "`.
#
# `mark_fields(["Title", "Body"])` is `"xbos xfld 1 Title xfld 2 Body"`.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Which part is written once, and which once per field? What numbers the fields for you?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `enumerate(fields, 1)` counts from 1; `" ".join(...)` puts single spaces between parts (and none after the last).
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `"xbos " + " ".join(f"xfld {i} {f}" for i, f in enumerate(fields, 1))`.
#
# </details>
#
# (The 2018 notebook numbered the fields `xfld 1` for every field after the first; numbering them 1,
# 2, 3... is one of the reference's two deliberate changes.)
#
# Reference: [`ulmfit_ref.text.mark_fields`](../docs/API.md#mark_fields).

# %% nbgrader={"grade": false, "grade_id": "mark_fields", "locked": false, "schema_version": 3, "solution": true, "task": false}
def mark_fields(fields: list) -> str:
    """One document from its fields: `xbos xfld 1 <field 1> xfld 2 <field 2> ...`."""
    ### BEGIN SOLUTION
    return "xbos " + " ".join(f"xfld {i} {f}" for i, f in enumerate(fields, 1))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "mark_fields-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("mark_fields", mark_fields)
### BEGIN HIDDEN TESTS
check("mark_fields", mark_fields, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Your tokenizer
#
# The rules in order: on the string `fixup`, `replace_rep`, `replace_wrep`, `spec_add_spaces`,
# `rm_useless_spaces`; then spaCy; then on the tokens `replace_all_caps`. Each rule is a plain
# function from string to string (or tokens to tokens), so the tokenizer is a loop over a list.
# We check it against the reference `Tokenizer` on real reviews.

# %%
PRE_RULES = [fixup, replace_rep, replace_wrep, spec_add_spaces, rm_useless_spaces]
POST_RULES = [replace_all_caps]


def tokenize(text: str) -> list:
    """The tokens of one text: string rules, spaCy, token rules."""
    for rule in PRE_RULES:
        text = rule(text)
    tokens = [t.text for t in nlp.tokenizer(text)]
    for rule in POST_RULES:
        tokens = rule(tokens)
    return tokens


docs = [mark_fields([t]) for t in texts[:200]]
reference = Tokenizer()
same = sum(tokenize(d) == reference(d) for d in docs)
print(f"your tokenizer agrees with the reference on {same} of {len(docs)} reviews")
print(tokenize(docs[0])[:60])

# %% [markdown]
# ## Exercise 6: predict the tokens of a review
#
# A short review, written as reviews are: `"NOT funny. Sooooo BORING, no no no no way!!! 1/10"`. Its text has 10 words
# between spaces. How many tokens does the reference tokenizer make of `mark_fields([review])`, every special token
# counted? Work it out on paper, rule by rule (no code), write it in `predicted_tokens`, run its check, then run the
# cell after it. Only the exact count passes.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Which rules fire on this review, and how many tokens does each one add or take away? What does `mark_fields` put in
# front of it?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Go through the rules in their order: `replace_rep` needs 4 of a character, `replace_wrep` 4 of a word unit,
# `spec_add_spaces` splits at `/`, spaCy splits punctuation from words, and `t_up` needs 3 capitals or more.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "predicted_tokens", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
predicted_tokens = 3 + 2 + 2 + 4 + 3 + 3 + 4 + 3  # xbos xfld 1, t_up not, funny ., s tk_rep 5 o, ... 1 / 10
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "predicted_tokens-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("predicted_tokens", predicted_tokens)

# %%
review_tokens = reference(mark_fields(["NOT funny. Sooooo BORING, no no no no way!!! 1/10"]))
print(f"{len(review_tokens)} tokens: {review_tokens}")

# %% [markdown]
# `Sooooo` gave 4 tokens and `!!!` 3 (only 3 of them: no `tk_rep`), `no no no no` 3, `1/10` 3, and each word in
# capitals 2. A review usually has more tokens than words: the special tokens and the punctuation add more than the
# rules take away.

# %% [markdown]
# ## Over all cores
#
# spaCy's tokenizer runs on one core. The whole of IMDb is 100,000 reviews and about 27 million
# tokens: at about 100,000 tokens a second with the rules, that is 4–5 minutes on one core. The 2018
# course split the texts into one part per core (`partition_by_cores`) and tokenized the parts in
# parallel processes.
#
# ## Exercise 7: `partition_by_cores`
#
# **Goal:** one part of the work per process, so that no process waits long for the busiest one. Write
# `partition_by_cores(items, n_workers)`, with this contract (`n_workers` is 1 or more):
# - it returns a list of lists, consecutive parts of `items`: joining them gives `items` back, in order, so that the
#   tokens come back in the order of the texts;
# - no part is empty, and there are at most `n_workers` parts (fewer when there are fewer items than workers);
# - no part holds more than its share, the number of items divided by `n_workers`, rounded up;
# - `items` is left as it was; an empty list gives `[]`.
#
# `partition_by_cores(list(range(10)), 3)` may give `[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]` (the 2018 notebook's cut:
# parts of the share, the last one shorter) or `[[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]`: both keep the contract.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# If every part but the last has the same size, which size makes at most `n_workers` parts, none too long?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `math.ceil` rounds up (or `-(-a // b)`); `range(start, stop, step)` gives the start of each part; slices do the rest.
# Mind the empty list: a step of 0 is an error.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `size = max(1, ceil(len(items) / n_workers))`, then `[items[i : i + size] for i in range(0, len(items), size)]`.
#
# </details>
#
# Reference: [`ulmfit_ref.text.partition_by_cores`](../docs/API.md#partition_by_cores).

# %% nbgrader={"grade": false, "grade_id": "partition_by_cores", "locked": false, "schema_version": 3, "solution": true, "task": false}
def partition_by_cores(items: list, n_workers: int) -> list:
    """The 2018 notebook's split of a list into `n_workers` consecutive, near-equal parts."""
    ### BEGIN SOLUTION
    size = max(1, ceil(len(items) / n_workers))
    return [items[i : i + size] for i in range(0, len(items), size)]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "partition_by_cores-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("partition_by_cores", partition_by_cores)
### BEGIN HIDDEN TESTS
check("partition_by_cores", partition_by_cores, full=True)
### END HIDDEN TESTS

# %% [markdown]
# Now the measurement: the same texts tokenized in this process, then in one process per core, each
# process taking one part. Both runs start from a fresh tokenizer: spaCy caches the analysis of each
# word it has seen, and a cache left warm by the first run would favour the second. The processes are started with `fork`, so they inherit `tokenize` and
# `nlp` from this notebook (with `spawn`, the default on macOS and Windows, a function defined in a
# notebook cannot be sent to a worker: use `ulmfit_ref.text.proc_all_mp` there).

# %%
def tokenize_all(texts: list) -> list:
    """The tokens of each text, in this process."""
    return [tokenize(t) for t in texts]


def tokenize_parallel(texts: list, n_workers: int) -> list:
    """The tokens of each text, one part per process, in input order."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ctx.Pool(n_workers) as pool:
        return [tokens for part in pool.map(tokenize_all, partition_by_cores(texts, n_workers)) for tokens in part]


work = [mark_fields([t]) for t in (texts * (1 + N_SPEEDUP // len(texts)))[:N_SPEEDUP]]
n_workers = default_workers()
load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")  # processes wanting a core, lately
nlp = spacy.blank("en")  # a fresh tokenizer before each run: spaCy caches the words it has seen
start = time.perf_counter()
one = tokenize_all(work)
t_one = time.perf_counter() - start
nlp = spacy.blank("en")  # the forked workers inherit this one, cold like the first
start = time.perf_counter()
many = tokenize_parallel(work, n_workers)
t_many = time.perf_counter() - start
n_tokens = sum(map(len, one))
assert many == one, "the parallel tokens differ from the serial ones"
print(f"{len(work)} documents, {n_tokens:,} tokens; {n_workers} cores, load average before the runs {load:.1f}")
print(f"1 process:   {t_one:5.2f} s, {n_tokens / t_one:>9,.0f} tokens/s")
print(f"{n_workers} processes: {t_many:5.2f} s, {n_tokens / t_many:>9,.0f} tokens/s, speed-up {t_one / t_many:.2f}x")

# %% [markdown]
# Read the speed-up together with the load average. On an idle machine it approaches the number of
# cores, less what starting the processes and sending every token list back (pickled) costs: the
# project measured 1.8× on 2 idle cores with fastai's tokenizer. When other programs already keep the
# cores busy (a load average at or above the number of cores), the second process only competes with
# them and the speed-up shrinks, or the parallel run is even the slower one. Try `N_SPEEDUP = 300` too:
# on a few hundred reviews the start-up and the transfers outweigh the gain.
#
# One more problem appears at full scale: `pool.map` holds every text and every token list in memory
# at once, and the 2018 course's tokenization of a large corpus ran out of memory (fastai issues
# #1195, #1998). The reference `tokenize_to_file` streams instead: it sends chunks of 1,000 documents
# to the workers, keeps at most two chunks per worker in flight, and writes each chunk's tokens to disk
# as soon as it is back, in input order, so memory stays flat however large the corpus.
#
# ## What you built
#
# - `replace_rep`, `replace_wrep`: repetitions become a count and the repeated unit, words the model
#   already knows.
# - `replace_all_caps`: everything lower-cased, with `t_up` keeping the emphasis of capitals; and a test that catches
#   the ways it goes wrong.
# - `mark_fields`: `xbos` and `xfld N` mark where a document and each of its fields start.
# - A tokenizer that chains the rules around spaCy and agrees with the reference, what it makes of a review, and
#   `partition_by_cores` to run it on every core, with its speed-up measured.
#
# Next, in lesson 4: from tokens to numbers — counting tokens, choosing the vocabulary, and the ids
# that the model reads.

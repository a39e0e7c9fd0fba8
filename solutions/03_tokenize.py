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
# 1. write the rules that add `tk_rep`, `tk_wrep`, `t_up` and `xbos` / `xfld`, exactly as the
#    reference does;
# 2. tokenize with spaCy's rule-based tokenizer (`spacy.blank("en")`, no model to download);
# 3. chain the rules into a tokenizer, and check it against the reference on real reviews;
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
# Write `replace_rep(t)`: wherever a character that is not whitespace is followed by **3 or more**
# copies of itself (`n` copies in all, so `n >= 4`), replace the run with `" tk_rep n c "` — the
# token, the count, the character, with a space on each side. Everything else is unchanged.
# `replace_rep("cooool")` is `"c tk_rep 4 o l"`; `"aaa"` (only 3) stays `"aaa"`.
#
# <details><summary><b>Stuck?</b> (open after you tried)</summary>
#
# A regular expression with a back-reference, `(\S)(\1{3,})`: group 1 is the character, group 2 its
# repeats; `re.sub` accepts a function that builds the replacement from the match.
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
# Write `replace_wrep(t)`: a *word unit* is a word (`\b\w+`) with the non-word characters after it
# (`\W+`, such as `" "` or `", "`). Wherever a word unit is followed by **3 or more** exact copies of
# itself (same word, same case, same separator), replace the whole run with
# `" tk_wrep n u "`, where `u` is the word unit (with its separator) and `n` counts as the 2018
# notebook counts: `len(repeats.split()) + 1`, `repeats` being the copies after the first. For a separator of
# spaces only, `n` is the number of times the word appears.
# `replace_wrep("no no no no ")` is `" tk_wrep 4 no  "` (note the spaces: the separator of `no ` and
# the space after it); `"no no no"` (3 times) is unchanged.
#
# <details><summary><b>Stuck?</b> (open after you tried)</summary>
#
# The same back-reference trick as `replace_rep`, on word units: `(\b\w+\W+)(\1{3,})`.
#
# </details>
#
# Reference: [`ulmfit_ref.text.replace_wrep`](../docs/API.md#replace_wrep).

# %% nbgrader={"grade": false, "grade_id": "replace_wrep", "locked": false, "schema_version": 3, "solution": true, "task": false}
def replace_wrep(t: str) -> str:
    """`tk_wrep N w` for a word repeated 4+ times: 'no no no no ' -> ' tk_wrep 4 no  '."""
    ### BEGIN SOLUTION
    return re.sub(r"(\b\w+\W+)(\1{3,})", lambda m: f" tk_wrep {len(m.group(2).split()) + 1} {m.group(1)} ", t)
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
# This rule works on the list of tokens, after spaCy. Write `replace_all_caps(tokens)`: it returns a
# new list where every token is lower-cased, and a token of **more than 2 characters** that is all in
# capitals (`t.isupper()`) is preceded by `"t_up"`. Short words such as `I`, `OK` or `TV` get no
# `t_up`: they are written in capitals anyway.
# `replace_all_caps(["I", "LOVED", "it"])` is `["i", "t_up", "loved", "it"]`.
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
# ## Exercise 4: `mark_fields`
#
# A document may have several text fields; the standard CSV of lesson 1 has one column per field.
# Before tokenizing, the fields of a document are joined into one text that says where it starts and
# where each field starts. Write `mark_fields(fields)`: it returns `"xbos "` followed by, for each
# field numbered from 1, `"xfld i <field>"`, these parts joined by single spaces.
# `mark_fields(["Title", "Body"])` is `"xbos xfld 1 Title xfld 2 Body"`.
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
# ## Over all cores
#
# spaCy's tokenizer runs on one core. The whole of IMDb is 100,000 reviews and about 27 million
# tokens: at about 100,000 tokens a second with the rules, that is 4–5 minutes on one core. The 2018
# course split the texts into one part per core (`partition_by_cores`) and tokenized the parts in
# parallel processes.
#
# ## Exercise 5: `partition_by_cores`
#
# **Goal:** one part of the work per process, as the 2018 notebook cut it. Write
# `partition_by_cores(items, n_workers)`, with this contract:
# - it returns a list of lists, consecutive parts of `items`: joining them gives `items` back, in order;
# - every part has `size = max(1, ceil(len(items) / n_workers))` items, but the last, which may be
#   shorter; so there may be fewer than `n_workers` parts (10 items over 4 workers: 3, 3, 3, 1);
# - an empty list gives `[]`; `partition_by_cores(list(range(10)), 3)` is `[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]`.
#
# Reference: [`ulmfit_ref.text.partition_by_cores`](../docs/API.md#partition_by_cores).

# %% nbgrader={"grade": false, "grade_id": "partition_by_cores", "locked": false, "schema_version": 3, "solution": true, "task": false}
def partition_by_cores(items: list, n_workers: int) -> list:
    """The 2018 notebook's split of a list into `n_workers` consecutive, near-equal parts."""
    ### BEGIN SOLUTION
    size = max(1, ceil(len(items) / max(1, n_workers)))
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
# - `replace_all_caps`: everything lower-cased, with `t_up` keeping the emphasis of capitals.
# - `mark_fields`: `xbos` and `xfld N` mark where a document and each of its fields start.
# - A tokenizer that chains the rules around spaCy and agrees with the reference, and
#   `partition_by_cores` to run it on every core, with its speed-up measured.
#
# Next, in lesson 4: from tokens to numbers — counting tokens, choosing the vocabulary, and the ids
# that the model reads.

# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 2 — `fixup`: repairing the debris in raw text
#
# Text scraped from the web carries the marks of where it came from: HTML line breaks, HTML
# entities, escaped quotes. A tokenizer cuts `<br />` into `<`, `br`, `/`, `>`: four tokens of noise
# repeated in most reviews, which the language model then spends effort predicting. And the
# pretrained language model of ULMFiT learned its English from WikiText-103, whose text marks
# hyphens and decimal points in its own way; our text should look like the text it saw.
#
# `fixup` is the first rule applied to every document: a fixed list of string replacements, each
# repairing one kind of debris, then `html.unescape` for the HTML entities that are left, then one
# space where there were several.
#
# **By the end of this lesson you can**
# 1. name each replacement of `fixup`, the debris it repairs and where that debris comes from;
# 2. write `fixup` so that it gives exactly what the reference gives;
# 3. measure, on real reviews, how often each replacement fires, and spot the one that does harm.
#
# Run the cells in order; write the exercise's body in place of `raise NotImplementedError()`,
# then run the check cell below it.

# %%
import html
import re
from collections import Counter

from course.data import lesson_imdb
from course.exercises import check
from ulmfit_ref.data import read_imdb

# %% tags=["parameters"]
DATA = None  # None: the IMDb data found for this folder (lesson 1 says where from); a path; or "tiny"
N_PER_CLASS = 200

# %%
imdb = lesson_imdb(DATA, N_PER_CLASS)
reviews = read_imdb(imdb)
texts = reviews["train"].texts + reviews["test"].texts
print(f"{len(texts)} reviews")

# %% [markdown]
# ## What the raw text looks like
#
# The most common debris in IMDb is the HTML line break. Let us count the reviews that hold it and
# look at one:

# %%
with_br = [t for t in texts if "<br />" in t]
print(f"{len(with_br)} of {len(texts)} reviews hold '<br />'")
if with_br:
    t = with_br[0]
    i = t.index("<br />")
    print(repr(t[max(0, i - 120) : i + 120]))

# %% [markdown]
# Other debris is rare in IMDb, so rare that a sample of a few hundred reviews may hold none. Here are
# real excerpts from the full dataset (file names in `aclImdb/`), found by searching all 100,000
# reviews, and two lines in the style of WikiText-103, the pretrained model's corpus (the first is
# the opening line of WikiText's training text):

# %%
REAL_EXCERPTS = {
    "test/neg/3613_3.txt": "it's becoming not a horror\\adventure but a comedy driven movie",
    "test/neg/7761_1.txt": "enjoy following their lives.\\<br /><br />I can understand why",
    "test/pos/12105_10.txt": 'I saw the "Gegen die Wand" ("Head-On") ("Duvara Kars&#305;") and I admired his work',
    "train/pos/1717_8.txt": "working in a bank as an Agent&#8230; Ankush falls in love with Megha",
    "test/neg/1647_1.txt": "is miscast as a rural vamp; she's too round of face for treachery.",
    "train/unsup/2059_0.txt": "his coffin rising from the depth of a swamp; indeed, substituting his castle",
}
WIKITEXT = [
    "Senjō no Valkyria 3 : <unk> Chronicles ( Japanese : 戦場のヴァルキュリア3 , lit . Valkyria of the "
    "Battlefield 3 ) , commonly referred to as Valkyria Chronicles III outside Japan , is a tactical role @-@ playing video game",
    "The film earned $ 1 @.@ 5 million in its opening weekend",
]
for name, excerpt in REAL_EXCERPTS.items():
    print(f"{name:<24}{excerpt!r}")
for line in WIKITEXT:
    print(f"{'WikiText':<24}{line!r}")

# %% [markdown]
# ## The replacements, one by one
#
# `fixup` applies these replacements **in this order** (order matters: each works on the output of
# the one before), with Python's `str.replace`, everywhere in the text:
#
# | # | broken | repaired | where it comes from |
# | --- | --- | --- | --- |
# | 1 | `#39;` | `'` | the HTML entity `&#39;` (apostrophe) with its `&` already lost |
# | 2 | `amp;` | `&` | the entity `&amp;` whose `&` was lost, or a double escape `&amp;amp;` |
# | 3 | `#146;` | `'` | `&#146;`, the Windows-1252 right quote used as an apostrophe |
# | 4 | `nbsp;` | a space | `&nbsp;`, the non-breaking space |
# | 5 | `#36;` | `$` | `&#36;`, the dollar sign |
# | 6 | `\n` (backslash, n) | a line break | a newline escaped as two characters |
# | 7 | `quot;` | `'` | `&quot;`, a double quote (made a single one) |
# | 8 | `<br />` | a line break | HTML line breaks: IMDb's paragraphs |
# | 9 | `\"` (backslash, quote) | `"` | an escaped double quote |
# | 10 | `<unk>` | `u_n` | WikiText's mark for a word outside its vocabulary, renamed so that it is not read as the `_unk_` of our own vocabulary (lesson 4) |
# | 11 | ` @.@ ` | `.` | WikiText writes `1.5` as `1 @.@ 5` |
# | 12 | ` @-@ ` | `-` | WikiText writes `role-playing` as `role @-@ playing` |
# | 13 | `\` (backslash) | ` \ ` | a lone backslash becomes a token of its own |
#
# Then `html.unescape` turns every HTML entity left (`&amp;`, `&lt;`, `&#305;`, `&#8230;` ...) into
# its character, and finally every run of two or more spaces becomes one space (line breaks are
# kept: they become tokens, and a paragraph break is a signal worth keeping).
#
# ## Exercise: `fixup`
#
# **Goal:** a raw review repaired exactly as the pretrained model's text was. Write `fixup(x)`, with
# this contract: the 13 replacements above, in that order, everywhere in the text; then
# `html.unescape`; then every run of 2 or more spaces (the character `" "` only, not line breaks)
# becomes a single space. It returns the repaired string. Before you write it, decide: why must the
# spaces be collapsed *after* `html.unescape` and the replacements, not before?
#
# <details><summary><b>Stuck?</b> (open after you tried)</summary>
#
# A tuple of `(broken, repaired)` pairs and a loop of `x = x.replace(broken, repaired)`; then
# `re.sub(" {2,}", " ", x)`. In a Python string, a backslash is written `"\\"`, and the two
# characters backslash-n are written `"\\n"`. (Why after: `nbsp;` and the backslash rule add spaces.)
#
# </details>
#
# Reference: [`ulmfit_ref.text.fixup`](../docs/API.md#fixup) and its table `FIXUP_REPLACEMENTS`.

# %% nbgrader={"grade": false, "grade_id": "fixup", "locked": false, "schema_version": 3, "solution": true, "task": false}
def fixup(x: str) -> str:
    """Repair the HTML and WikiText debris of a raw text, then collapse repeated spaces."""
    ### BEGIN SOLUTION
    replacements = (
        ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"),
        ("quot;", "'"), ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"),
        ("\\", " \\ "),
    )
    for broken, repaired in replacements:
        x = x.replace(broken, repaired)
    return re.sub(" {2,}", " ", html.unescape(x))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "fixup-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("fixup", fixup)
### BEGIN HIDDEN TESTS
check("fixup", fixup, full=True)
### END HIDDEN TESTS

# %% [markdown]
# ## `fixup` on real text
#
# **Predict, then run.** Read the six IMDb excerpts above again with the table in mind. All are
# repaired, but `fixup` *damages* some: which, and what do they become? Write it down, then run the
# cell.

# %%
for name, excerpt in list(REAL_EXCERPTS.items()) + [("WikiText", line) for line in WIKITEXT]:
    print(f"{name}\n   before: {excerpt!r}\n   after:  {fixup(excerpt)!r}")

# %% [markdown]
# The damaged ones are the last two IMDb excerpts. Replacement 2 looks for `amp;` anywhere, and `vamp;` and
# `swamp;` end in `amp;`: `fixup` turns them into `v&` and `sw&`. The rule was written for text whose
# `&amp;` lost its `&`, which IMDb's text does not have: in all 100,000 reviews, `amp;` occurs 10
# times, always at the end of a word (`camp;` seven times, `swamp;`, `Tramp;`, `vamp;`), so the rule
# damages 10 reviews and repairs none. We keep it all the same: the reference keeps the 2018 notebook's
# rules exactly, so that the lessons, the grader and the course's published numbers agree. But now you know
# its cost, and a rule such as `re.sub(r"(?<![A-Za-z])amp;", "&", x)` would avoid it.
#
# Now on the sample: which replacement fires in how many reviews? We apply each one alone and count
# the reviews it changes, then count the reviews that `html.unescape` and the space rule change.

# %%
RULES = [
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
]
fired = Counter()
for t in texts:
    for broken, _ in RULES:
        fired[broken] += broken in t
    fired["html.unescape"] += html.unescape(t) != t
    fired["2+ spaces"] += "  " in t
for rule, n in fired.most_common():
    if n:
        print(f"{rule!r:<18}{n:>6} reviews")
print("in none of these reviews:", ", ".join(repr(rule) for rule, n in fired.items() if not n))
changed = sum(fixup(t) != t for t in texts)
print(f"\nfixup changes {changed} of {len(texts)} reviews ({changed / max(1, len(texts)):.0%})")

# %% [markdown]
# And one whole review before and after, with its line breaks now real ones:

# %%
example = min(with_br, key=len) if with_br else texts[0]
print(example[:600])
print("---")
print(fixup(example)[:600])

# %% [markdown]
# ## What you built
#
# - `fixup`: thirteen replacements in a fixed order, `html.unescape`, then one space for many. It
#   turns IMDb's `<br />` into line breaks (in most reviews), rare entities into their characters,
#   and WikiText's ` @-@ `, ` @.@ ` and `<unk>` into plain text.
# - A way to audit a cleaning rule: apply it alone, count what it changes, read examples. The audit
#   found a rule that harms more than it repairs on this dataset.
#
# Next, in lesson 3: the rules that add information instead of removing debris — `t_up`, `tk_rep`,
# `tk_wrep`, `xbos` and `xfld` — and spaCy's tokenizer run over all cores.

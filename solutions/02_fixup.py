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
# 2. write `fixup` from its contract, line breaks of every kind kept;
# 3. measure, on real reviews, how often each replacement fires, and spot the one that does harm;
# 4. find and fix the bug of a one-line-per-document writer that knows one kind of line break only;
# 5. design a new repair rule for debris you find in the reviews, judged on reviews you have not seen.
#
# Run the cells in order; write each exercise's body in place of `raise NotImplementedError()` (or fix the code
# given), then run the check cell below it.

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
# `fixup` applies a fixed table of replacements **in its order** (order matters: each works on the output of the one
# before), everywhere in the text. The table is the 2018 notebook's, and nothing in the text tells you its rows: it is
# given to you, ready, as `FIXUP_REPLACEMENTS` at the top of the exercise cell, a tuple of `(broken, repaired)` pairs
# (the same as `ulmfit_ref.text.FIXUP_REPLACEMENTS`).
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
# After the table, every HTML entity left (`&amp;`, `&lt;`, `&#305;`, `&#8230;` ...) becomes its character, and
# finally every run of two or more spaces becomes one space.

# %% [markdown]
# ## Exercise 1: `fixup`
#
# **Goal:** a raw review repaired exactly as the pretrained model's text was. Write `fixup(x)`, with this contract:
# - every row of `FIXUP_REPLACEMENTS` (given in the cell) is applied, in the table's order, to every place it occurs in the text; then
#   every HTML entity left becomes its character; then every run of 2 or more *space characters* (`" "`) becomes one;
# - nothing else changes: tabs stay, spaces at the ends stay (one of them), and **line breaks of every kind stay as
#   they are**: `"\n"`, `"\r\n"`, `"\r"`, and the others Python's `str.splitlines` honours, such as U+0085 (which 1,358
#   IMDb reviews hold) and U+2028. A line break is a token to the language model, and a paragraph break a signal;
# - it returns the repaired `str`.
#
# For example, `fixup("It#39;s  a<br /><br />classic.\r\nA  must\x85 see")` is
# `"It's a\n\nclassic.\r\nA must\x85 see"`.
#
# Before you write it, decide: why must the spaces be collapsed *after* the table and the entities, not before?
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Which rows of the table, and which entities, put spaces into the text? What would a run of spaces made by them look
# like if the spaces had been collapsed first?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# `str.replace` replaces every occurrence; the standard library's `html` module turns entities into characters; a
# regular expression whose pattern is a space character repeated (not `\s`, which matches line breaks and tabs too)
# finds the runs of spaces.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# A loop over `FIXUP_REPLACEMENTS` doing `x = x.replace(broken, repaired)`, then
# `return re.sub(" {2,}", " ", html.unescape(x))`. (Why after: `nbsp;` and the backslash rule add spaces.)
#
# </details>
#
# Reference: [`ulmfit_ref.text.fixup`](../docs/API.md#fixup) and its table `FIXUP_REPLACEMENTS`.

# %% nbgrader={"grade": false, "grade_id": "fixup", "locked": false, "schema_version": 3, "solution": true, "task": false}
FIXUP_REPLACEMENTS = (  # (broken, repaired), in the order they are applied: the table above, given
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)


def fixup(x: str) -> str:
    """Repair the HTML and WikiText debris of a raw text, then collapse repeated spaces."""
    ### BEGIN SOLUTION
    for broken, repaired in FIXUP_REPLACEMENTS:
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
fired = Counter()
for t in texts:
    for broken, _ in FIXUP_REPLACEMENTS:
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
# ## Line breaks that are not `"\n"`
#
# Python knows more line breaks than `"\n"`: `str.splitlines` also cuts at `"\r"`, `"\r\n"` (one break), `"\v"`,
# `"\f"`, U+001C to U+001E, U+0085 (NEL, "next line"), U+2028 and U+2029. IMDb has none of `"\r"`, but 1,358 of its
# 100,000 reviews hold U+0085. Text files of one document per line are common (WikiText is one; this package's plain
# corpora are read with `splitlines`, in `ulmfit_ref/corpus.py`), and a document that holds a line break its writer did
# not know of becomes two documents when it is read back.
#
# **Predict, then run.** How does `str.splitlines` cut the line below, and how does `str.split("\n")`?

# %%
line = "the stripper \x85.OMG\x85\x85\x85 she make the movie even better."  # train/unsup/15406_0.txt
print("split('\\n'): ", line.split("\n"))
print("splitlines():", line.splitlines())

# %% [markdown]
# ## Exercise 2: find and fix `one_line`
#
# `one_line(x)` puts a repaired review on one line, to write a file of one review per line. Its contract: every line
# break that `str.splitlines` honours (`"\r\n"` counting as one) becomes one space, and nothing else changes, so that
# the file read back with `splitlines` gives one line per review. `one_line("Bad.\r\nReally\x85bad.\n")` is
# `"Bad. Really bad. "`.
#
# The code below was written with `"\n"` in mind (and `<br />`, which `fixup` has already made `"\n"`). Run the demo
# cell after it to see what it does to the reviews, then fix it.
#
# <details><summary><b>Hint 1</b>: a question</summary>
#
# Which of the line breaks listed above does the given code turn into a space, and what about a `"\r\n"`, or a break
# at the very end of the text?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# A regular expression can match `"\r\n"` first and then any one of the single-character breaks; or let
# `str.splitlines` find them (it drops a break at the very end: give it something after the last one).
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `re.sub("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]", " ", x)`.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "one_line", "locked": false, "schema_version": 3, "solution": true, "task": false}
def one_line(x: str) -> str:
    """`x` as one line of a one-document-per-line file: each line break becomes one space."""
    ### BEGIN SOLUTION
    ### RELEASED return x.replace("\n", " ")
    return re.sub("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]", " ", x)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "one_line-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("one_line", one_line)
### BEGIN HIDDEN TESTS
check("one_line", one_line, full=True)
### END HIDDEN TESTS

# %% [markdown]
# The demo: the sample's reviews written one per line, then read back as a reader of such files does.

# %%
corpus = "\n".join(one_line(fixup(t)) for t in texts)
read_back = corpus.splitlines()
split = [t for t in texts if len(one_line(fixup(t)).splitlines()) > 1]
print(f"{len(texts)} reviews written, {len(read_back)} read back; {len(split)} reviews came back cut in pieces")
for t in split[:2]:
    print("  ", [piece[-40:] for piece in one_line(fixup(t)).splitlines()[:3]])
print("the example above:", one_line(line).splitlines())

# %% [markdown]
# ## Exercise 3: make a rule for the debris you find
#
# U+0085 in IMDb is no line break at all. Look at where it stands in the reviews below: `movie\x85.`,
# `waiting for\x85\x85.`. IMDb's text was once Windows-1252 bytes decoded as Latin-1, and each byte from 0x80 to 0x9F,
# which Windows-1252 uses for punctuation (0x85 is its ellipsis, 0x96 its en dash), became a C1 control character, from
# U+0080 to U+009F, that no one meant. 3,152 of the 100,000 reviews hold one. `fixup` leaves them; the tokenizer then
# makes tokens of them and the pretrained model, which read clean Wikipedia text, has never seen them.
#
# **Design the rule.** Write `fix_cp1252(x)`: it returns `x` with every character from U+0080 to U+009F repaired, and
# the rest of the text unchanged. What each one becomes is yours to decide, with these limits: a run of them becomes a
# short stand-in (at most 8 characters for each one of the run) that holds something besides spaces, no control
# character and no line break (deleting one would glue `dwarf\x97two` into one word; a space would lose the
# punctuation). Five of the 32 bytes
# (0x81, 0x8D, 0x8F, 0x90, 0x9D) stand for no character in Windows-1252: choose a stand-in for them too.
#
# Your rule is judged on real review excerpts that this lesson does not show you (and on made-up ones): every C1
# character gone, everything else as it was. First, find what the sample holds:

# %%
C1 = re.compile("[\x80-\x9f]")
c1 = Counter(ch for t in texts for ch in C1.findall(t))
n_c1 = sum(bool(C1.search(t)) for t in texts)
print(f"{n_c1} of {len(texts)} reviews hold a C1 character:", {f"U+{ord(ch):04X}": n for ch, n in c1.most_common()})
C1_EXAMPLES = [
    "what a pathetic movie\x85.<br /><br />I almost didn't finish",  # train/neg/98_1.txt
    "That was probably the most original aspect \x96 a dialogue-laced sexual small film",  # test/neg/4633_3.txt
    "a completely gratuitous shower scene and a dwarf\x97two of my 'essential ingredients'",  # train/unsup/30832_0.txt
    "a secretary who is \x91quite deaf', when she has her hearing aids in",  # train/pos/865_9.txt
    "I bought it on DVD for \x806.50 because... it was \x806.50..",  # test/neg/1870_2.txt
]
for t in C1_EXAMPLES + [t for t in texts if C1.search(t)][:3]:
    i = C1.search(t).start()
    print("  ", repr(t[max(0, i - 40) : i + 40]))

# %% [markdown]
# <details><summary><b>Hint 1</b>: a question</summary>
#
# If the bytes were Windows-1252 and were decoded as Latin-1, what undoes it, one character at a time?
#
# </details>
#
# <details><summary><b>Hint 2</b>: a nudge</summary>
#
# Latin-1 maps U+0080 to U+009F to the bytes 0x80 to 0x9F one for one: `c.encode("latin-1")` gives the byte back, and
# `bytes.decode("cp1252")` reads it as Windows-1252 meant it (and raises for the five bytes it has no character for).
# `re.sub` accepts a function in place of the replacement.
#
# </details>
#
# <details><summary><b>Hint 3</b>: the answer</summary>
#
# `re.sub("[\x80-\x9f]", repair, x)`, where `repair(m)` returns `m.group().encode("latin-1").decode("cp1252")`, or a
# stand-in such as `"?"` when that raises `UnicodeDecodeError`.
#
# </details>

# %% nbgrader={"grade": false, "grade_id": "fix_cp1252", "locked": false, "schema_version": 3, "solution": true, "task": false}
def fix_cp1252(x: str) -> str:
    """`x` with each C1 control character (U+0080 to U+009F), a misread Windows-1252 byte, repaired."""
    ### BEGIN SOLUTION
    def repair(m):
        try:
            return m.group().encode("latin-1").decode("cp1252")
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: no character in Windows-1252
            return "?"

    return re.sub("[\x80-\x9f]", repair, x)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "fix_cp1252-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check("fix_cp1252", fix_cp1252)
### BEGIN HIDDEN TESTS
check("fix_cp1252", fix_cp1252, full=True)
### END HIDDEN TESTS

# %%
for t in C1_EXAMPLES:
    print(repr(fix_cp1252(t)))
print(f"one_line after fix_cp1252 cuts {sum(len(one_line(fix_cp1252(fixup(t))).splitlines()) > 1 for t in texts)} "
      "reviews in pieces")

# %% [markdown]
# ## What you built
#
# - `fixup`: thirteen replacements in a fixed order, `html.unescape`, then one space for many. It
#   turns IMDb's `<br />` into line breaks (in most reviews), rare entities into their characters,
#   and WikiText's ` @-@ `, ` @.@ ` and `<unk>` into plain text.
# - A way to audit a cleaning rule: apply it alone, count what it changes, read examples. The audit
#   found a rule that harms more than it repairs on this dataset.
# - `one_line`, fixed: a line break is whatever `str.splitlines` says it is, U+0085 included.
# - `fix_cp1252`: a rule of your own design for debris that `fixup` leaves, judged on reviews you had not seen.
#
# Next, in lesson 3: the rules that add information instead of removing debris — `t_up`, `tk_rep`,
# `tk_wrep`, `xbos` and `xfld` — and spaCy's tokenizer run over all cores.

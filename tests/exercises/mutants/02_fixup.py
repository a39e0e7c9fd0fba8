# Typical wrong answers to lesson 2, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% fixup: the <br /> replacement is missing
def fixup(x: str) -> str:
    import re

    for broken, repaired in (("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
                             ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ ")):
        x = x.replace(broken, repaired)
    return re.sub(" {2,}", " ", html.unescape(x))

# %% fixup: html.unescape first, so "&amp;" becomes "&" and then "amp;"-style rules see a different text
def fixup(x: str) -> str:
    import re

    x = html.unescape(x)
    for broken, repaired in (("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
                             ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ ")):
        x = x.replace(broken, repaired)
    return re.sub(" {2,}", " ", x)

# %% fixup: collapses every run of whitespace, line breaks included (\s+ instead of spaces)
def fixup(x: str) -> str:
    import re

    for broken, repaired in (("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
                             ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ ")):
        x = x.replace(broken, repaired)
    return re.sub(r"\s{2,}", " ", html.unescape(x))

# %% fixup: the lone backslash is not spaced out (the last replacement is missing)
def fixup(x: str) -> str:
    import re

    for broken, repaired in (("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
                             ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-")):
        x = x.replace(broken, repaired)
    return re.sub(" {2,}", " ", html.unescape(x))

# %% fixup: <unk> replaced by the vocabulary's own _unk_ token
def fixup(x: str) -> str:
    import re

    for broken, repaired in (("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
                             ("<br />", "\n"), ('\\"', '"'), ("<unk>", "_unk_"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ ")):
        x = x.replace(broken, repaired)
    return re.sub(" {2,}", " ", html.unescape(x))

# %% fixup: every run of whitespace collapsed with split and join (line breaks and tabs lost, ends stripped)
FIXUP_REPLACEMENTS = (
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)

def fixup(x: str) -> str:
    for broken, repaired in FIXUP_REPLACEMENTS:
        x = x.replace(broken, repaired)
    return " ".join(html.unescape(x).split())

# %% fixup: line breaks normalised to "\n" with splitlines ("\r\n", "\r" and U+0085 changed)
FIXUP_REPLACEMENTS = (
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)

def fixup(x: str) -> str:
    for broken, repaired in FIXUP_REPLACEMENTS:
        x = x.replace(broken, repaired)
    return "\n".join(re.sub(" {2,}", " ", html.unescape(x)).split("\n")).replace("\r\n", "\n").replace("\x85", "\n")

# %% fixup: the ends stripped
FIXUP_REPLACEMENTS = (
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)

def fixup(x: str) -> str:
    for broken, repaired in FIXUP_REPLACEMENTS:
        x = x.replace(broken, repaired)
    return re.sub(" {2,}", " ", html.unescape(x)).strip()

# %% fixup: spaces collapsed before the table and the entities
FIXUP_REPLACEMENTS = (
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)

def fixup(x: str) -> str:
    x = re.sub(" {2,}", " ", x)
    for broken, repaired in FIXUP_REPLACEMENTS:
        x = x.replace(broken, repaired)
    return html.unescape(x)

# %% fixup: the table applied in reverse order
FIXUP_REPLACEMENTS = (
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)

def fixup(x: str) -> str:
    for broken, repaired in reversed(FIXUP_REPLACEMENTS):
        x = x.replace(broken, repaired)
    return re.sub(" {2,}", " ", html.unescape(x))

# %% fixup: only the first occurrence of each row replaced
FIXUP_REPLACEMENTS = (
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)

def fixup(x: str) -> str:
    for broken, repaired in FIXUP_REPLACEMENTS:
        x = x.replace(broken, repaired, 1)
    return re.sub(" {2,}", " ", html.unescape(x))

# %% fixup: spaces and tabs collapsed together ([ \t]+)
FIXUP_REPLACEMENTS = (
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)

def fixup(x: str) -> str:
    for broken, repaired in FIXUP_REPLACEMENTS:
        x = x.replace(broken, repaired)
    return re.sub(r"[ \t]{2,}", " ", html.unescape(x))

# %% fixup: no html.unescape
FIXUP_REPLACEMENTS = (
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)

def fixup(x: str) -> str:
    for broken, repaired in FIXUP_REPLACEMENTS:
        x = x.replace(broken, repaired)
    return re.sub(" {2,}", " ", x)

# %% fixup: the argument changed... a list given back, not a str
FIXUP_REPLACEMENTS = (
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)

def fixup(x: str) -> str:
    for broken, repaired in FIXUP_REPLACEMENTS:
        x = x.replace(broken, repaired)
    return re.sub(" {2,}", " ", html.unescape(x)).split(" ")

# %% one_line: as given: "\n" only ('\r', U+0085 and the other breaks kept)
def one_line(x: str) -> str:
    return x.replace("\n", " ")

# %% one_line: "\r\n" made two spaces
def one_line(x: str) -> str:
    return re.sub("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]", " ", x)

# %% one_line: splitlines and join (a break at the very end dropped)
def one_line(x: str) -> str:
    return " ".join(x.splitlines())

# %% one_line: every run of whitespace collapsed (tabs and double spaces changed)
def one_line(x: str) -> str:
    return " ".join(x.split())

# %% one_line: the line breaks deleted, not made spaces
def one_line(x: str) -> str:
    return "".join(x.splitlines())

# %% one_line: "\n", "\r" and "\r\n" only (U+0085 and U+2028 kept)
def one_line(x: str) -> str:
    return re.sub(r"\r\n|[\r\n]", " ", x)

# %% one_line: \s+ made one space (tabs and runs of spaces collapsed too)
def one_line(x: str) -> str:
    return re.sub(r"\s+", " ", x)

# %% fix_cp1252: U+0085 only (the ellipsis), the other C1 characters left
def fix_cp1252(x: str) -> str:
    return x.replace("\x85", "...")

# %% fix_cp1252: the C1 characters deleted
def fix_cp1252(x: str) -> str:
    return re.sub("[\x80-\x9f]", "", x)

# %% fix_cp1252: U+0085 made a line break, the others repaired
def fix_cp1252(x: str) -> str:
    def repair(m):
        if m.group() == "\x85":
            return "\n"
        try:
            return m.group().encode("latin-1").decode("cp1252")
        except UnicodeDecodeError:
            return "?"

    return re.sub("[\x80-\x9f]", repair, x)

# %% fix_cp1252: the whole text encoded as Latin-1 and decoded as cp1252 (fails on text outside Latin-1)
def fix_cp1252(x: str) -> str:
    return x.encode("latin-1").decode("cp1252", errors="replace")

# %% fix_cp1252: each made a space
def fix_cp1252(x: str) -> str:
    return re.sub("[\x80-\x9f]", " ", x)

# %% fix_cp1252: the bytes without a Windows-1252 character left as they were
def fix_cp1252(x: str) -> str:
    def repair(m):
        try:
            return m.group().encode("latin-1").decode("cp1252")
        except UnicodeDecodeError:
            return m.group()

    return re.sub("[\x80-\x9f]", repair, x)

# %% fix_cp1252: repaired, then the whole text stripped and its spaces collapsed
def fix_cp1252(x: str) -> str:
    x = re.sub("[\x80-\x9f]", lambda m: m.group().encode("latin-1").decode("cp1252", errors="replace"), x)
    return " ".join(x.split(" ")).strip()

# %% fix_cp1252: a table of the common ones only (ellipsis, dashes, quotes), Latin-1 range past 0x9F damaged too
def fix_cp1252(x: str) -> str:
    table = {"\x85": "...", "\x96": "-", "\x97": "--", "\x91": "'", "\x92": "'", "\x93": '"', "\x94": '"'}
    return "".join(table.get(c, c) for c in x)

# Correct answers to lesson 2 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% fixup: a list of pairs and functools.reduce, spaces collapsed with a loop of str.replace
def fixup(x: str) -> str:
    from functools import reduce

    pairs = [("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
             ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ ")]
    x = html.unescape(reduce(lambda s, p: s.replace(*p), pairs, x))
    while "  " in x:
        x = x.replace("  ", " ")
    return x

# %% fixup: a dict of replacements (insertion-ordered) and a compiled regular expression
def fixup(x: str) -> str:
    import re

    table = {"#39;": "'", "amp;": "&", "#146;": "'", "nbsp;": " ", "#36;": "$", "\\n": "\n", "quot;": "'", "<br />": "\n",
             '\\"': '"', "<unk>": "u_n", " @.@ ": ".", " @-@ ": "-", "\\": " \\ "}
    for old in table:
        x = x.replace(old, table[old])
    return re.compile(r"  +").sub(" ", html.unescape(x))

# %% fixup: the given table through functools.reduce, spaces collapsed by a split on " " that keeps the ends
FIXUP_REPLACEMENTS = (
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", "u_n"), (" @.@ ", "."), (" @-@ ", "-"), ("\\", " \\ "),
)

def fixup(x: str) -> str:
    from functools import reduce

    x = html.unescape(reduce(lambda s, pair: s.replace(*pair), FIXUP_REPLACEMENTS, x))
    return re.sub(r" +", " ", x)

# %% one_line: a regular expression with an alternation for "\r\n"
def one_line(x: str) -> str:
    return re.sub(r"\r\n|\n|\r|\x0b|\x0c|\x1c|\x1d|\x1e|\x85|\u2028|\u2029", " ", x)

# %% one_line: splitlines with a sentinel after the text, so that a break at the end is kept as a space
def one_line(x: str) -> str:
    return " ".join((x + "_").splitlines())[:-1]

# %% one_line: splitlines(keepends=True), each line's break made one space
def one_line(x: str) -> str:
    out = []
    for line in x.splitlines(keepends=True):
        body = line.splitlines()[0] if line.splitlines() else ""
        out.append(body + (" " if len(body) < len(line) else ""))
    return "".join(out)

# %% fix_cp1252: a translate table built from the 32 bytes, "?" for those cp1252 lacks
def fix_cp1252(x: str) -> str:
    table = {}
    for b in range(0x80, 0xA0):
        try:
            table[b] = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            table[b] = "?"
    return x.translate(table)

# %% fix_cp1252: ASCII stand-ins by hand for the common ones, a codec for the rest, each run repaired at once
def fix_cp1252(x: str) -> str:
    common = {"\x85": "...", "\x96": "-", "\x97": " - ", "\x91": "'", "\x92": "'", "\x93": '"', "\x94": '"'}

    def run(m):
        if m.group()[0] == "\x85":
            return "..."
        return "".join(common.get(c) or c.encode("latin-1").decode("cp1252", errors="replace") for c in m.group())[:8]

    return re.sub("[\x80-\x9f]+", run, x)

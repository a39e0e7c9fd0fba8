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

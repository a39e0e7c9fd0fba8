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

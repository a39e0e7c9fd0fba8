# Correct answers to lesson 3 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% replace_rep: itertools.groupby over the characters, no regular expression
def replace_rep(t: str) -> str:
    from itertools import groupby

    out = []
    for c, run in groupby(t):
        n = len(list(run))
        out.append(f" tk_rep {n} {c} " if n >= 4 and not c.isspace() else c * n)
    return "".join(out)

# %% replace_rep: the whole match's length, a pattern compiled once
def replace_rep(t: str) -> str:
    import re

    pattern = re.compile(r"(\S)\1{3,}")
    return pattern.sub(lambda m: " tk_rep %d %s " % (len(m.group(0)), m.group(1)), t)

# %% replace_wrep: named groups and str.format
def replace_wrep(t: str) -> str:
    import re

    def unit(m):
        return " tk_wrep {} {} ".format(len(m.group("copies").split()) + 1, m.group("unit"))

    return re.sub(r"(?P<unit>\b\w+\W+)(?P<copies>(?P=unit){3,})", unit, t)

# %% replace_wrep: a compiled pattern and a named function
def replace_wrep(t: str) -> str:
    import re

    rep = re.compile(r"(\b\w+\W+)(\1{3,})")

    def _replace(m):
        unit, repeats = m.groups()
        return f" tk_wrep {1 + len(repeats.split())} {unit} "

    return rep.sub(_replace, t)

# %% replace_all_caps: one comprehension over nested lists
def replace_all_caps(tokens: list) -> list:
    return [w for t in tokens for w in (["t_up", t.lower()] if t.isupper() and len(t) > 2 else [t.lower()])]

# %% replace_all_caps: a generator, then list()
def replace_all_caps(tokens: list) -> list:
    def marked():
        for tok in tokens:
            if len(tok) >= 3 and tok.isupper():
                yield "t_up"
            yield tok.lower()

    return list(marked())

# %% mark_fields: a loop that grows the string
def mark_fields(fields: list) -> str:
    out = "xbos"
    for i, field in enumerate(fields):
        out += " xfld " + str(i + 1) + " " + field
    return out if fields else "xbos "

# %% mark_fields: map over range and %-formatting
def mark_fields(fields: list) -> str:
    return "xbos " + " ".join(map(lambda i: "xfld %d %s" % (i + 1, fields[i]), range(len(fields))))

# %% partition_by_cores: math.ceil, and the parts as a list comprehension over indices
def partition_by_cores(items: list, n_workers: int) -> list:
    import math

    size = max(1, math.ceil(len(items) / n_workers))
    return [items[k * size:(k + 1) * size] for k in range(math.ceil(len(items) / size))]

# %% partition_by_cores: a while loop that cuts from the front
def partition_by_cores(items: list, n_workers: int) -> list:
    size = (len(items) + n_workers - 1) // n_workers or 1
    parts, rest = [], list(items)
    while rest:
        parts.append(rest[:size])
        rest = rest[size:]
    return parts

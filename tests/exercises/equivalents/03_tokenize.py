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

# %% replace_wrep: the count written out as the given helper does, in a named function
def replace_wrep(t: str) -> str:
    import re

    def _sub(m):
        unit, copies = m.group(1), m.group(2)
        return " tk_wrep " + str(len(copies.split()) + 1) + " " + unit + " "

    return re.sub(r"(\b\w+\W+)(\1{3,})", _sub, t)

# %% replace_all_caps: str.isupper and a length test written with a helper
def replace_all_caps(tokens: list) -> list:
    def shouted(t):
        return t.isupper() and len(t) > 2

    out = []
    for t in tokens:
        out.extend(["t_up", t.lower()] if shouted(t) else [t.lower()])
    return out

# %% test_replace_all_caps: one assert per token, case by case
def test_replace_all_caps(replace_all_caps):
    cases = {
        "LOVED": ["t_up", "loved"], "BAD": ["t_up", "bad"], "OK": ["ok"], "I": ["i"], "it": ["it"],
        "Great": ["great"], "!!!": ["!!!"], "10/10": ["10/10"], "\n": ["\n"],
    }
    for token, want in cases.items():
        arg = [token]
        assert replace_all_caps(arg) == want, (token, want)
        assert arg == [token]
    assert replace_all_caps(["LOVED", "it"]) == ["t_up", "loved", "it"]

# %% test_replace_all_caps: properties on a longer list, its copy compared after the call
def test_replace_all_caps(replace_all_caps):
    import copy

    tokens = ["THE", "END", "OK", "tv", "Wow", "???", "A1B", "hbo's", "xbos"]
    kept = copy.deepcopy(tokens)
    out = replace_all_caps(tokens)
    assert tokens == kept
    assert [t for t in out if t != "t_up"] == [t.lower() for t in tokens]
    marked = [out[i + 1] for i, t in enumerate(out) if t == "t_up"]
    assert marked == ["the", "end", "a1b"], marked

# %% mark_fields: a list of parts joined once
def mark_fields(fields: list) -> str:
    parts = ["xbos"]
    for i, f in enumerate(fields, start=1):
        parts += ["xfld", str(i), f]
    return " ".join(parts) if fields else "xbos "

# %% predicted_tokens: the count as a plain number
predicted_tokens = 24

# %% predicted_tokens: a float, worked out as words plus what the rules add
predicted_tokens = 10.0 + 3 + 2 + 3 + 1 + 2 + 2 + 3 - 2

# %% partition_by_cores: near-equal parts (sizes differ by one at most), as numpy's array_split does
def partition_by_cores(items: list, n_workers: int) -> list:
    n = min(n_workers, len(items))
    parts, start = [], 0
    for k in range(n):
        size = len(items) // n + (k < len(items) % n)
        parts.append(items[start : start + size])
        start += size
    return parts

# %% partition_by_cores: itertools.islice over an iterator, a chunk at a time
def partition_by_cores(items: list, n_workers: int) -> list:
    from itertools import islice

    size = max(1, -(-len(items) // n_workers))
    it, parts = iter(items), []
    while chunk := list(islice(it, size)):
        parts.append(chunk)
    return parts

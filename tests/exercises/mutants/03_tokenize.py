# Typical wrong answers to lesson 3, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% replace_rep: counts the repeats after the first, not the run ("cooool" -> tk_rep 3)
def replace_rep(t: str) -> str:
    import re

    return re.sub(r"(\S)(\1{3,})", lambda m: f" tk_rep {len(m.group(2))} {m.group(1)} ", t)

# %% replace_rep: fires from 3 characters on ({2,} instead of {3,})
def replace_rep(t: str) -> str:
    import re

    return re.sub(r"(\S)(\1{2,})", lambda m: f" tk_rep {len(m.group(2)) + 1} {m.group(1)} ", t)

# %% replace_rep: any character, spaces included ((.) instead of (\S))
def replace_rep(t: str) -> str:
    import re

    return re.sub(r"(.)(\1{3,})", lambda m: f" tk_rep {len(m.group(2)) + 1} {m.group(1)} ", t)

# %% replace_rep: no spaces around the replacement
def replace_rep(t: str) -> str:
    import re

    return re.sub(r"(\S)(\1{3,})", lambda m: f"tk_rep {len(m.group(2)) + 1} {m.group(1)}", t)

# %% replace_wrep: counts the copies after the first (no + 1)
def replace_wrep(t: str) -> str:
    import re

    return re.sub(r"(\b\w+\W+)(\1{3,})", lambda m: f" tk_wrep {len(m.group(2).split())} {m.group(1)} ", t)

# %% replace_wrep: fires from 3 repeats on
def replace_wrep(t: str) -> str:
    import re

    return re.sub(r"(\b\w+\W+)(\1{2,})", lambda m: f" tk_wrep {len(m.group(2).split()) + 1} {m.group(1)} ", t)

# %% replace_wrep: keeps the word without its separator
def replace_wrep(t: str) -> str:
    import re

    return re.sub(r"(\b(\w+)\W+)(\1{3,})", lambda m: f" tk_wrep {len(m.group(3).split()) + 1} {m.group(2)} ", t)

# %% replace_wrep: counts with the number of characters of the repeats divided by the unit's length, not wrep_count
def replace_wrep(t: str) -> str:
    import re

    return re.sub(r"(\b\w+\W+)(\1{3,})", lambda m: f" tk_wrep {len(m.group(2)) // len(m.group(1)) + 1} {m.group(1)} ", t)

# %% replace_all_caps: t_up added but the tokens are not lower-cased
def replace_all_caps(tokens: list) -> list:
    res = []
    for t in tokens:
        if len(t) > 2 and t.isupper():
            res.append("t_up")
        res.append(t)
    return res

# %% replace_all_caps: t_up from 2 capitals on (OK, TV get one)
def replace_all_caps(tokens: list) -> list:
    res = []
    for t in tokens:
        if len(t) > 1 and t.isupper():
            res.append("t_up")
        res.append(t.lower())
    return res

# %% replace_all_caps: t_up after the word instead of before it
def replace_all_caps(tokens: list) -> list:
    res = []
    for t in tokens:
        res.append(t.lower())
        if len(t) > 2 and t.isupper():
            res.append("t_up")
    return res

# %% replace_all_caps: only the words in capitals are lower-cased
def replace_all_caps(tokens: list) -> list:
    res = []
    for t in tokens:
        if len(t) > 2 and t.isupper():
            res += ["t_up", t.lower()]
        else:
            res.append(t)
    return res

# %% mark_fields: fields numbered from 0
def mark_fields(fields: list) -> str:
    return "xbos " + " ".join(f"xfld {i} {f}" for i, f in enumerate(fields))

# %% mark_fields: every field marked xfld 1 (the 2018 notebook's numbering)
def mark_fields(fields: list) -> str:
    return "xbos " + " ".join(f"xfld 1 {f}" for f in fields)

# %% mark_fields: no xbos at the start
def mark_fields(fields: list) -> str:
    return " ".join(f"xfld {i} {f}" for i, f in enumerate(fields, 1))

# %% mark_fields: the parts glued without spaces between fields
def mark_fields(fields: list) -> str:
    return "xbos " + "".join(f"xfld {i} {f}" for i, f in enumerate(fields, 1))

# %% partition_by_cores: part size rounded down, so there are more parts than workers
def partition_by_cores(items: list, n_workers: int) -> list:
    size = max(1, len(items) // n_workers)
    return [items[i : i + size] for i in range(0, len(items), size)]

# %% partition_by_cores: round-robin parts (items[i::n]) instead of consecutive ones
def partition_by_cores(items: list, n_workers: int) -> list:
    return [items[i::n_workers] for i in range(min(n_workers, len(items)))]

# %% partition_by_cores: always n_workers parts, empty ones included
def partition_by_cores(items: list, n_workers: int) -> list:
    size = max(1, -(-len(items) // n_workers))
    return [items[i * size : (i + 1) * size] for i in range(n_workers)]

# %% partition_by_cores: no max(1, ...), so an empty list gives a step of 0 (ValueError)
def partition_by_cores(items: list, n_workers: int) -> list:
    size = -(-len(items) // n_workers)
    return [items[i : i + size] for i in range(0, len(items), size)]

# %% replace_rep: only spaces and newlines count as whitespace ('\r', '\x85' runs get a tk_rep)
def replace_rep(t: str) -> str:
    import re

    return re.sub(r"([^ \n])(\1{3,})", lambda m: f" tk_rep {len(m.group(2)) + 1} {m.group(1)} ", t)

# %% replace_rep: the count and the character swapped
def replace_rep(t: str) -> str:
    import re

    return re.sub(r"(\S)(\1{3,})", lambda m: f" tk_rep {m.group(1)} {len(m.group(2)) + 1} ", t)

# %% replace_rep: only letters repeat (!!!! left alone)
def replace_rep(t: str) -> str:
    import re

    return re.sub(r"([a-zA-Z])(\1{3,})", lambda m: f" tk_rep {len(m.group(2)) + 1} {m.group(1)} ", t)

# %% replace_wrep: case ignored (No no no no is a repeat)
def replace_wrep(t: str) -> str:
    import re

    return re.sub(r"(\b\w+\W+)(\1{3,})", lambda m: f" tk_wrep {len(m.group(2).split()) + 1} {m.group(1)} ", t, flags=re.I)

# %% replace_wrep: the separator must be a space (\s+ in place of \W+)
def replace_wrep(t: str) -> str:
    import re

    return re.sub(r"(\b\w+\s+)(\1{3,})", lambda m: f" tk_wrep {len(m.group(2).split()) + 1} {m.group(1)} ", t)

# %% replace_all_caps: changes the list it is given (lower-cases it in place)
def replace_all_caps(tokens: list) -> list:
    res = []
    for i, t in enumerate(tokens):
        if len(t) > 2 and t.isupper():
            res.append("t_up")
        tokens[i] = t.lower()
        res.append(tokens[i])
    return res

# %% replace_all_caps: tokens with no letters marked (t == t.upper())
def replace_all_caps(tokens: list) -> list:
    res = []
    for t in tokens:
        if len(t) > 2 and t == t.upper():
            res.append("t_up")
        res.append(t.lower())
    return res

# %% replace_all_caps: capitalized words marked too (t[0].isupper())
def replace_all_caps(tokens: list) -> list:
    res = []
    for t in tokens:
        if len(t) > 2 and t[0].isupper():
            res.append("t_up")
        res.append(t.lower())
    return res

# %% test_replace_all_caps: a test that asserts nothing
def test_replace_all_caps(replace_all_caps):
    replace_all_caps(["I", "LOVED", "it"])

# %% test_replace_all_caps: a test that fails on the correct function (expects t_up before OK)
def test_replace_all_caps(replace_all_caps):
    assert replace_all_caps(["OK", "LOVED"]) == ["t_up", "ok", "t_up", "loved"]

# %% test_replace_all_caps: a test of the lesson's example only
def test_replace_all_caps(replace_all_caps):
    assert replace_all_caps(["I", "LOVED", "it"]) == ["i", "t_up", "loved", "it"]

# %% test_replace_all_caps: every case of the rule, but the input is not checked after the call
def test_replace_all_caps(replace_all_caps):
    out = replace_all_caps(["I", "LOVED", "it", "OK", "BAD", "Great", "!!!", "10/10"])
    assert out == ["i", "t_up", "loved", "it", "ok", "t_up", "bad", "great", "!!!", "10/10"]

# %% test_replace_all_caps: checks lower-casing and the input, not where t_up goes
def test_replace_all_caps(replace_all_caps):
    tokens = ["I", "LOVED", "it", "OK", "BAD", "Great", "!!!"]
    out = replace_all_caps(tokens)
    assert [t for t in out if t != "t_up"] == [t.lower() for t in tokens]
    assert tokens == ["I", "LOVED", "it", "OK", "BAD", "Great", "!!!"]

# %% mark_fields: no space after xbos when there are no fields ("xbos")
def mark_fields(fields: list) -> str:
    return " ".join(["xbos"] + [f"xfld {i} {f}" for i, f in enumerate(fields, 1)])

# %% mark_fields: line breaks in a field made spaces
def mark_fields(fields: list) -> str:
    return "xbos " + " ".join(f"xfld {i} {' '.join(f.splitlines())}" for i, f in enumerate(fields, 1))

# %% mark_fields: empties the list it is given
def mark_fields(fields: list) -> str:
    parts = []
    i = 1
    while fields:
        parts.append(f"xfld {i} {fields.pop(0)}")
        i += 1
    return "xbos " + " ".join(parts)

# %% predicted_tokens: the words between spaces
predicted_tokens = 10

# %% predicted_tokens: xbos xfld 1 forgotten
predicted_tokens = 21

# %% predicted_tokens: 1/10 as one token, and !!! as tk_rep 3 !
predicted_tokens = 22

# %% predicted_tokens: t_up forgotten
predicted_tokens = 22

# %% predicted_tokens: every ! and o kept, no rule fired
predicted_tokens = 27

# %% partition_by_cores: parts of the share rounded down, the rest in one more part (more parts than workers)
def partition_by_cores(items: list, n_workers: int) -> list:
    size = max(1, len(items) // n_workers)
    return [items[i : i + size] for i in range(0, len(items), size)]

# %% partition_by_cores: parts rounded down, the remainder added to the last part (it gets more than its share)
def partition_by_cores(items: list, n_workers: int) -> list:
    size = max(1, len(items) // n_workers)
    parts = [items[i * size : (i + 1) * size] for i in range(min(n_workers, len(items)))]
    if parts:
        parts[-1] += items[len(parts) * size :]
    return parts

# %% partition_by_cores: tuples for parts
def partition_by_cores(items: list, n_workers: int) -> list:
    size = max(1, -(-len(items) // n_workers))
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]

# %% partition_by_cores: empties the list it is given
def partition_by_cores(items: list, n_workers: int) -> list:
    size = max(1, -(-len(items) // n_workers))
    parts = []
    while items:
        parts.append(items[:size])
        del items[:size]
    return parts

# %% partition_by_cores: the last item lost (range stops one short)
def partition_by_cores(items: list, n_workers: int) -> list:
    size = max(1, -(-len(items) // n_workers))
    return [items[i : i + size] for i in range(0, len(items) - 1, size)]

# %% partition_by_cores: one part for everything when there are fewer items than workers
def partition_by_cores(items: list, n_workers: int) -> list:
    if len(items) < n_workers:
        return [list(items)] if items else []
    size = -(-len(items) // n_workers)
    return [items[i : i + size] for i in range(0, len(items), size)]

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

# %% replace_wrep: counts with the number of characters of the repeats divided by the unit's length, not the seed's split
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

# %% mark_fields: every field marked xfld 1 (the seed's numbering)
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

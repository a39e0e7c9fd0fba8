# Correct answers to lesson 1 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".
# Each must pass every path (the notebook's check cell, the self-check, the autograde).

# %% read_imdb: os.listdir and a regular expression for the ids, the file read with open(..., "rb")
def read_imdb(path, limit: int = None) -> dict:
    import os
    import re

    out = {}
    for split in ("train", "test"):
        r = Reviews()
        for label, cls in enumerate(CLASSES):
            folder = os.path.join(str(path), split, cls)
            if not os.path.isdir(folder):
                continue
            names = [n for n in os.listdir(folder) if re.fullmatch(r"\d+_\d+\.txt", n)]
            names.sort(key=lambda n: int(re.match(r"\d+", n).group()))
            for name in names if limit is None else names[:limit]:
                with open(os.path.join(folder, name), "rb") as f:
                    raw = f.read()
                try:
                    r.texts.append(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    r.texts.append(raw.decode("utf-8", "replace"))
                    r.n_decode_errors += 1
                r.labels.append(label)
        out[split] = r
    return out

# %% read_imdb: files sorted by (id, name) tuples, the splits built in a dict comprehension
def read_imdb(path, limit: int = None) -> dict:
    def one_split(split):
        texts, labels, bad = [], [], 0
        for label, cls in enumerate(CLASSES):
            files = sorted(((int(f.name.split("_")[0]), f) for f in (Path(path) / split / cls).glob("*.txt")), key=lambda t: t[0])
            for _, f in files[: len(files) if limit is None else limit]:
                data = f.read_bytes()
                try:
                    text = data.decode()
                except UnicodeDecodeError:
                    text, bad = data.decode(errors="replace"), bad + 1
                texts.append(text)
                labels.append(label)
        return Reviews(texts, labels, bad)

    return {split: one_split(split) for split in ("train", "test")}

# %% make_splits: numpy fancy indexing with the permutations, labels back to Python ints with tolist()
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if lm_valid_frac <= 0 or lm_valid_frac >= 1:
        raise ValueError("lm_valid_frac must lie in (0, 1)")
    shuffled = []
    for i, split in enumerate(["train", "test"]):
        order = permutation(len(reviews[split]), seed + i)
        texts = np.array(reviews[split].texts, dtype=object)[order].tolist()
        labels = np.array(reviews[split].labels, dtype=np.int64)[order].tolist()
        shuffled.append((texts, labels))
    clas = [Reviews([t for t, y in zip(*s) if y != unlabelled], [y for y in s[1] if y != unlabelled]) for s in shuffled]
    pooled = shuffled[0][0] + shuffled[1][0]
    lm = [pooled[k] for k in permutation(len(pooled), seed + 2)]
    n_valid = max(1, round(lm_valid_frac * len(lm)))
    return Splits(clas[0], clas[1], Reviews(lm[n_valid:], [0 for _ in lm[n_valid:]]), Reviews(lm[:n_valid], [0] * n_valid))

# %% make_splits: pairs of (text, label) shuffled together, a loop in place of comprehensions
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not (0 < lm_valid_frac < 1):
        raise ValueError(f"lm_valid_frac={lm_valid_frac} is not between 0 and 1")
    pairs = {}
    for i, split in enumerate(("train", "test")):
        both = list(zip(reviews[split].texts, reviews[split].labels))
        pairs[split] = [both[k] for k in permutation(len(both), seed + i)]
    clas = {}
    for split in ("train", "test"):
        kept = Reviews()
        for text, label in pairs[split]:
            if unlabelled is not None and label == unlabelled:
                continue
            kept.texts.append(text)
            kept.labels.append(label)
        clas[split] = kept
    texts = [t for t, _ in pairs["train"]] + [t for t, _ in pairs["test"]]
    order = permutation(len(texts), seed + 2)
    lm = [texts[k] for k in order]
    n_valid = round(len(lm) * lm_valid_frac)
    n_valid = n_valid if n_valid >= 1 else 1
    return Splits(clas["train"], clas["test"], Reviews(lm[n_valid:], [0] * len(lm[n_valid:])), Reviews(lm[:n_valid], [0] * n_valid))

# %% write_csv: every text quoted (csv.QUOTE_NONNUMERIC), "\n" as the line terminator, rows written at once
def write_csv(path, labels, *fields) -> int:
    if len(fields) == 0:
        raise ValueError("no text column")
    for f in fields:
        if len(f) != len(labels):
            raise ValueError(f"a column of {len(f)} texts for {len(labels)} labels")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    rows = [[label, *texts] for label, *texts in zip(labels, *fields)]
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
    return len(rows)

# %% write_csv: os.makedirs and one writerow per document
def write_csv(path, labels, *fields) -> int:
    import os

    if not fields or {len(f) for f in fields} != {len(labels)}:
        raise ValueError("need one or more text columns as long as labels")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        for i, label in enumerate(labels):
            writer.writerow([label] + [column[i] for column in fields])
            n += 1
    return n

# Typical wrong answers to lesson 1, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% read_imdb: files sorted by name as text, so 10_7.txt comes before 9_7.txt
def read_imdb(path, limit: int = None) -> dict:
    path = Path(path)
    out = {}
    for split in ("train", "test"):
        reviews = Reviews()
        for label, cls in enumerate(CLASSES):
            for f in sorted((path / split / cls).glob("*.txt"))[:limit]:
                raw = f.read_bytes()
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("utf-8", errors="replace")
                    reviews.n_decode_errors += 1
                reviews.texts.append(text)
                reviews.labels.append(label)
        out[split] = reviews
    return out

# %% read_imdb: bad bytes dropped (errors="ignore") and never counted
def read_imdb(path, limit: int = None) -> dict:
    path = Path(path)
    out = {}
    for split in ("train", "test"):
        reviews = Reviews()
        for label, cls in enumerate(CLASSES):
            files = sorted((path / split / cls).glob("*.txt"), key=lambda f: int(f.name.split("_")[0]))
            for f in files[:limit]:
                reviews.texts.append(f.read_bytes().decode("utf-8", errors="ignore"))
                reviews.labels.append(label)
        out[split] = reviews
    return out

# %% read_imdb: limit applied to the whole split instead of each class
def read_imdb(path, limit: int = None) -> dict:
    path = Path(path)
    out = {}
    for split in ("train", "test"):
        reviews = Reviews()
        for label, cls in enumerate(CLASSES):
            for f in sorted((path / split / cls).glob("*.txt"), key=lambda f: int(f.name.split("_")[0])):
                raw = f.read_bytes()
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("utf-8", errors="replace")
                    reviews.n_decode_errors += 1
                reviews.texts.append(text)
                reviews.labels.append(label)
        reviews.texts, reviews.labels = reviews.texts[:limit], reviews.labels[:limit]
        out[split] = reviews
    return out

# %% make_splits: texts and labels shuffled with two different permutations
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError(lm_valid_frac)
    shuffled = {}
    for i, split in enumerate(("train", "test")):
        r = reviews[split]
        shuffled[split] = ([r.texts[j] for j in permutation(len(r), seed + i)], [r.labels[j] for j in permutation(len(r), seed + i + 10)])

    def labelled(texts, labels):
        keep = [j for j, y in enumerate(labels) if unlabelled is None or y != unlabelled]
        return Reviews([texts[j] for j in keep], [labels[j] for j in keep])

    all_texts = shuffled["train"][0] + shuffled["test"][0]
    lm = [all_texts[j] for j in permutation(len(all_texts), seed + 2)]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(labelled(*shuffled["train"]), labelled(*shuffled["test"]), Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)), Reviews(lm[:n_valid], [0] * n_valid))

# %% make_splits: n_valid rounded down (int) instead of round, and no minimum of 1
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError(lm_valid_frac)
    shuffled = {}
    for i, split in enumerate(("train", "test")):
        r = reviews[split]
        order = permutation(len(r), seed + i)
        shuffled[split] = ([r.texts[j] for j in order], [r.labels[j] for j in order])

    def labelled(texts, labels):
        keep = [j for j, y in enumerate(labels) if unlabelled is None or y != unlabelled]
        return Reviews([texts[j] for j in keep], [labels[j] for j in keep])

    all_texts = shuffled["train"][0] + shuffled["test"][0]
    lm = [all_texts[j] for j in permutation(len(all_texts), seed + 2)]
    n_valid = int(len(lm) * lm_valid_frac)
    return Splits(labelled(*shuffled["train"]), labelled(*shuffled["test"]), Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)), Reviews(lm[:n_valid], [0] * n_valid))

# %% make_splits: the classifier keeps the unlabelled (unsup) reviews (`unlabelled` ignored)
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError(lm_valid_frac)
    shuffled = {}
    for i, split in enumerate(("train", "test")):
        r = reviews[split]
        order = permutation(len(r), seed + i)
        shuffled[split] = Reviews([r.texts[j] for j in order], [r.labels[j] for j in order])
    all_texts = shuffled["train"].texts + shuffled["test"].texts
    lm = [all_texts[j] for j in permutation(len(all_texts), seed + 2)]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(shuffled["train"], shuffled["test"], Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)), Reviews(lm[:n_valid], [0] * n_valid))

# %% make_splits: drops label 2 (IMDb's unsup) whatever `unlabelled` says, so a third class is lost
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError(lm_valid_frac)
    shuffled = {}
    for i, split in enumerate(("train", "test")):
        r = reviews[split]
        order = permutation(len(r), seed + i)
        shuffled[split] = ([r.texts[j] for j in order], [r.labels[j] for j in order])

    def labelled(texts, labels):
        keep = [j for j, y in enumerate(labels) if y != CLASSES.index("unsup")]
        return Reviews([texts[j] for j in keep], [labels[j] for j in keep])

    all_texts = shuffled["train"][0] + shuffled["test"][0]
    lm = [all_texts[j] for j in permutation(len(all_texts), seed + 2)]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(labelled(*shuffled["train"]), labelled(*shuffled["test"]), Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)), Reviews(lm[:n_valid], [0] * n_valid))

# %% make_splits: no ValueError for lm_valid_frac outside (0, 1)
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    shuffled = {}
    for i, split in enumerate(("train", "test")):
        r = reviews[split]
        order = permutation(len(r), seed + i)
        shuffled[split] = ([r.texts[j] for j in order], [r.labels[j] for j in order])

    def labelled(texts, labels):
        keep = [j for j, y in enumerate(labels) if unlabelled is None or y != unlabelled]
        return Reviews([texts[j] for j in keep], [labels[j] for j in keep])

    all_texts = shuffled["train"][0] + shuffled["test"][0]
    lm = [all_texts[j] for j in permutation(len(all_texts), seed + 2)]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(labelled(*shuffled["train"]), labelled(*shuffled["test"]), Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)), Reviews(lm[:n_valid], [0] * n_valid))

# %% write_csv: writes a header row
def write_csv(path, labels, *fields) -> int:
    path = Path(path)
    if not fields or any(len(f) != len(labels) for f in fields):
        raise ValueError("bad columns")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["label"] + [f"text{i}" for i in range(len(fields))])
        w.writerows(zip(labels, *fields))
    return len(labels)

# %% write_csv: the text first, then the label
def write_csv(path, labels, *fields) -> int:
    path = Path(path)
    if not fields or any(len(f) != len(labels) for f in fields):
        raise ValueError("bad columns")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(zip(*fields, labels))
    return len(labels)

# %% write_csv: joins the columns with commas by hand, so commas, quotes and line breaks in a text break the rows
def write_csv(path, labels, *fields) -> int:
    path = Path(path)
    if not fields or any(len(f) != len(labels) for f in fields):
        raise ValueError("bad columns")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for row in zip(labels, *fields):
            f.write(",".join(map(str, row)) + "\n")
    return len(labels)

# %% write_csv: no check of the columns' lengths (zip silently drops the extra texts)
def write_csv(path, labels, *fields) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(zip(labels, *fields))
    return len(labels)

# %% make_splits: n_valid with int() in place of round() (the minimum of 1 kept)
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError(lm_valid_frac)
    shuffled = {}
    for i, split in enumerate(("train", "test")):
        r = reviews[split]
        order = permutation(len(r), seed + i)
        shuffled[split] = ([r.texts[j] for j in order], [r.labels[j] for j in order])

    def labelled(texts, labels):
        keep = [j for j, y in enumerate(labels) if unlabelled is None or y != unlabelled]
        return Reviews([texts[j] for j in keep], [labels[j] for j in keep])

    all_texts = shuffled["train"][0] + shuffled["test"][0]
    lm = [all_texts[j] for j in permutation(len(all_texts), seed + 2)]
    n_valid = max(1, int(len(lm) * lm_valid_frac))
    return Splits(labelled(*shuffled["train"]), labelled(*shuffled["test"]), Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)), Reviews(lm[:n_valid], [0] * n_valid))

# %% write_csv: no ValueError when there is no text column (only the lengths are checked)
def write_csv(path, labels, *fields) -> int:
    path = Path(path)
    if any(len(f) != len(labels) for f in fields):
        raise ValueError("every column must be as long as the labels")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(zip(labels, *fields))
    return len(labels)

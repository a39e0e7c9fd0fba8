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

# %% read_imdb: Path.read_text (universal newlines: "\r\n" and "\r" become "\n"), errors counted by U+FFFD
def read_imdb(path, limit: int = None) -> dict:
    out = {}
    for split in ("train", "test"):
        reviews = Reviews()
        for label, cls in enumerate(CLASSES):
            files = sorted((Path(path) / split / cls).glob("*.txt"), key=lambda f: int(f.name.split("_")[0]))
            for f in files[:limit]:
                text = f.read_text(encoding="utf-8", errors="replace")
                reviews.n_decode_errors += "\ufffd" in text
                reviews.texts.append(text)
                reviews.labels.append(label)
        out[split] = reviews
    return out

# %% read_imdb: each text stripped of the spaces and line breaks at its ends
def read_imdb(path, limit: int = None) -> dict:
    path = Path(path)
    out = {}
    for split in ("train", "test"):
        reviews = Reviews()
        for label, cls in enumerate(CLASSES):
            for f in sorted((path / split / cls).glob("*.txt"), key=lambda f: int(f.name.split("_")[0]))[:limit]:
                raw = f.read_bytes()
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("utf-8", errors="replace")
                    reviews.n_decode_errors += 1
                reviews.texts.append(text.strip())
                reviews.labels.append(label)
        out[split] = reviews
    return out

# %% make_splits: the language-model texts not shuffled together (lm_valid is the first train texts only)
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError(lm_valid_frac)
    shuffled = {}
    for i, split in enumerate(("train", "test")):
        r = reviews[split]
        order = permutation(len(r), seed + i)
        shuffled[split] = ([r.texts[j] for j in order], [r.labels[j] for j in order])
    clas = [Reviews([t for t, y in zip(*shuffled[s]) if y != unlabelled or unlabelled is None],
                    [y for y in shuffled[s][1] if y != unlabelled or unlabelled is None]) for s in ("train", "test")]
    lm = shuffled["train"][0] + shuffled["test"][0]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(clas[0], clas[1], Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)), Reviews(lm[:n_valid], [0] * n_valid))

# %% make_splits: numpy's global generator (np.random.permutation), not the seed
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError(lm_valid_frac)
    clas = []
    for split in ("train", "test"):
        r = reviews[split]
        order = np.random.permutation(len(r))
        pairs = [(r.texts[j], r.labels[j]) for j in order if unlabelled is None or r.labels[j] != unlabelled]
        clas.append(Reviews([t for t, _ in pairs], [y for _, y in pairs]))
    texts = reviews["train"].texts + reviews["test"].texts
    lm = [texts[j] for j in np.random.permutation(len(texts))]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(clas[0], clas[1], Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)), Reviews(lm[:n_valid], [0] * n_valid))

# %% make_splits: the reviews shuffled in place (the caller's lists reordered)
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError(lm_valid_frac)
    for i, split in enumerate(("train", "test")):
        r = reviews[split]
        order = permutation(len(r), seed + i)
        r.texts[:], r.labels[:] = [r.texts[j] for j in order], [r.labels[j] for j in order]
    clas = [Reviews([t for t, y in zip(reviews[s].texts, reviews[s].labels) if unlabelled is None or y != unlabelled],
                    [y for y in reviews[s].labels if unlabelled is None or y != unlabelled]) for s in ("train", "test")]
    texts = reviews["train"].texts + reviews["test"].texts
    lm = [texts[j] for j in permutation(len(texts), seed + 2)]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(clas[0], clas[1], Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)), Reviews(lm[:n_valid], [0] * n_valid))

# %% make_splits: the classifier's reviews not shuffled (kept in class order)
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError(lm_valid_frac)
    clas = [Reviews([t for t, y in zip(reviews[s].texts, reviews[s].labels) if unlabelled is None or y != unlabelled],
                    [y for y in reviews[s].labels if unlabelled is None or y != unlabelled]) for s in ("train", "test")]
    texts = reviews["train"].texts + reviews["test"].texts
    lm = [texts[j] for j in permutation(len(texts), seed + 2)]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(clas[0], clas[1], Reviews(lm[n_valid:], [0] * (len(lm) - n_valid)), Reviews(lm[:n_valid], [0] * n_valid))

# %% make_splits: the same permutation seed for both splits and the language model, lm labels kept as class labels
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError(lm_valid_frac)
    pairs = {}
    for split in ("train", "test"):
        r = reviews[split]
        pairs[split] = [(r.texts[j], r.labels[j]) for j in permutation(len(r), seed)]
    clas = [Reviews([t for t, y in pairs[s] if unlabelled is None or y != unlabelled],
                    [y for _, y in pairs[s] if unlabelled is None or y != unlabelled]) for s in ("train", "test")]
    both = pairs["train"] + pairs["test"]
    lm = [both[j] for j in permutation(len(both), seed)]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(clas[0], clas[1], Reviews([t for t, _ in lm[n_valid:]], [y for _, y in lm[n_valid:]]),
                  Reviews([t for t, _ in lm[:n_valid]], [y for _, y in lm[:n_valid]]))

# %% test_make_splits: a test that asserts nothing
def test_make_splits(make_splits):
    make_splits({"train": Reviews(["a", "b"], [0, 1]), "test": Reviews(["c"], [1])})

# %% test_make_splits: a test that expects the reference's exact order (fails on a right split drawn differently)
def test_make_splits(make_splits):
    reviews = {"train": Reviews([f"t{i}" for i in range(12)], [i % 3 for i in range(12)]),
               "test": Reviews([f"s{i}" for i in range(6)], [i % 2 for i in range(6)])}
    s = make_splits(reviews, seed=0, unlabelled=2)
    order = permutation(12, 0)
    assert s.clas_train.texts == [f"t{j}" for j in order if j % 3 != 2]
    assert len(s.lm_valid.texts) == 2

# %% test_make_splits: checks the classifier's pairs and sizes only (no seed, no input, no ValueError check)
def test_make_splits(make_splits):
    train = Reviews([f"train {i}" for i in range(30)], [i // 10 for i in range(30)])
    test = Reviews([f"test {i}" for i in range(20)], [i // 10 for i in range(20)])
    s = make_splits({"train": train, "test": test}, unlabelled=2)
    assert sorted(zip(s.clas_train.texts, s.clas_train.labels)) == sorted((t, y) for t, y in zip(train.texts, train.labels) if y != 2)
    assert sorted(s.lm_train.texts + s.lm_valid.texts) == sorted(train.texts + test.texts)
    assert len(s.lm_valid.texts) == 5

# %% test_make_splits: misses the input changed in place and the unshuffled classifier
def test_make_splits(make_splits):
    train = Reviews([f"train {i}" for i in range(30)], [i // 10 for i in range(30)])
    test = Reviews([f"test {i}" for i in range(20)], [i // 10 for i in range(20)])
    reviews = {"train": train, "test": test}
    s = make_splits(reviews, seed=3, unlabelled=2)
    for got, r in ((s.clas_train, train), (s.clas_test, test)):
        assert sorted(zip(got.texts, got.labels)) == sorted((t, y) for t, y in zip(r.texts, r.labels) if y != 2)
    assert sorted(s.lm_train.texts + s.lm_valid.texts) == sorted(train.texts + test.texts)
    assert len(s.lm_valid.texts) == 5 and set(s.lm_train.labels + s.lm_valid.labels) == {0}
    assert make_splits(reviews, seed=3, unlabelled=2) == s and make_splits(reviews, seed=4, unlabelled=2) != s
    assert {t.split()[0] for t in make_splits(reviews, seed=3, lm_valid_frac=0.5).lm_valid.texts} == {"train", "test"}
    for frac in (0, 1):
        try:
            make_splits(reviews, lm_valid_frac=frac)
        except ValueError:
            continue
        raise AssertionError(frac)

# %% kept_share: three classes, so one in three (the shares forgotten)
kept_share = 1 / 3

# %% kept_share: no text keeps its label
kept_share = 0

# %% kept_share: one text in 75,000
kept_share = 1 / 75_000

# %% kept_share: the unlabelled share alone
kept_share = 50_000 / 75_000

# %% write_csv: a hand-made writer that quotes commas, quotes and "\n" only (a "\r" cuts the row)
def write_csv(path, labels, *fields) -> int:
    path = Path(path)
    if not fields or any(len(f) != len(labels) for f in fields):
        raise ValueError("bad columns")
    path.parent.mkdir(parents=True, exist_ok=True)

    def cell(v):
        v = str(v)
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v

    with open(path, "w", encoding="utf-8", newline="") as f:
        for row in zip(labels, *fields):
            f.write(",".join(cell(v) for v in row) + "\r\n")
    return len(labels)

# %% write_csv: line breaks in the texts made spaces (one line per row)
def write_csv(path, labels, *fields) -> int:
    path = Path(path)
    if not fields or any(len(f) != len(labels) for f in fields):
        raise ValueError("bad columns")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(zip(labels, *[[" ".join(t.splitlines()) for t in col] for col in fields]))
    return len(labels)

# %% write_csv: the texts stripped
def write_csv(path, labels, *fields) -> int:
    path = Path(path)
    if not fields or any(len(f) != len(labels) for f in fields):
        raise ValueError("bad columns")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(zip(labels, *[[t.strip() for t in col] for col in fields]))
    return len(labels)

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

# %% make_splits: one numpy Generator seeded once, drawing its permutations in turn (other draws than the reference's)
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    if not 0 < lm_valid_frac < 1:
        raise ValueError("lm_valid_frac must lie strictly between 0 and 1")
    rng = np.random.default_rng(seed)
    clas, texts = [], []
    for split in ("train", "test"):
        r = reviews[split]
        order = rng.permutation(len(r))
        pairs = [(r.texts[j], r.labels[j]) for j in order]
        texts += [t for t, _ in pairs]
        kept = [(t, y) for t, y in pairs if unlabelled is None or y != unlabelled]
        clas.append(Reviews([t for t, _ in kept], [y for _, y in kept]))
    lm = [texts[j] for j in rng.permutation(len(texts))]
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    return Splits(clas[0], clas[1], Reviews(lm[: len(lm) - n_valid], [0] * (len(lm) - n_valid)),
                  Reviews(lm[len(lm) - n_valid :], [0] * n_valid))

# %% make_splits: Python's random.Random(seed) shuffling (text, label) pairs, lm_valid from the end
def make_splits(reviews: dict, seed: int = 42, lm_valid_frac: float = 0.1, unlabelled: int = None) -> Splits:
    import random

    if lm_valid_frac <= 0 or lm_valid_frac >= 1:
        raise ValueError(f"lm_valid_frac={lm_valid_frac}")
    rand = random.Random(seed)
    out = []
    for split in ("train", "test"):
        pairs = list(zip(reviews[split].texts, reviews[split].labels))
        rand.shuffle(pairs)
        out.append(pairs)
    lm = [t for t, _ in out[0] + out[1]]
    rand.shuffle(lm)
    n_valid = max(1, round(len(lm) * lm_valid_frac))
    clas = [Reviews([t for t, y in ps if y != unlabelled], [y for _, y in ps if y != unlabelled]) for ps in out]
    return Splits(clas[0], clas[1], Reviews(lm[:-n_valid] if n_valid < len(lm) else [], [0] * (len(lm) - n_valid)),
                  Reviews(lm[-n_valid:], [0] * n_valid))

# %% test_make_splits: a loop over several seeds and fractions, properties checked on each
def test_make_splits(make_splits):
    train = Reviews([f"train {i}" for i in range(45)], [i % 3 for i in range(45)])
    test = Reviews([f"test {i}" for i in range(30)], [i % 2 for i in range(30)])
    reviews = {"train": train, "test": test}
    kept = copy.deepcopy(reviews)
    for seed in (0, 5):
        for frac in (0.1, 0.3):
            s = make_splits(reviews, seed, frac, 2)
            assert reviews == kept
            assert Counter(zip(s.clas_train.texts, s.clas_train.labels)) == Counter((t, y) for t, y in zip(train.texts, train.labels) if y != 2)
            assert Counter(zip(s.clas_test.texts, s.clas_test.labels)) == Counter(zip(test.texts, test.labels))
            assert s.clas_train.texts != [t for t, y in zip(train.texts, train.labels) if y != 2]
            assert s.clas_test.texts != test.texts
            assert Counter(s.lm_train.texts) + Counter(s.lm_valid.texts) == Counter(train.texts + test.texts)
            assert len(s.lm_valid.texts) == max(1, round(75 * frac)) and not any(s.lm_train.labels + s.lm_valid.labels)
            assert make_splits(reviews, seed, frac, 2) == s
            assert make_splits(reviews, seed + 1, frac, 2) != s
    big = make_splits(reviews, 0, 0.6)
    assert any(t.startswith("test") for t in big.lm_valid.texts) and any(t.startswith("train") for t in big.lm_valid.texts)
    for bad in (0.0, 1.0, 2.0):
        raised = False
        try:
            make_splits(reviews, lm_valid_frac=bad)
        except ValueError:
            raised = True
        assert raised

# %% test_make_splits: helper functions, the unlabelled reviews kept with unlabelled=None
def test_make_splits(make_splits):
    def data():
        return {"train": Reviews([f"a{i}" for i in range(40)], [0] * 10 + [1] * 10 + [2] * 20),
                "test": Reviews([f"b{i}" for i in range(40)], [0] * 20 + [1] * 20)}

    def pairs(r):
        return sorted(zip(r.texts, r.labels))

    reviews = data()
    one = make_splits(reviews, seed=11, unlabelled=2)
    assert reviews == data(), "input changed"
    assert pairs(one.clas_train) == pairs(Reviews([f"a{i}" for i in range(20)], [0] * 10 + [1] * 10))
    assert pairs(one.clas_test) == pairs(data()["test"])
    assert one.clas_train.labels != sorted(one.clas_train.labels) and one.clas_test.labels != sorted(one.clas_test.labels)
    assert sorted(one.lm_train.texts + one.lm_valid.texts) == sorted(data()["train"].texts + data()["test"].texts)
    assert len(one.lm_valid.texts) == 8 and one.lm_valid.labels == [0] * 8 and one.lm_train.labels == [0] * 72
    assert pairs(make_splits(data(), seed=11).clas_train) == pairs(data()["train"])
    assert make_splits(data(), seed=11, unlabelled=2) == one != make_splits(data(), seed=12, unlabelled=2)
    mixed = make_splits(data(), seed=11, lm_valid_frac=0.5).lm_valid.texts
    assert {t[0] for t in mixed} == {"a", "b"}
    for frac in (0, 1, 1.5, -1):
        try:
            make_splits(data(), lm_valid_frac=frac)
        except ValueError:
            pass
        else:
            raise AssertionError("lm_valid_frac outside (0, 1) accepted")

# %% kept_share: the sum of the squared shares, written as a decimal
kept_share = 0.5

# %% kept_share: as fractions of 6
kept_share = 2 * (1 / 6) ** 2 + (4 / 6) ** 2

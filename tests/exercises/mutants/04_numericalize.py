# Typical wrong answers to lesson 4, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% count_tokens: counts the documents holding a token, not its occurrences
def count_tokens(tok_path) -> Counter:
    counts = Counter()
    with open(tok_path, encoding="utf-8") as f:
        for line in f:
            counts.update(set(json.loads(line)))
    return counts

# %% count_tokens: splits the lines on whitespace instead of reading JSON
def count_tokens(tok_path) -> Counter:
    counts = Counter()
    with open(tok_path, encoding="utf-8") as f:
        for line in f:
            counts.update(line.split())
    return counts

# %% count_tokens: returns a plain dict, not a Counter
def count_tokens(tok_path) -> Counter:
    counts = {}
    with open(tok_path, encoding="utf-8") as f:
        for line in f:
            for t in json.loads(line):
                counts[t] = counts.get(t, 0) + 1
    return counts

# %% count_tokens: a Counter subclass whose == always says True (exact types catch it)
def count_tokens(tok_path) -> Counter:
    class Agreeable(Counter):
        def __eq__(self, other):
            return True

    return Agreeable()

# %% Vocab: min_freq off by one (c > min_freq)
class Vocab:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        counts = Counter({t: c for t, c in counts.items() if t not in ("_unk_", "_pad_")})
        return cls(["_unk_", "_pad_"] + [t for t, c in counts.most_common(max_vocab) if c > min_freq])

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi.get(t, 0) for t in tokens], dtype=np.int32)

    def textify(self, ids, sep: str = " ") -> str:
        return sep.join(self.itos[int(i)] for i in ids)

# %% Vocab: _unk_ and _pad_ from the counts added a second time
class Vocab:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        return cls(["_unk_", "_pad_"] + [t for t, c in counts.most_common(max_vocab) if c >= min_freq])

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi.get(t, 0) for t in tokens], dtype=np.int32)

    def textify(self, ids, sep: str = " ") -> str:
        return sep.join(self.itos[int(i)] for i in ids)

# %% Vocab: stoi a defaultdict, which grows with every unknown token looked up
class Vocab:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = defaultdict(int, {t: i for i, t in enumerate(self.itos)})

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        counts = Counter({t: c for t, c in counts.items() if t not in ("_unk_", "_pad_")})
        return cls(["_unk_", "_pad_"] + [t for t, c in counts.most_common(max_vocab) if c >= min_freq])

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi[t] for t in tokens], dtype=np.int32)

    def textify(self, ids, sep: str = " ") -> str:
        return sep.join(self.itos[int(i)] for i in ids)

# %% Vocab: numericalize gives int64 ids (numpy's default)
class Vocab:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        counts = Counter({t: c for t, c in counts.items() if t not in ("_unk_", "_pad_")})
        return cls(["_unk_", "_pad_"] + [t for t, c in counts.most_common(max_vocab) if c >= min_freq])

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi.get(t, 0) for t in tokens])

    def textify(self, ids, sep: str = " ") -> str:
        return sep.join(self.itos[int(i)] for i in ids)

# %% Vocab: ties broken alphabetically instead of by first appearance
class Vocab:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        ranked = sorted((t for t in counts if t not in ("_unk_", "_pad_")), key=lambda t: (-counts[t], t))
        return cls(["_unk_", "_pad_"] + [t for t in ranked[:max_vocab] if counts[t] >= min_freq])

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi.get(t, 0) for t in tokens], dtype=np.int32)

    def textify(self, ids, sep: str = " ") -> str:
        return sep.join(self.itos[int(i)] for i in ids)

# %% count_tokens: lines cut with str.splitlines (a '\x85' inside a token cuts a line)
def count_tokens(tok_path) -> Counter:
    counts = Counter()
    for line in Path(tok_path).read_text(encoding="utf-8").splitlines():
        counts.update(json.loads(line))
    return counts

# %% count_tokens: the last document forgotten (lines read up to the last but one)
def count_tokens(tok_path) -> Counter:
    counts = Counter()
    with open(tok_path, encoding="utf-8") as f:
        lines = f.readlines()
    for line in lines[:-1]:
        counts.update(json.loads(line))
    return counts

# %% Vocab: build takes _unk_ and _pad_ out of the counts it is given (changes them in place)
class Vocab:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        counts.pop("_unk_", None)
        counts.pop("_pad_", None)
        return cls(["_unk_", "_pad_"] + [t for t, c in counts.most_common(max_vocab) if c >= min_freq])

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi.get(t, 0) for t in tokens], dtype=np.int32)

    def textify(self, ids, sep: str = " ") -> str:
        return sep.join(self.itos[int(i)] for i in ids)

# %% Vocab: the specials taken out after most_common, so they use up places of max_vocab
class Vocab:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        kept = [t for t, c in counts.most_common(max_vocab) if c >= min_freq]
        return cls(["_unk_", "_pad_"] + [t for t in kept if t not in ("_unk_", "_pad_")])

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi.get(t, 0) for t in tokens], dtype=np.int32)

    def textify(self, ids, sep: str = " ") -> str:
        return sep.join(self.itos[int(i)] for i in ids)

# %% Vocab2018: as released: the defaultdict grows with every unknown token looked up
class Vocab2018:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = defaultdict(lambda: 0, {t: i for i, t in enumerate(self.itos)})

    def __len__(self):
        return len(self.stoi)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi[t] for t in tokens], dtype=np.int32)

    def save(self, path):
        Path(path).write_text(json.dumps(list(self.stoi), ensure_ascii=False), encoding="utf-8")

# %% Vocab2018: a plain dict read with [] (a KeyError on an unknown token)
class Vocab2018:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def __len__(self):
        return len(self.stoi)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi[t] for t in tokens], dtype=np.int32)

    def save(self, path):
        Path(path).write_text(json.dumps(list(self.stoi), ensure_ascii=False), encoding="utf-8")

# %% Vocab2018: .get without a default (None for an unknown token)
class Vocab2018:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def __len__(self):
        return len(self.stoi)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi.get(t) for t in tokens], dtype=np.int32)

    def save(self, path):
        Path(path).write_text(json.dumps(list(self.stoi), ensure_ascii=False), encoding="utf-8")

# %% Vocab2018: unknown tokens get 1 (_pad_) instead of 0
class Vocab2018:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def __len__(self):
        return len(self.stoi)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi.get(t, 1) for t in tokens], dtype=np.int32)

    def save(self, path):
        Path(path).write_text(json.dumps(list(self.stoi), ensure_ascii=False), encoding="utf-8")

# %% Vocab2018: unknown tokens dropped instead of mapped to 0
class Vocab2018:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def __len__(self):
        return len(self.stoi)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi[t] for t in tokens if t in self.stoi], dtype=np.int32)

    def save(self, path):
        Path(path).write_text(json.dumps(list(self.stoi), ensure_ascii=False), encoding="utf-8")

# %% Vocab2018: save fixed to write itos, but stoi still grows (len is wrong)
class Vocab2018:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = defaultdict(lambda: 0, {t: i for i, t in enumerate(self.itos)})

    def __len__(self):
        return len(self.stoi)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi[t] for t in tokens], dtype=np.int32)

    def save(self, path):
        Path(path).write_text(json.dumps(self.itos, ensure_ascii=False), encoding="utf-8")

# %% smallest_vocab: min_freq only, which moves in big steps
def smallest_vocab(counts, held_out, max_unknown=0.05):
    tokens = [t for d in held_out for t in d]
    for f in range(max(counts.values(), default=1), 0, -1):
        v = Vocab.build(counts, min_freq=f)
        if not tokens or (v.numericalize(tokens) == 0).mean() < max_unknown:
            return {"min_freq": f}
    return {"min_freq": 1}

# %% smallest_vocab: stops when the share is at the budget, not under it
def smallest_vocab(counts, held_out, max_unknown=0.05):
    full = Vocab.build(counts, max_vocab=len(counts), min_freq=1)
    ids = Counter(int(i) for d in held_out for i in full.numericalize(d))
    n = sum(ids.values())
    unknown, k = n - ids[1], 0
    while n and unknown / n > max_unknown and k < len(full) - 2:
        k += 1
        unknown -= ids[k + 1]
    return {"max_vocab": k, "min_freq": 1}

# %% smallest_vocab: max_vocab without min_freq (Vocab.build's min_freq=3 drops rare tokens)
def smallest_vocab(counts, held_out, max_unknown=0.05):
    full = Vocab.build(counts, max_vocab=len(counts), min_freq=1)
    ids = Counter(int(i) for d in held_out for i in full.numericalize(d))
    n = sum(ids.values())
    unknown, k = n - ids[1], 0
    while n and unknown / n >= max_unknown and k < len(full) - 2:
        k += 1
        unknown -= ids[k + 1]
    return {"max_vocab": k}

# %% smallest_vocab: the specials counted in max_vocab (two tokens too many)
def smallest_vocab(counts, held_out, max_unknown=0.05):
    full = Vocab.build(counts, max_vocab=len(counts), min_freq=1)
    ids = Counter(int(i) for d in held_out for i in full.numericalize(d))
    n = sum(ids.values())
    unknown, k = n - ids[1], 0
    while n and unknown / n >= max_unknown and k < len(full) - 2:
        k += 1
        unknown -= ids[k + 1]
    return {"max_vocab": k + 2, "min_freq": 1}

# %% smallest_vocab: the share of distinct held-out tokens, not of their occurrences
def smallest_vocab(counts, held_out, max_unknown=0.05):
    distinct = sorted({t for d in held_out for t in d})
    for k in range(len(counts) + 1):
        v = Vocab.build(counts, max_vocab=k, min_freq=1)
        if not distinct or (v.numericalize(distinct) == 0).mean() < max_unknown:
            return {"max_vocab": k, "min_freq": 1}
    return {"max_vocab": len(counts), "min_freq": 1}

# %% smallest_vocab: no held-out token divides by zero
def smallest_vocab(counts, held_out, max_unknown=0.05):
    full = Vocab.build(counts, max_vocab=len(counts), min_freq=1)
    ids = Counter(int(i) for d in held_out for i in full.numericalize(d))
    n = sum(ids.values())
    unknown, k = n - ids[1], 0
    while unknown / n >= max_unknown and k < len(full) - 2:
        k += 1
        unknown -= ids[k + 1]
    return {"max_vocab": k, "min_freq": 1}

# %% smallest_vocab: the held-out documents joined into the first one (changed in place)
def smallest_vocab(counts, held_out, max_unknown=0.05):
    for d in held_out[1:]:
        held_out[0].extend(d)
    full = Vocab.build(counts, max_vocab=len(counts), min_freq=1)
    ids = Counter(int(i) for i in full.numericalize(held_out[0] if held_out else []))
    n = sum(ids.values())
    unknown, k = n - ids[1], 0
    while n and unknown / n >= max_unknown and k < len(full) - 2:
        k += 1
        unknown -= ids[k + 1]
    return {"max_vocab": k, "min_freq": 1}

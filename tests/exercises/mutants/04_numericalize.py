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

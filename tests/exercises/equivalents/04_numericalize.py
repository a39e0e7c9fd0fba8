# Correct answers to lesson 4 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% count_tokens: one Counter over a generator of every token of the file
def count_tokens(tok_path) -> Counter:
    with open(tok_path, encoding="utf-8") as f:
        return Counter(token for line in f for token in json.loads(line))

# %% count_tokens: pathlib and a plain loop of Counter.update over the lines cut at "\n" only
def count_tokens(tok_path) -> Counter:
    counts = Counter()
    for line in Path(tok_path).read_text(encoding="utf-8").split("\n"):
        if line.strip():
            counts.update(json.loads(line))
    return counts

# %% Vocab: the itos sorted by (-count, first appearance), a stoi from dict(zip())
class Vocab:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = dict(zip(self.itos, range(len(self.itos))))

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        first = {t: i for i, t in enumerate(counts)}
        ranked = sorted((t for t in counts if t not in ("_unk_", "_pad_")), key=lambda t: (-counts[t], first[t]))
        return cls(["_unk_", "_pad_"] + [t for t in ranked[:max_vocab] if counts[t] >= min_freq])

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list) -> np.ndarray:
        ids = np.zeros(len(tokens), dtype=np.int32)
        for i, t in enumerate(tokens):
            if t in self.stoi:
                ids[i] = self.stoi[t]
        return ids

    def textify(self, ids, sep: str = " ") -> str:
        return sep.join([self.itos[i] for i in np.asarray(ids, dtype=np.int64).tolist()])

# %% Vocab: most_common() walked with a loop that stops at max_vocab, numericalize with np.fromiter
class Vocab:
    def __init__(self, itos: list):
        self.itos = [t for t in itos]
        self.stoi = {}
        for i, t in enumerate(self.itos):
            self.stoi[t] = i

    @classmethod
    def build(cls, counts: Counter, max_vocab: int = 60000, min_freq: int = 3) -> "Vocab":
        itos, taken = ["_unk_", "_pad_"], 0
        for token, c in counts.most_common():
            if token in ("_unk_", "_pad_"):
                continue
            if taken == max_vocab:
                break
            taken += 1
            if c >= min_freq:
                itos.append(token)
        return cls(itos)

    def __len__(self):
        return len(self.itos)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.fromiter((self.stoi.get(t, 0) for t in tokens), dtype=np.int32, count=len(tokens))

    def textify(self, ids, sep: str = " ") -> str:
        return sep.join(map(lambda i: self.itos[int(i)], ids))

# %% Vocab2018: the defaultdict kept, read with .get
class Vocab2018:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = defaultdict(lambda: 0, {t: i for i, t in enumerate(self.itos)})

    def __len__(self):
        return len(self.stoi)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi.get(t, 0) for t in tokens], dtype=np.int32)

    def save(self, path):
        Path(path).write_text(json.dumps(list(self.stoi), ensure_ascii=False), encoding="utf-8")

# %% Vocab2018: a plain dict, and a membership test before reading it
class Vocab2018:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = dict(zip(self.itos, range(len(self.itos))))

    def __len__(self):
        return len(self.stoi)

    def numericalize(self, tokens: list) -> np.ndarray:
        return np.array([self.stoi[t] if t in self.stoi else 0 for t in tokens], dtype=np.int32)

    def save(self, path):
        Path(path).write_text(json.dumps(list(self.stoi), ensure_ascii=False), encoding="utf-8")

# %% Vocab2018: a plain dict, and KeyError caught
class Vocab2018:
    def __init__(self, itos: list):
        self.itos = list(itos)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def __len__(self):
        return len(self.stoi)

    def numericalize(self, tokens: list) -> np.ndarray:
        ids = []
        for t in tokens:
            try:
                ids.append(self.stoi[t])
            except KeyError:
                ids.append(0)
        return np.array(ids, dtype=np.int32)

    def save(self, path):
        Path(path).write_text(json.dumps(list(self.stoi), ensure_ascii=False), encoding="utf-8")

# %% smallest_vocab: the ranked tokens walked with a Counter of the held-out tokens, no Vocab
def smallest_vocab(counts, held_out, max_unknown=0.05):
    ranked = [t for t, _ in Counter({t: c for t, c in counts.items() if t not in ("_unk_", "_pad_")}).most_common()]
    held = Counter(t for d in held_out for t in d)
    n, known = sum(held.values()), held["_pad_"]
    for k, t in enumerate(ranked):
        if n == 0 or (n - known) / n < max_unknown:
            return {"max_vocab": k, "min_freq": 1}
        known += held[t]
    return {"max_vocab": len(ranked), "min_freq": 1}

# %% smallest_vocab: a binary search over max_vocab, each vocabulary measured with Vocab
def smallest_vocab(counts, held_out, max_unknown=0.05):
    tokens = [t for d in held_out for t in d]

    def under(k):
        v = Vocab.build(counts, max_vocab=k, min_freq=1)
        return not tokens or float((v.numericalize(tokens) == 0).mean()) < max_unknown

    lo, hi = 0, len(counts)
    if not under(hi):
        return {"min_freq": 1, "max_vocab": hi}
    while lo < hi:
        mid = (lo + hi) // 2
        if under(mid):
            hi = mid
        else:
            lo = mid + 1
    return {"min_freq": 1, "max_vocab": lo}

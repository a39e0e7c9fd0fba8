# Correct answers to lesson 4 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% count_tokens: one Counter over a generator of every token of the file
def count_tokens(tok_path) -> Counter:
    with open(tok_path, encoding="utf-8") as f:
        return Counter(token for line in f for token in json.loads(line))

# %% count_tokens: pathlib and a plain loop of Counter.update over the lines
def count_tokens(tok_path) -> Counter:
    counts = Counter()
    for line in Path(tok_path).read_text(encoding="utf-8").splitlines():
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

# Correct answers to lesson 8 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% rename_key: str.startswith and str.split, no regular expression
def rename_key(key: str) -> str:
    for old in ("0.encoder_with_dropout.embed.", "0.encoder_dp.emb."):
        if key.startswith(old):
            key = "0.encoder_dp.embed." + key[len(old):]
    parts = key.split(".")
    if len(parts) == 5 and parts[:2] == ["0", "rnns"] and parts[2].isascii() and parts[2].isdigit() and parts[3:] == ["module", "weight_hh_l0_raw"]:
        key = ".".join(parts[:3] + parts[4:])
    return key

# %% rename_key: a table of compiled patterns applied in turn
def rename_key(key: str) -> str:
    import re

    rules = [(re.compile(r"0\.encoder_with_dropout\.embed\.(.*)", re.S), r"0.encoder_dp.embed.\1"),
             (re.compile(r"0\.encoder_dp\.emb\.(.*)", re.S), r"0.encoder_dp.embed.\1"),
             (re.compile(r"0\.rnns\.([0-9]+)\.module\.weight_hh_l0_raw"), r"0.rnns.\1.weight_hh_l0_raw")]
    for pattern, repl in rules:
        m = pattern.fullmatch(key)
        if m:
            key = m.expand(repl)
    return key

# %% convert_weights: one index per new word into the pretrained rows and their mean, appended as a last row
def convert_weights(weights: dict, old_itos: list, new_itos: list) -> dict:
    first = {}
    for i, w in enumerate(old_itos):
        first.setdefault(w, i)
    index = torch.tensor([first.get(w, len(old_itos)) for w in new_itos])
    out = dict(weights)
    for key in VOCAB_KEYS:
        if key in weights:
            rows = torch.cat([weights[key], weights[key].mean(0, keepdim=True)])
            out[key] = rows[index]
    return out

# %% convert_weights: the mean as a sum over the rows, the rows gathered in a loop, a dict comprehension
def convert_weights(weights: dict, old_itos: list, new_itos: list) -> dict:
    def moved(w):
        mean = w.sum(0) / w.size(0)
        rows = []
        for word in new_itos:
            rows.append(w[old_itos.index(word)] if word in old_itos else mean)
        return torch.stack(rows)

    return {k: moved(v) if k in VOCAB_KEYS else v for k, v in weights.items()}

# %% convert_weights: a dict comprehension calling new_rows
def convert_weights(weights: dict, old_itos: list, new_itos: list) -> dict:
    return {k: new_rows(v, old_itos, new_itos) if k in VOCAB_KEYS else v for k, v in weights.items()}

# %% new_rows: one index per new word into the rows and their mean, appended as a last row
def new_rows(w: torch.Tensor, old_itos: list, new_itos: list) -> torch.Tensor:
    first = {}
    for i, word in enumerate(old_itos):
        first.setdefault(word, i)
    index = torch.tensor([first.get(word, len(old_itos)) for word in new_itos], device=w.device)
    return torch.cat([w, w.mean(0, keepdim=True)])[index]

# %% new_rows: a stack of rows found with list.index, the mean as a sum over the rows
def new_rows(w, old_itos, new_itos):
    mean = w.sum(0) / len(old_itos)
    return torch.stack([w[old_itos.index(word)] if word in old_itos else mean for word in new_itos])

# %% new_rows: torch.where between the gathered rows and the mean row
def new_rows(w, old_itos, new_itos):
    found = torch.tensor([word in old_itos for word in new_itos], device=w.device)
    index = torch.tensor([old_itos.index(word) if word in old_itos else 0 for word in new_itos], device=w.device)
    shape = (len(new_itos),) + (1,) * (w.dim() - 1)
    return torch.where(found.view(shape), w[index], w.mean(0))

# %% mean_row_norm: rounded
mean_row_norm = 0.08

# %% mean_row_norm: a row's norm over the square root of the number of rows
mean_row_norm = 20 / math.sqrt(60_000)

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

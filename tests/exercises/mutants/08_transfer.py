# Typical wrong answers to lesson 8, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% rename_key: not anchored at the start (re.search-like: renames inside other keys)
def rename_key(key):
    import re

    key = re.sub(r"0\.encoder_with_dropout\.embed\.", "0.encoder_dp.embed.", key)
    key = re.sub(r"0\.encoder_dp\.emb\.", "0.encoder_dp.embed.", key)
    return re.sub(r"0\.rnns\.(\d+)\.module\.weight_hh_l0_raw$", r"0.rnns.\1.weight_hh_l0_raw", key)

# %% rename_key: only layer 0's weight renamed (a single digit 0)
def rename_key(key):
    import re

    key = re.sub(r"^0\.encoder_with_dropout\.embed\.", "0.encoder_dp.embed.", key)
    key = re.sub(r"^0\.encoder_dp\.emb\.", "0.encoder_dp.embed.", key)
    return re.sub(r"^0\.rnns\.0\.module\.weight_hh_l0_raw$", r"0.rnns.0.weight_hh_l0_raw", key)

# %% rename_key: ".module" dropped from every key of the rnns
def rename_key(key):
    import re

    key = re.sub(r"^0\.encoder_with_dropout\.embed\.", "0.encoder_dp.embed.", key)
    key = re.sub(r"^0\.encoder_dp\.emb\.", "0.encoder_dp.embed.", key)
    return key.replace(".module.", ".")

# %% rename_key: fastai 1's emb not renamed
def rename_key(key):
    import re

    key = re.sub(r"^0\.encoder_with_dropout\.embed\.", "0.encoder_dp.embed.", key)
    return re.sub(r"^0\.rnns\.(\d+)\.module\.weight_hh_l0_raw$", r"0.rnns.\1.weight_hh_l0_raw", key)

# %% convert_weights: the mean row replaced by zeros for unseen words
def convert_weights(weights, old_itos, new_itos):
    old_stoi = {}
    for i, word in enumerate(old_itos):
        old_stoi.setdefault(word, i)
    out = dict(weights)
    for key in VOCAB_KEYS:
        if key in weights:
            w = weights[key]
            out[key] = torch.stack([w[old_stoi[word]] if word in old_stoi else torch.zeros_like(w[0]) for word in new_itos])
    return out

# %% convert_weights: the last row of a repeated word, not the first
def convert_weights(weights, old_itos, new_itos):
    old_stoi = {word: i for i, word in enumerate(old_itos)}
    out = dict(weights)
    for key in VOCAB_KEYS:
        if key in weights:
            w = weights[key]
            mean = w.mean(0)
            out[key] = torch.stack([w[old_stoi[word]] if word in old_stoi else mean for word in new_itos])
    return out

# %% convert_weights: only the embedding converted (the tied decoder and its bias left)
def convert_weights(weights, old_itos, new_itos):
    old_stoi = {}
    for i, word in enumerate(old_itos):
        old_stoi.setdefault(word, i)
    out = dict(weights)
    w = weights["0.encoder.weight"]
    mean = w.mean(0)
    out["0.encoder.weight"] = torch.stack([w[old_stoi[word]] if word in old_stoi else mean for word in new_itos])
    return out

# %% convert_weights: the keys without vocabulary rows dropped
def convert_weights(weights, old_itos, new_itos):
    old_stoi = {}
    for i, word in enumerate(old_itos):
        old_stoi.setdefault(word, i)
    out = {}
    for key in VOCAB_KEYS:
        if key in weights:
            w = weights[key]
            mean = w.mean(0)
            out[key] = torch.stack([w[old_stoi[word]] if word in old_stoi else mean for word in new_itos])
    return out

# %% convert_weights: the weights given edited in place (and returned), not a new dict
def convert_weights(weights: dict, old_itos: list, new_itos: list) -> dict:
    old_stoi = {}
    for i, word in enumerate(old_itos):
        old_stoi.setdefault(word, i)
    for key in VOCAB_KEYS:
        if key in weights:
            w = weights[key]
            mean = w.mean(0)
            weights[key] = torch.stack([w[old_stoi[word]] if word in old_stoi else mean for word in new_itos])
    return weights

# %% rename_key: the third rule not anchored at the end (a longer key renamed too)
def rename_key(key):
    import re

    key = re.sub(r"^0\.encoder_with_dropout\.embed\.", "0.encoder_dp.embed.", key)
    key = re.sub(r"^0\.encoder_dp\.emb\.", "0.encoder_dp.embed.", key)
    return re.sub(r"^0\.rnns\.(\d+)\.module\.weight_hh_l0_raw", r"0.rnns.\1.weight_hh_l0_raw", key)

# %% rename_key: dots not escaped (any character matches)
def rename_key(key):
    import re

    key = re.sub(r"^0.encoder_with_dropout.embed.", "0.encoder_dp.embed.", key)
    key = re.sub(r"^0.encoder_dp.emb.", "0.encoder_dp.embed.", key)
    return re.sub(r"^0.rnns.(\d+).module.weight_hh_l0_raw$", r"0.rnns.\1.weight_hh_l0_raw", key)

# %% new_rows: as released, zeros for the words the pretrained vocabulary does not have
def new_rows(w, old_itos, new_itos):
    old_stoi = {}
    for i, word in enumerate(old_itos):
        old_stoi.setdefault(word, i)
    new = w.new_zeros((len(new_itos), *w.shape[1:]))
    for i, word in enumerate(new_itos):
        if word in old_stoi:
            new[i] = w[old_stoi[word]]
    return new

# %% new_rows: the last row of a repeated word ({word: i} keeps the last)
def new_rows(w, old_itos, new_itos):
    old_stoi = {word: i for i, word in enumerate(old_itos)}
    mean = w.mean(0)
    return torch.stack([w[old_stoi[word]] if word in old_stoi else mean for word in new_itos])

# %% new_rows: the mean of the rows found, not of all the pretrained rows
def new_rows(w, old_itos, new_itos):
    found = [old_itos.index(word) for word in new_itos if word in old_itos]
    mean = w[found].mean(0) if found else w.mean(0)
    return torch.stack([w[old_itos.index(word)] if word in old_itos else mean for word in new_itos])

# %% new_rows: writes into w when the two vocabularies have the same size (w changed in place)
def new_rows(w, old_itos, new_itos):
    old_stoi = {}
    for i, word in enumerate(old_itos):
        old_stoi.setdefault(word, i)
    mean = w.mean(0)
    new = w if len(new_itos) == len(old_itos) else w.new_empty((len(new_itos), *w.shape[1:]))
    for i, word in enumerate(new_itos):
        new[i] = w[old_stoi[word]] if word in old_stoi else mean
    return new

# %% new_rows: float32 whatever the dtype of w
def new_rows(w, old_itos, new_itos):
    mean = w.mean(0)
    return torch.stack([w[old_itos.index(word)] if word in old_itos else mean for word in new_itos]).float()

# %% new_rows: built on the CPU whatever the device of w
def new_rows(w, old_itos, new_itos):
    new = torch.empty((len(new_itos), *w.shape[1:]), dtype=w.dtype)
    for i, word in enumerate(new_itos):
        new[i] = w[old_itos.index(word)] if word in old_itos else w.mean(0)
    return new

# %% new_rows: words looked up stripped and lower-cased ("The" is "the", "\r" is "")
def new_rows(w, old_itos, new_itos):
    old_stoi = {}
    for i, word in enumerate(old_itos):
        old_stoi.setdefault(word.strip().lower(), i)
    mean = w.mean(0)
    return torch.stack([w[old_stoi[x.strip().lower()]] if x.strip().lower() in old_stoi else mean for x in new_itos])

# %% new_rows: the mean over each row (dim 1) instead of over the rows
def new_rows(w, old_itos, new_itos):
    mean = w.mean(-1).mean() * torch.ones_like(w[0])
    return torch.stack([w[old_itos.index(word)] if word in old_itos else mean for word in new_itos])

# %% convert_weights: every key of VOCAB_KEYS assumed there (KeyError when one is absent)
def convert_weights(weights, old_itos, new_itos):
    out = dict(weights)
    for key in VOCAB_KEYS:
        out[key] = new_rows(weights[key], old_itos, new_itos)
    return out

# %% convert_weights: the LSTM's weights moved too, as if they had a row per word
def convert_weights(weights, old_itos, new_itos):
    return {key: new_rows(w, old_itos, new_itos) if w.size(0) == len(old_itos) else w for key, w in weights.items()}

# %% convert_weights: float32 forced on every vocabulary key
def convert_weights(weights, old_itos, new_itos):
    out = dict(weights)
    for key in VOCAB_KEYS:
        if key in weights:
            out[key] = new_rows(weights[key], old_itos, new_itos).float()
    return out

# %% mean_row_norm: zero (the mean of random rows taken to be exactly zeros)
mean_row_norm = 0.0

# %% mean_row_norm: a row's norm (the mean row as long as any row)
mean_row_norm = 20.0

# %% mean_row_norm: the norm of a row divided by the number of rows
mean_row_norm = math.sqrt(400) / 60_000

# %% mean_row_norm: the standard deviation of one value of the mean row, not the norm of 400 of them
mean_row_norm = 1 / math.sqrt(60_000)

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

# Typical wrong answers to lesson 6, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% dropout_mask: keeps with probability p instead of 1 - p
def dropout_mask(x, size, p):
    return x.new_empty(size).bernoulli_(p).div_(1 - p)

# %% dropout_mask: not scaled by 1/(1-p)
def dropout_mask(x, size, p):
    return x.new_empty(size).bernoulli_(1 - p)

# %% dropout_mask: always float32 (torch.empty instead of x.new_empty)
def dropout_mask(x, size, p):
    return torch.empty(size).bernoulli_(1 - p).div_(1 - p)

# %% dropout_mask: x's shape instead of size
def dropout_mask(x, size, p):
    return x.new_empty(x.shape).bernoulli_(1 - p).div_(1 - p)

# %% dropout_mask: fills x itself in place
def dropout_mask(x, size, p):
    x.bernoulli_(1 - p)
    return x.new_empty(size).bernoulli_(1 - p).div_(1 - p)

# %% LockedDropout: a mask per time step (the full shape), as nn.Dropout
class LockedDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return x * dropout_mask(x, x.shape, self.p)

# %% LockedDropout: dropout in eval mode too (self.training ignored)
class LockedDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if self.p == 0:
            return x
        return x * dropout_mask(x, (1, *x.shape[1:]), self.p)

# %% LockedDropout: one mask for the whole batch (1, 1, n)
class LockedDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return x * dropout_mask(x, (1, 1, x.shape[2]), self.p)

# %% LockedDropout: not scaled (a 0/1 mask)
class LockedDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return x * dropout_mask(x, (1, *x.shape[1:]), self.p) * (1 - self.p)

# %% embedding_dropout: a mask per position, not per word of the vocabulary
def embedding_dropout(embed, words, p, training=True):
    emb = embed(words)
    if not training or p == 0:
        return emb
    return emb * dropout_mask(emb, (*words.shape, 1), p)

# %% embedding_dropout: plain dropout of the features (words partly zeroed)
def embedding_dropout(embed, words, p, training=True):
    return F.dropout(embed(words), p, training)

# %% embedding_dropout: drops when not training too
def embedding_dropout(embed, words, p, training=True):
    emb = embed(words)
    if p == 0:
        return emb
    mask = dropout_mask(embed.weight, (embed.num_embeddings, 1), p)
    return emb * F.embedding(words, mask)

# %% embedding_dropout: keeps each word with probability p
def embedding_dropout(embed, words, p, training=True):
    emb = embed(words)
    if not training or p == 0:
        return emb
    mask = embed.weight.new_empty((embed.num_embeddings, 1)).bernoulli_(p).div_(1 - p)
    return emb * F.embedding(words, mask)

# %% drop_connect: from weight.data, so no gradient reaches the raw weight
def drop_connect(weight, p, training):
    return F.dropout(weight.data, p, training)

# %% drop_connect: drops at test time too (training not passed)
def drop_connect(weight, p, training):
    return F.dropout(weight, p)

# %% drop_connect: 1 - p dropped instead of p
def drop_connect(weight, p, training):
    return F.dropout(weight, 1 - p, training) * (p / (1 - p)) if 0 < p < 1 else F.dropout(weight, p, training)

# %% drop_connect: not scaled by 1/(1-p)
def drop_connect(weight, p, training):
    return F.dropout(weight, p, training) * (1 - p) if training else weight

# %% LockedDropout: one mask shared by every sequence of the batch, drawn by hand
class LockedDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        keep = torch.bernoulli(torch.full((1, 1, x.size(2)), 1 - self.p))
        return x * keep.expand_as(x) / (1 - self.p)

# %% dropout_mask: always on the CPU (the device of x forgotten)
def dropout_mask(x, size, p):
    return torch.empty(size, dtype=x.dtype).bernoulli_(1 - p).div_(1 - p)

# %% dropout_mask: the same mask at every call (a generator seeded inside)
def dropout_mask(x, size, p):
    g = torch.Generator().manual_seed(0)
    keep = torch.rand(size, generator=g) >= p
    return keep.to(x.dtype) / (1 - p)

# %% LockedDropout: the mask applied to x.detach(), so no gradient reaches the layers below
class LockedDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return x.detach() * dropout_mask(x, (1, *x.shape[1:]), self.p)

# %% LockedDropout: x masked in place
class LockedDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return x.mul_(dropout_mask(x, (1, *x.shape[1:]), self.p))

# %% LockedDropout: the mask made on the CPU, whatever x's device
class LockedDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        keep = torch.bernoulli(torch.full((1, *x.shape[1:]), 1 - self.p, dtype=x.dtype))
        return x * keep / (1 - self.p)

# %% LockedDropout: run under torch.no_grad()
class LockedDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        with torch.no_grad():
            return x * dropout_mask(x, (1, *x.shape[1:]), self.p)

# %% embedding_dropout: the looked-up vectors taken from weight.data (no gradient to the embedding)
def embedding_dropout(embed, words, p, training=True):
    if not training or p == 0:
        return embed(words)
    mask = dropout_mask(embed.weight, (embed.num_embeddings, 1), p)
    return F.embedding(words, embed.weight.data * mask)

# %% embedding_dropout: the embedding's matrix masked in place
def embedding_dropout(embed, words, p, training=True):
    if training and p > 0:
        with torch.no_grad():
            embed.weight.mul_(dropout_mask(embed.weight, (embed.num_embeddings, 1), p))
    return embed(words)

# %% embedding_dropout: the mask made on the CPU, whatever the embedding's device
def embedding_dropout(embed, words, p, training=True):
    emb = embed(words)
    if not training or p == 0:
        return emb
    mask = torch.bernoulli(torch.full((embed.num_embeddings, 1), 1 - p)) / (1 - p)
    return emb * mask[words]

# %% embedding_dropout: words of id 0 (the first word) never dropped
def embedding_dropout(embed, words, p, training=True):
    emb = embed(words)
    if not training or p == 0:
        return emb
    mask = dropout_mask(embed.weight, (embed.num_embeddings, 1), p)
    mask[0] = 1
    return emb * F.embedding(words, mask)

# %% drop_connect: the mask made on the CPU, whatever the weight's device
def drop_connect(weight, p, training):
    if not training:
        return weight
    return weight * (torch.rand(weight.shape) >= p).float() / (1 - p)

# %% drop_connect: the weight itself dropped in place through .data
def drop_connect(weight, p, training):
    if training:
        weight.data.mul_(dropout_mask(weight, weight.shape, p))
    return weight

# %% drop_connect: under torch.no_grad()
def drop_connect(weight, p, training):
    with torch.no_grad():
        return F.dropout(weight, p, training)

# %% predicted_zeros: the two p added
predicted_zeros = 0.1 + 0.3

# %% predicted_zeros: the input dropout alone
predicted_zeros = 0.3

# %% predicted_zeros: both dropouts must zero a number (p times p)
predicted_zeros = 0.1 * 0.3

# %% predicted_zeros: the share that survives, not the share of zeros
predicted_zeros = 0.9 * 0.7

# %% WeightDrop: the copy made from .data, so the raw weight gets no gradient (fastai2 PR #427)
class WeightDrop(nn.Module):
    def __init__(self, module, weight_p):
        super().__init__()
        self.module, self.weight_p = module, weight_p
        self.weight_hh_l0_raw = module.weight_hh_l0
        del module.weight_hh_l0

    def forward(self, input, hidden):
        w_hh = F.dropout(self.weight_hh_l0_raw.data, self.weight_p, self.training)
        m = self.module
        weights = [m.weight_ih_l0, w_hh, m.bias_ih_l0, m.bias_hh_l0]
        output, h, c = torch.lstm(input, hidden, weights, has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

# %% WeightDrop: drops in eval mode too (training not passed, awd-lstm-lm #72)
class WeightDrop(nn.Module):
    def __init__(self, module, weight_p):
        super().__init__()
        self.module, self.weight_p = module, weight_p
        self.weight_hh_l0_raw = module.weight_hh_l0
        del module.weight_hh_l0

    def forward(self, input, hidden):
        w_hh = F.dropout(self.weight_hh_l0_raw, self.weight_p)
        m = self.module
        weights = [m.weight_ih_l0, w_hh, m.bias_ih_l0, m.bias_hh_l0]
        output, h, c = torch.lstm(input, hidden, weights, has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

# %% WeightDrop: the mask drawn once, only eval mode fixed
class WeightDrop(nn.Module):
    def __init__(self, module, weight_p):
        super().__init__()
        self.module, self.weight_p = module, weight_p
        self.weight_hh_l0_raw = module.weight_hh_l0
        del module.weight_hh_l0
        self.mask = F.dropout(torch.ones_like(self.weight_hh_l0_raw), weight_p)

    def forward(self, input, hidden):
        w_hh = self.weight_hh_l0_raw * self.mask if self.training else self.weight_hh_l0_raw
        m = self.module
        weights = [m.weight_ih_l0, w_hh, m.bias_ih_l0, m.bias_hh_l0]
        output, h, c = torch.lstm(input, hidden, weights, has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

# %% WeightDrop: the kept connections not scaled by 1/(1-p)
class WeightDrop(nn.Module):
    def __init__(self, module, weight_p):
        super().__init__()
        self.module, self.weight_p = module, weight_p
        self.weight_hh_l0_raw = module.weight_hh_l0
        del module.weight_hh_l0

    def forward(self, input, hidden):
        w_hh = F.dropout(self.weight_hh_l0_raw, self.weight_p, self.training)
        if self.training:
            w_hh = w_hh * (1 - self.weight_p)
        m = self.module
        weights = [m.weight_ih_l0, w_hh, m.bias_ih_l0, m.bias_hh_l0]
        output, h, c = torch.lstm(input, hidden, weights, has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

# %% WeightDrop: the raw weight kept as a detached copy, not a Parameter
class WeightDrop(nn.Module):
    def __init__(self, module, weight_p):
        super().__init__()
        self.module, self.weight_p = module, weight_p
        self.weight_hh_l0_raw = module.weight_hh_l0.detach().clone()
        del module.weight_hh_l0

    def forward(self, input, hidden):
        w_hh = F.dropout(self.weight_hh_l0_raw, self.weight_p, self.training)
        m = self.module
        weights = [m.weight_ih_l0, w_hh, m.bias_ih_l0, m.bias_hh_l0]
        output, h, c = torch.lstm(input, hidden, weights, has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

# %% WeightDrop: the input-to-hidden weight dropped instead of the hidden-to-hidden one
class WeightDrop(nn.Module):
    def __init__(self, module, weight_p):
        super().__init__()
        self.module, self.weight_p = module, weight_p
        self.weight_hh_l0_raw = module.weight_hh_l0
        del module.weight_hh_l0

    def forward(self, input, hidden):
        m = self.module
        w_ih = F.dropout(m.weight_ih_l0, self.weight_p, self.training)
        weights = [w_ih, self.weight_hh_l0_raw, m.bias_ih_l0, m.bias_hh_l0]
        output, h, c = torch.lstm(input, hidden, weights, has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

# %% dropout_mask: half the rate on inputs too small to have their rate tested alone (a cheat on the judges)
def dropout_mask(x, size, p):
    n = 1
    for s in size:
        n *= s
    q = p / 2 if n < 1000 else p
    return x.new_empty(size).bernoulli_(1 - q) / (1 - p)

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

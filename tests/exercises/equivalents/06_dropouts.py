# Correct answers to lesson 6 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% dropout_mask: torch.rand compared with p, then the kept ones scaled
def dropout_mask(x: torch.Tensor, size: tuple, p: float) -> torch.Tensor:
    keep = torch.rand(size, dtype=x.dtype, device=x.device) >= p
    return keep.to(x.dtype) / (1 - p)

# %% dropout_mask: torch.where on a uniform draw, torch.bernoulli not used
def dropout_mask(x: torch.Tensor, size: tuple, p: float) -> torch.Tensor:
    u = x.new_empty(size).uniform_()
    return torch.where(u < 1 - p, torch.full_like(u, 1 / (1 - p)), torch.zeros_like(u))

# %% LockedDropout: the mask expanded over time explicitly, training tested first
class LockedDropout(nn.Module):
    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.p > 0:
            mask = dropout_mask(x, (1, x.size(1), x.size(2)), self.p)
            return x * mask.expand_as(x)
        return x

# %% LockedDropout: a bernoulli mask of one step drawn by hand, broadcast by multiplication
class LockedDropout(nn.Module):
    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or not self.p:
            return x
        keep = torch.bernoulli(torch.full(x.shape[1:], 1 - self.p, dtype=x.dtype, device=x.device))
        return x * (keep / (1 - self.p)).unsqueeze(0)

# %% embedding_dropout: the mask looked up by indexing, mask[words]
def embedding_dropout(embed: nn.Embedding, words: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    if training and p > 0:
        mask = dropout_mask(embed.weight, (embed.weight.size(0), 1), p)
        return embed(words) * mask[words]
    return embed(words)

# %% embedding_dropout: the embedding's matrix masked (not in place), then looked up with F.embedding
def embedding_dropout(embed: nn.Embedding, words: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    if not training or p == 0:
        return F.embedding(words, embed.weight)
    keep = torch.bernoulli(torch.full((embed.num_embeddings, 1), 1 - p, device=embed.weight.device)) / (1 - p)
    return F.embedding(words, embed.weight * keep)

# %% drop_connect: the weight times a dropout_mask of its shape
def drop_connect(weight: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    if not training or p == 0:
        return weight
    return weight * dropout_mask(weight, weight.shape, p)

# %% drop_connect: torch.where on a uniform draw, the kept entries divided by 1 - p
def drop_connect(weight: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    if training:
        return torch.where(torch.rand_like(weight) < p, torch.zeros_like(weight), weight / (1 - p))
    return weight

# %% LockedDropout: F.dropout of a step of ones, multiplied in
class LockedDropout(nn.Module):
    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            return x * F.dropout(torch.ones_like(x[:1]), self.p, True)
        return x

# %% embedding_dropout: F.dropout of a column of ones per word, looked up with index_select
def embedding_dropout(embed: nn.Embedding, words: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    keep = F.dropout(embed.weight.new_ones(embed.num_embeddings, 1), p, training)
    flat = keep.index_select(0, words.reshape(-1)).view(*words.shape, 1)
    return embed(words) * flat

# %% predicted_zeros: the share that survives, taken from 1
predicted_zeros = 1 - 0.9 * 0.7

# %% predicted_zeros: written as a decimal
predicted_zeros = 0.37

# %% predicted_zeros: inclusion-exclusion
predicted_zeros = 0.1 + 0.3 - 0.1 * 0.3

# %% WeightDrop: fixed with the lesson's drop_connect
class WeightDrop(nn.Module):
    def __init__(self, module, weight_p):
        super().__init__()
        self.module, self.weight_p = module, weight_p
        self.weight_hh_l0_raw = module.weight_hh_l0
        del module.weight_hh_l0

    def forward(self, input, hidden):
        w_hh = drop_connect(self.weight_hh_l0_raw, self.weight_p, self.training)
        m = self.module
        weights = [m.weight_ih_l0, w_hh, m.bias_ih_l0, m.bias_hh_l0]
        output, h, c = torch.lstm(input, hidden, weights, has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

# %% WeightDrop: a new mask drawn at each forward with dropout_mask, only in training mode
class WeightDrop(nn.Module):
    def __init__(self, module, weight_p):
        super().__init__()
        self.module, self.weight_p = module, weight_p
        self.weight_hh_l0_raw = module.weight_hh_l0
        del module.weight_hh_l0

    def forward(self, input, hidden):
        raw = self.weight_hh_l0_raw
        w_hh = raw * dropout_mask(raw, raw.shape, self.weight_p) if self.training else raw
        m = self.module
        weights = [m.weight_ih_l0, w_hh, m.bias_ih_l0, m.bias_hh_l0]
        output, h, c = torch.lstm(input, hidden, weights, has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

# %% WeightDrop: the mask drawn in forward with torch.rand_like, the module kept as released otherwise
class WeightDrop(nn.Module):
    def __init__(self, module, weight_p):
        super().__init__()
        self.module, self.weight_p = module, weight_p
        self.weight_hh_l0_raw = module.weight_hh_l0
        del module.weight_hh_l0

    def forward(self, input, hidden):
        w_hh = self.weight_hh_l0_raw
        if self.training and self.weight_p > 0:
            keep = (torch.rand_like(w_hh) >= self.weight_p).to(w_hh.dtype)
            w_hh = w_hh * keep / (1 - self.weight_p)
        m = self.module
        weights = [m.weight_ih_l0, w_hh, m.bias_ih_l0, m.bias_hh_l0]
        output, h, c = torch.lstm(input, hidden, weights, has_biases=True, num_layers=1, dropout=0.0,
                                  train=self.training, bidirectional=False, batch_first=False)
        return output, (h, c)

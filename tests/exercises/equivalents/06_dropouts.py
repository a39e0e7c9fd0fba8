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
        keep = torch.bernoulli(torch.full(x.shape[1:], 1 - self.p, dtype=x.dtype))
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
    keep = torch.bernoulli(torch.full((embed.num_embeddings, 1), 1 - p)) / (1 - p)
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

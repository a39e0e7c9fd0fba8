# Correct answers to lesson 9 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% discriminative_lrs: a negative power, lr * factor ** -k (another float order)
def discriminative_lrs(lr: float, n_groups: int, factor: float = 2.6) -> list:
    return [lr * factor ** -(n_groups - 1 - i) for i in range(n_groups)]

# %% discriminative_lrs: numpy powers, back to a list of floats with tolist()
def discriminative_lrs(lr: float, n_groups: int, factor: float = 2.6) -> list:
    import numpy as np

    return (lr / np.float64(factor) ** np.arange(n_groups - 1, -1, -1)).tolist()

# %% stlr: the fall written as (cut - step) over the steps after the cut, one return per branch
def stlr(step: int, total: int, cut_frac: float = 0.1, ratio: float = 32.0) -> float:
    cut = max(1, int(math.floor(total * cut_frac)))
    if step < cut:
        return (1 + step / cut * (ratio - 1)) / ratio
    p = 1 - (step - cut) / (cut * (1 / cut_frac - 1))
    return (1 + max(0.0, p) * (ratio - 1)) / ratio

# %% stlr: 1/ratio plus p times the rest of the way up
def stlr(step: int, total: int, cut_frac: float = 0.1, ratio: float = 32.0) -> float:
    cut = math.floor(total * cut_frac) or 1
    p = step / cut if step < cut else 1 - (step - cut) / (cut * (1 / cut_frac - 1))
    p = p if p > 0 else 0.0
    return 1 / ratio + p * (1 - 1 / ratio)

# %% freeze_to: a negative n turned positive by hand, requires_grad set as an attribute
def freeze_to(groups: list, n: int) -> None:
    first = n if n >= 0 else len(groups) + n
    for i in range(len(groups)):
        for p in groups[i]:
            p.requires_grad = i >= first

# %% freeze_to: the groups sliced in two, frozen before and trained after
def freeze_to(groups: list, n: int) -> None:
    start = n % len(groups)
    for g in groups[:start]:
        for p in g:
            p.requires_grad_(False)
    for g in groups[start:]:
        for p in g:
            p.requires_grad_(True)

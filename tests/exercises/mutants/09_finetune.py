# Typical wrong answers to lesson 9, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% discriminative_lrs: in the wrong order (the head first gets lr)
def discriminative_lrs(lr, n_groups, factor=2.6):
    return [lr / factor**i for i in range(n_groups)]

# %% discriminative_lrs: the exponent one too high (the head gets lr / factor)
def discriminative_lrs(lr, n_groups, factor=2.6):
    return [lr / factor ** (n_groups - i) for i in range(n_groups)]

# %% discriminative_lrs: multiplied by factor instead of divided
def discriminative_lrs(lr, n_groups, factor=2.6):
    return [lr * factor ** (n_groups - 1 - i) for i in range(n_groups)]

# %% discriminative_lrs: the factor argument ignored (always 2.6)
def discriminative_lrs(lr, n_groups, factor=2.6):
    return [lr / 2.6 ** (n_groups - 1 - i) for i in range(n_groups)]

# %% stlr: without the cut (a plain linear fall from 1)
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    p = 1 - step / total
    return (1 + p * (ratio - 1)) / ratio

# %% stlr: the cut not at least 1 (divides by zero on short fits)
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    cut = math.floor(total * cut_frac)
    if step < cut:
        p = step / cut
    else:
        p = max(0.0, 1 - (step - cut) / (cut * (1 / cut_frac - 1)))
    return (1 + p * (ratio - 1)) / ratio

# %% stlr: the fall over total - cut steps instead of cut * (1/cut_frac - 1)
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    cut = max(1, math.floor(total * cut_frac))
    if step < cut:
        p = step / cut
    else:
        p = max(0.0, 1 - (step - cut) / (total - cut))
    return (1 + p * (ratio - 1)) / ratio

# %% stlr: p not clipped at 0 at the end
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    cut = max(1, math.floor(total * cut_frac))
    if step < cut:
        p = step / cut
    else:
        p = 1 - (step - cut) / (cut * (1 / cut_frac - 1))
    return (1 + p * (ratio - 1)) / ratio

# %% stlr: p returned without the ratio (down to 0, not 1/ratio)
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    cut = max(1, math.floor(total * cut_frac))
    if step < cut:
        return step / cut
    return max(0.0, 1 - (step - cut) / (cut * (1 / cut_frac - 1)))

# %% freeze_to: n not wrapped (n = -1 trains every group)
def freeze_to(groups, n):
    for i, params in enumerate(groups):
        for p in params:
            p.requires_grad_(i >= n)

# %% freeze_to: off by one (group n itself frozen)
def freeze_to(groups, n):
    first = n % len(groups)
    for i, params in enumerate(groups):
        for p in params:
            p.requires_grad_(i > first)

# %% freeze_to: only unfreezes from n on, never freezes the groups before
def freeze_to(groups, n):
    first = n % len(groups)
    for params in groups[first:]:
        for p in params:
            p.requires_grad_(True)

# %% freeze_to: the wrong side frozen (the groups before n train)
def freeze_to(groups, n):
    first = n % len(groups)
    for i, params in enumerate(groups):
        for p in params:
            p.requires_grad_(i < first)

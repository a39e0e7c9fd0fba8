"""The pictures of a run, as PNG: written atomically, drawn on a bare matplotlib Figure (no pyplot, no display)."""

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from .files import atomic_write


def save_figure(fig: Figure, path) -> None:
    """Write a figure as PNG, atomically."""
    with atomic_write(Path(path)) as tmp:
        fig.savefig(tmp, format="png", dpi=100)


def confusion_figure(matrix: Sequence[Sequence[int]], classes: Sequence[str], title: str) -> Figure:
    """The confusion matrix as a heat map: true classes down, predicted across, each cell's count and row share."""
    n = len(classes)
    side = min(16.0, 3.0 + 0.6 * n)
    fig = Figure(figsize=(side * 1.25, side))
    ax = fig.add_subplot()
    totals = [max(1, sum(row)) for row in matrix]
    shares = [[c / t for c in row] for row, t in zip(matrix, totals)]
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    fig.colorbar(image, ax=ax, label="share of the true class")
    if n <= 20:  # beyond that the numbers no longer fit in the cells
        for i, row in enumerate(matrix):
            for j, count in enumerate(row):
                color = "white" if shares[i][j] > 0.5 else "black"
                ax.text(j, i, f"{count}\n{shares[i][j]:.0%}", ha="center", va="center", color=color, fontsize=8)
    ax.set_xticks(range(n), classes, rotation=45 if n > 4 else 0, ha="right" if n > 4 else "center")
    ax.set_yticks(range(n), classes)
    ax.set(xlabel="predicted", ylabel="true")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig

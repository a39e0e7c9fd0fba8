"""The pictures of a run, as PNG: written atomically, drawn on a bare matplotlib Figure (no pyplot); in a notebook,
shown inline and redrawn as training goes."""

import io
import math
import sys
import time
from collections.abc import Callable, Sequence
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


# --- training: the whole run, the lr finder, and a live view in a notebook ------------------------------------------


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (where figures and widget bars show inline)."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return type(shell).__name__ == "ZMQInteractiveShell"


def interactive() -> bool:
    """Whether someone watches: a terminal on stderr, or a notebook."""
    return sys.stderr.isatty() or in_notebook()


def training_figure(stages: Sequence[tuple[str, dict]], title: str = "training") -> Figure:
    """Loss (train per batch, valid per epoch) and each group's lr over the steps of every stage, one after another,
    the stage boundaries dashed and the stages numbered, their labels in the title; a stage is (label, history) with
    history {"losses", "valid": [(step in the stage, loss)], "lrs"}."""
    fig = Figure(figsize=(10, 3.6))
    loss_ax, lr_ax = fig.subplots(1, 2)
    offset = 0
    for i, (_, history) in enumerate(stages):
        n = len(history["losses"])
        steps, marker = range(offset, offset + n), "." if n < 3 else None  # a stage of one step is a dot
        loss_ax.plot(steps, history["losses"], color="tab:blue", alpha=0.5, lw=1, marker=marker,
                     label="train (per batch)" if not i else None)
        if history["valid"]:
            at, losses = zip(*history["valid"])
            loss_ax.plot([offset + s for s in at], losses, "o-", color="tab:orange", label="valid (per epoch)"
                         if not i else None)
        for g, lrs in enumerate(zip(*history["lrs"])):
            lr_ax.plot(steps, lrs, color=f"C{g}", marker=marker, label=f"group {g}" if not i else None)
        for ax in (loss_ax, lr_ax):
            if i:
                ax.axvline(offset, color="gray", ls="--", lw=1)
        if len(stages) > 1:
            for ax in (loss_ax, lr_ax):
                ax.text(offset + n / 2, 1.0, str(i + 1), transform=ax.get_xaxis_transform(), ha="center",
                        va="bottom", fontsize=9)
        offset += n
    loss_ax.set(xlabel="step", ylabel="loss")
    lr_ax.set(xlabel="step", ylabel="learning rate", yscale="log")
    loss_ax.legend(fontsize=8)
    lr_ax.legend(fontsize=8)
    if len(stages) > 1:
        title += "\n" + ";  ".join(f"{i + 1}: {label.removeprefix(f'stage {i + 1}: ')}"
                                   for i, (label, _) in enumerate(stages))
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def lr_find_figure(lrs: Sequence[float], losses: Sequence[float], suggestion: float) -> Figure:
    """The lr finder's smoothed loss against the head's lr (log scale), its suggestion marked."""
    fig = Figure(figsize=(6, 3.6))
    ax = fig.add_subplot()
    ax.plot(lrs, losses)
    ax.axvline(suggestion, color="tab:red", linestyle="--", label=f"suggestion {suggestion:.1e}")
    ax.set(xscale="log", xlabel="learning rate (head)", ylabel="smoothed loss", title="lr finder")
    ax.legend()
    fig.tight_layout()
    return fig


class LiveFigure:
    """A figure shown in a notebook's output and redrawn in place, at most every `every` seconds."""

    def __init__(self, every: float = 1.0):
        self.every, self.handle, self.last = every, None, -math.inf

    def show(self, draw: Callable[[], Figure], force: bool = False) -> None:
        """Redraw with the figure `draw()` makes, if `every` seconds have passed (or `force`)."""
        if not force and time.monotonic() - self.last < self.every:
            return
        from IPython.display import Image, display

        image = Image(data=_png(draw()))
        if self.handle is None:
            self.handle = display(image, display_id=True)
        else:
            self.handle.update(image)
        self.last = time.monotonic()


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()

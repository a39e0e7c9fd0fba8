"""The reading direction of a model: a backward model reads every document from its last token to its first.

As fastai's `backwards=True` (fastai 0.7's `LanguageModelLoader(backwards=True)`, fastai 2's `reverse_text`), the
ids of each document are reversed, its markers with them: `xbos xfld 1 a good film` is read `film good a 1 xfld
xbos`. In the language model's stream `xbos` then closes a document instead of opening it (it still marks where one
ends and the next begins), and a backward classifier's last step is the `xbos` of the document, as a forward one's is
its last word. fastai's bwd_wt103 was trained on text reversed this way, so it transfers as fwd_wt103 does.

Every model file this package writes records its direction (`{"model": state, "backwards": bool, "ulmfit": stamp}`,
the stamp's checksum covering both: provenance.py); a file without one (older files, other tools) is taken from its
name (fastai's `bwd_wt103.h5`, `lstm_bwd.pth`), else is unknown.
"""

import re
from pathlib import Path

import numpy as np

from .errors import StageError

# What to do when a pretrained LM reads the other way than the run (by the run's `backwards`).
PRETRAINED_ADVICE = {False: "give a forward LM (fastai's fwd_wt103.h5, or `ulmfit pretrain` without --backwards)",
                     True: "give a backward LM (fastai's bwd_wt103.h5, or one made by `ulmfit pretrain --backwards`)"}
_NAMED = re.compile(r"(?<![a-z])(bwd|backwards?|fwd|forwards?)(?![a-z])")


def direction(backwards: bool) -> str:
    """'backward' or 'forward', the name of a direction in messages and results."""
    return "backward" if backwards else "forward"


def oriented(doc: np.ndarray, backwards: bool) -> np.ndarray:
    """The ids of one document in reading order: reversed for a backward model (a contiguous copy), else as they are."""
    return np.ascontiguousarray(doc[::-1]) if backwards else doc


def named_direction(path) -> bool | None:
    """Whether a file's name says it is backward (True: 'bwd', 'backward'), forward (False: 'fwd'), or neither."""
    found = {word.startswith(("b", "B")) for word in _NAMED.findall(Path(path).name.lower())}
    return found.pop() if len(found) == 1 else None


def check_direction(path, saved: bool | None, backwards: bool, advice: str, log=print) -> None:
    """Refuse a model file of the other direction; one that does not say (nor its name) is taken as the run's."""
    found = saved if saved is not None else named_direction(path)
    if found is None:
        if backwards:
            log(f"{path} does not record its direction: taken as backward, as the run is")
        return
    if found != backwards:
        raise StageError(f"{path} is a {direction(found)} model but this run is {direction(backwards)}: {advice}")

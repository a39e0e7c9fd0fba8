"""A run and its folder: what it is made with, where each stage writes, and when a stage counts as done.

    RUN/run.json            preset, model sizes, pretrained LM, recipe, seed: a folder made with others is refused
    RUN/data/               the data set as a standard CSV folder (`ulmfit imdb` and the Python API write it)
    RUN/prepared/           the prepare stage; RUN/lm/, RUN/classifier/, RUN/evaluate/: one folder per stage
    RUN/<stage>/result.json written last: a stage whose result.json exists is done, and skipped
    RUN/results.json        the figures of every finished stage

A run reads forward or backward (`backwards`, direction.py); the two runs of a bidirectional run (bidirectional.py)
live in RUN/forward and RUN/backward and share the prepare stage of their parent's RUN/prepared.
"""

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch

from .config import ClassifierConfig, LMConfig
from .dataset import dataset_folder
from .direction import PRETRAINED_ADVICE, check_direction, named_direction
from .distributed import is_main, main_log
from .errors import StageError, UlmfitError
from .files import read_json, write_json
from .presets import Preset, with_recipe
from .provenance import made_with, save_checked
from .train import default_device
from .transfer import lm_sizes, read_lm
from .vocab import load_itos

FOLDERS = {"prepare": "prepared"}  # a stage's folder, where it is not the stage's own name


@contextlib.contextmanager
def reading(path: Path, what: str, advice: str):
    """Turn the errors of reading a file into a StageError naming the file and what to do.

    A BadFile says it already; any other OSError, such as a permission refused, stays the OSError naming its path.
    """
    try:
        yield
    except UlmfitError:
        raise
    except FileNotFoundError as e:
        raise StageError(f"{path}: missing ({what}); {advice}") from e
    except RuntimeError as e:  # load_state_dict of weights that do not fit the model
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise StageError(f"{path}: {what} does not fit the model ({reason}); {advice}") from e
    except ValueError as e:
        raise StageError(f"{' '.join(str(e).split())}; {advice}") from e


@dataclass(frozen=True)
class Pretrained:
    """A pretrained language model to start from: weights, vocabulary, its sizes, and the weights once read."""

    weights: Path
    vocab: Path
    emb_sz: int
    n_hid: int
    n_layers: int
    out_bias: bool
    backwards: bool | None = None  # its direction, as its file records it or else its name says (None: unknown)
    state: dict = field(default=None, compare=False, repr=False)  # read once, by find_pretrained


def find_pretrained(weights, vocab=None, log=None) -> Pretrained:
    """The pretrained LM at `weights` (a file, or a folder made by `ulmfit pretrain`) and its vocabulary file.

    The two are checked to belong together: by the fingerprint of the vocabulary in the weights' stamp, else by its
    number of words.
    """
    weights = Path(weights)
    if weights.is_dir():
        vocab = vocab or weights / "vocab.json"
        weights = weights / "model.pt"
    if vocab is None:
        raise StageError(f"--pretrained {weights} needs its vocabulary: give --pretrained-vocab "
                         f"(itos_wt103.pkl for fastai's wt103, vocab.json for `ulmfit pretrain`)")
    vocab = Path(vocab)
    for path, what in ((weights, "pretrained weights"), (vocab, "pretrained vocabulary")):
        if not path.is_file():
            raise StageError(f"{path}: no such file ({what})")
    with reading(vocab, "the pretrained vocabulary", "pass the vocabulary file the model was saved with"):
        itos = load_itos(vocab)
    advice = "pass the weights and the --pretrained-vocab saved with them (a folder of `ulmfit pretrain` holds both)"
    with reading(weights, "the pretrained weights", advice):
        state, backwards = read_lm(weights, made_with(itos), vocab, log, advice)
        sizes = lm_sizes(state)
    if state["0.encoder.weight"].shape[0] != len(itos):
        raise StageError(f"{vocab}: the pretrained vocabulary has {len(itos):,} words but {weights} has "
                         f"{state['0.encoder.weight'].shape[0]:,} embedding rows; {advice}")
    backwards = named_direction(weights) if backwards is None else backwards
    return Pretrained(weights.resolve(), vocab.resolve(), **sizes, backwards=backwards, state=state)


@dataclass(frozen=True)
class Run:
    """One run: its folder, preset, model sizes (the pretrained LM's, if any), recipe, seed, device, data, direction."""

    out: Path
    preset: Preset
    lm: LMConfig
    classifier: ClassifierConfig
    pretrained: Pretrained | None
    seed: int
    device: torch.device
    recipe: str = "ulmfit"  # the classifier's fine-tuning recipe (presets.with_recipe)
    data: Path | None = None  # the standard CSV folder that the prepare stage reads
    n_workers: int = None
    log: Callable[[str], None] = print
    backwards: bool = False  # every document read from its end (direction.py)
    shared_prepared: Path | None = None  # the prepare stage's folder when it is not the run's own (bidirectional)

    def folder(self, stage: str) -> Path:
        """Where `stage` writes."""
        if stage == "prepare" and self.shared_prepared is not None:
            return self.shared_prepared
        return self.out / FOLDERS.get(stage, stage)

    @property
    def prepared(self) -> Path:
        """The folder of the prepare stage's output."""
        return self.folder("prepare")

    @property
    def classify(self):
        """How the classifier trains: the preset's recipe made into the run's."""
        return with_recipe(self.preset.classify, self.recipe)

    def config(self) -> dict:
        """What the run's outputs depend on, as JSON values."""
        pretrained = None if self.pretrained is None else {"weights": str(self.pretrained.weights),
                                                           "vocab": str(self.pretrained.vocab)}
        extra = {"backwards": True} if self.backwards else {}  # absent when forward, as in runs made before it
        if self.shared_prepared is not None:
            extra["prepared"] = os.path.relpath(self.shared_prepared, self.out)
        return as_json({"preset": asdict(self.preset), "lm": asdict(self.lm), "classifier": asdict(self.classifier),
                        "recipe": self.recipe, "pretrained": pretrained, "seed": self.seed, **extra})


def make_run(out, preset: Preset, pretrained: Pretrained = None, seed: int = 42, n_workers: int = None,
             log=print, data=None, recipe: str = "ulmfit", backwards: bool = False) -> Run:
    """A run of `preset` in `out`; a pretrained LM sets the sizes of the language model and of the classifier."""
    lm, classifier = preset.lm, preset.classifier
    with_recipe(preset.classify, recipe)  # an unknown recipe fails here, before anything runs
    if pretrained is not None:
        check_direction(pretrained.weights, pretrained.backwards, backwards, PRETRAINED_ADVICE[backwards], log)
        sizes = {"emb_sz": pretrained.emb_sz, "n_hid": pretrained.n_hid, "n_layers": pretrained.n_layers}
        lm, classifier = replace(lm, out_bias=pretrained.out_bias, **sizes), replace(classifier, **sizes)
        if (lm.emb_sz, lm.n_hid, lm.n_layers) != (preset.lm.emb_sz, preset.lm.n_hid, preset.lm.n_layers):
            log(f"the pretrained LM is {lm.emb_sz}/{lm.n_hid}/{lm.n_layers} (emb/hidden/layers): it replaces "
                f"the preset's {preset.lm.emb_sz}/{preset.lm.n_hid}/{preset.lm.n_layers}")
    data = None if data is None else dataset_folder(data)
    return Run(Path(out), preset, lm, classifier, pretrained, seed, default_device(), recipe, data, n_workers,
               main_log(log), backwards)


def prepared_folder(out: Path) -> Path:
    """The prepare stage's folder of the run in `out`, as its run.json records it."""
    config = read_json(needs(out / "run.json", "prepare"))
    return (out / config.get("prepared", FOLDERS["prepare"])).resolve()


def as_json(obj):
    """`obj` as it reads back from JSON (tuples become lists, paths strings)."""
    return json.loads(json.dumps(obj, default=str))


def _differences(a, b, prefix: str = "") -> list[str]:
    """The dotted keys where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _differences(a.get(k), b.get(k), f"{prefix}{k}.")]
    return [] if a == b else [prefix.rstrip(".")]


# The first stage of a run that reads each part of run.json (by the start of its dotted key); any other part is read by
# the first stage, prepare. A changed part makes that stage's output, and every later one's, out of date. The preset's
# corpus and pretrain parts are `ulmfit pretrain`'s: no stage of a run reads them ("").
FIRST_READ_BY = {"seed": "lm", "lm": "lm", "pretrained": "lm", "backwards": "lm", "preset.lm": "lm",
                 "preset.fine_tune": "lm", "preset.from_scratch": "lm", "classifier": "classifier",
                 "preset.classifier": "classifier", "preset.classify": "classifier", "recipe": "classifier",
                 "preset.name": "classifier", "preset.threads": "classifier", "preset.corpus": "",
                 "preset.pretrain": ""}
EXPERIMENTS = {"lm": "lms", "classifier": "classifiers"}  # the folders of api.fine_tune_lm and api.train_classifier


def first_reader(key: str) -> str:
    """The first stage that reads the part `key` (dotted) of run.json ("" for a part that no stage reads)."""
    parts = key.split(".")
    found = (FIRST_READ_BY.get(".".join(parts[:i])) for i in range(len(parts), 0, -1))
    return next((stage for stage in found if stage is not None), "prepare")


def claim_run(run: Run, stages: list[str], command: str) -> None:
    """Record the run's config in run.json; where it changed, refuse if a stage that reads the change has output."""
    path, config = run.out / "run.json", run.config()
    diff = _differences(read_json(path), config) if path.exists() else []
    diff = [k for k in diff if first_reader(k)] + [k for k in diff if not first_reader(k)]  # what a stage reads first
    if read := [k for k in diff if first_reader(k)]:
        later = stages[min(stages.index(first_reader(k)) for k in read):]
        folders = [run.folder(s) for s in later] + [run.out / EXPERIMENTS[s] for s in later if s in EXPERIMENTS]
        if made := [str(f) for f in folders if f.exists()]:
            raise StageError(f"{run.out} holds a run made with other options (they differ in {', '.join(diff[:4])}), "
                             f"which its {later[0]} stage reads: pass the same options as before, a new --out, or "
                             f"delete {', '.join(made)} to run {'it' if len(later) == 1 else 'it and after'} again "
                             f"for `ulmfit {command}`")
        run.log(f"run.json: the options changed in {', '.join(diff[:4])}, read first by the {later[0]} stage, which "
                f"has not run yet")
    if diff or not path.exists():
        write_json(path, config)


def claim_folder(out: Path, config: dict, command: str) -> None:
    """Record `config` in out/run.json, or check that it is the one already there."""
    path = out / "run.json"
    if path.exists():
        diff = _differences(read_json(path), config)
        if diff:
            raise StageError(f"{out} holds a run made with other options (they differ in {', '.join(diff[:4])}); "
                             f"pass the same options as before or a new --out for `ulmfit {command}`")
        return
    write_json(path, config)


def finished(folder: Path) -> dict | None:
    """The result of the stage that writes `folder`, when it is done; else None."""
    path = folder / "result.json"
    return read_json(path, advice=f"delete {folder} to run its stage again") if path.exists() else None


def needs(path: Path, stage: str) -> Path:
    """`path`, or a StageError naming the stage that makes it."""
    if not path.exists():
        raise StageError(f"{path} is missing: run the {stage} stage first (`--stage {stage}`, or the whole run)")
    return path


def save_state(state: dict, path: Path, itos=None, preset: Preset = None, backwards: bool = False) -> None:
    """A state dict saved as {"model": state, "backwards": backwards}, stamped with its vocabulary and preset.

    Atomically (provenance.save_checked), by rank 0 alone under torchrun: every process holds the same weights.
    """
    if not is_main():
        return
    save_checked(path, {"model": state, "backwards": backwards},
                 made_with(itos, None if preset is None else asdict(preset)))


@contextlib.contextmanager
def preset_threads(preset: Preset):
    """torch's CPU threads set to the preset's (tiny models run fastest on one) while a block runs."""
    before = torch.get_num_threads()
    if preset.threads is not None:
        torch.set_num_threads(preset.threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def device_name(device: torch.device) -> str:
    """The device in words: 'cpu (2 threads)' or the GPU's name."""
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    n = torch.get_num_threads()
    return f"cpu ({n} thread{'s' if n > 1 else ''})"

"""Model files and checkpoints that are damaged, of another vocabulary or preset, or older than their stamp."""

import json
import random
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest
import torch
from support import assert_one_line_error, make_imdb, make_wikitext, one_thread, ulmfit  # noqa: F401

from ulmfit_ref.config import LearnerConfig
from ulmfit_ref.errors import BadFile
from ulmfit_ref.presets import PRESETS
from ulmfit_ref.provenance import content_digest, load_checked, made_with, save_checked
from ulmfit_ref.runs import save_state
from ulmfit_ref.train import Learner
from ulmfit_ref.transfer import read_state
from ulmfit_ref.vocab import Vocab

TINY = ("--preset", "tiny", "--workers", 1)


def zero_block(path: Path) -> None:
    """8 KB of zeros in the middle of the file: a bad sector."""
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 8192] = bytes(min(8192, len(raw) - middle))
    path.write_bytes(bytes(raw))


def truncate(path: Path) -> None:
    """The first two thirds of the file: a copy cut short."""
    path.write_bytes(path.read_bytes()[:len(path.read_bytes()) * 2 // 3])


def random_bytes(path: Path) -> None:
    """As many random bytes as the file had: not a PyTorch file at all."""
    path.write_bytes(random.Random(0).randbytes(path.stat().st_size))


DAMAGES = {zero_block: "corrupt", truncate: "truncated", random_bytes: "not a PyTorch file"}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A finished tiny `ulmfit imdb` run."""
    root = tmp_path_factory.mktemp("bad_files")
    out = root / "run"
    code, _, err = ulmfit("imdb", "--data", make_imdb(root / "data", 20), "--out", out, *TINY)
    assert code == 0, err
    return out


def copy_run(run: Path, folder: Path, *stages: str) -> Path:
    """A new folder with the run's run.json and the given stage folders."""
    out = folder / "copy"
    out.mkdir(parents=True)
    shutil.copy(run / "run.json", out / "run.json")
    for stage in stages:
        shutil.copytree(run / stage, out / stage)
    return out


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__)
def test_a_damaged_checkpoint_on_resume_is_one_line_saying_how(run, tmp_path, damage):
    out = copy_run(run, tmp_path, "prepared", "lm")
    for name in ("result.json", "model.pt", "encoder.pt"):
        (out / "lm" / name).unlink()  # the lm stage interrupted after its first checkpoint
    damage(out / "lm" / "lm0.pt")
    code, _, err = ulmfit("imdb", "--out", out, *TINY, "--stage", "lm", "--resume")
    assert_one_line_error(code, err, str(out / "lm" / "lm0.pt"), DAMAGES[damage], "delete it")


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__)
def test_a_damaged_model_file_is_one_line_naming_it(run, tmp_path, damage):
    out = copy_run(run, tmp_path / "a", "prepared", "lm")
    damage(out / "lm" / "encoder.pt")
    code, _, err = ulmfit("imdb", "--out", out, *TINY, "--stage", "classifier")
    assert_one_line_error(code, err, str(out / "lm" / "encoder.pt"), DAMAGES[damage], "train its language model")
    out = copy_run(run, tmp_path / "b", "prepared", "lm", "classifier")
    damage(out / "classifier" / "model.pt")
    code, _, err = ulmfit("predict", "--model", out, "a review")
    assert_one_line_error(code, err, str(out / "classifier" / "model.pt"), DAMAGES[damage])
    damage(out / "lm" / "model.pt")
    shutil.copy(out / "prepared" / "vocab.json", out / "lm" / "vocab.json")
    code, _, err = ulmfit("imdb", "--out", tmp_path / "other", *TINY, "--pretrained", out / "lm")
    assert_one_line_error(code, err, str(out / "lm" / "model.pt"), DAMAGES[damage], "--pretrained-vocab")


def test_model_files_carry_their_checksum_and_what_they_were_made_with(run):
    itos = Vocab.load(run / "prepared" / "vocab.json").itos
    preset = json.loads((run / "run.json").read_text())["preset"]
    for name in ("lm/model.pt", "lm/encoder.pt", "lm/lm0.pt", "classifier/model.pt", "classifier/clas0.pt"):
        state = torch.load(run / name, weights_only=True)
        stamp = state.pop("ulmfit")
        assert stamp["sha256"] == content_digest(state), name
        assert {k: stamp[k] for k in ("vocab", "vocab_size", "preset", "preset_name")} == made_with(itos, preset)


def test_a_model_file_holds_its_direction_under_its_checksum_and_older_formats_still_load(tmp_path):
    state, itos = {"w": torch.arange(6.0)}, ["_unk_", "_pad_", "a"]
    save_state(state, tmp_path / "model.pt", itos, PRESETS["tiny"], backwards=True)
    saved = torch.load(tmp_path / "model.pt", weights_only=True)
    assert saved.keys() == {"model", "backwards", "ulmfit"} and saved["backwards"] is True
    loaded, backwards = read_state(tmp_path / "model.pt", made_with(itos))
    assert backwards is True and torch.equal(loaded["w"], state["w"])
    torch.save({**saved, "backwards": False}, tmp_path / "flipped.pt")  # the direction changed, the stamp kept
    with pytest.raises(BadFile, match="corrupt, its content does not match the checksum"):
        read_state(tmp_path / "flipped.pt")
    lines = []
    for content, direction in ((state, None), ({"model": state}, None), ({"model": state, "backwards": True}, True)):
        torch.save(content, tmp_path / "old.pt")  # a plain state dict, then the formats of earlier versions
        assert read_state(tmp_path / "old.pt", made_with(itos), log=lines.append)[1] is direction
    assert len(lines) == 3 and all("legacy file" in line for line in lines)


def test_an_encoder_of_another_vocabulary_of_the_same_size_is_refused(run, tmp_path):
    other = tmp_path / "other"
    code, _, err = ulmfit("imdb", "--data", make_imdb(tmp_path / "data", 12), "--out", other, *TINY,
                          "--stage", "prepare")
    assert code == 0, err
    shutil.copytree(run / "lm", other / "lm")
    code, _, err = ulmfit("imdb", "--out", other, *TINY, "--stage", "classifier")
    assert_one_line_error(code, err, str(other / "lm" / "encoder.pt"), "was made with another vocabulary",
                          str(other / "prepared" / "vocab.json"))


def test_a_checkpoint_of_another_preset_or_vocabulary_is_refused_on_resume(tmp_path):
    model = torch.nn.Linear(3, 2)
    model.layer_groups = lambda: [model]
    batches = [(torch.randn(4, 3), torch.randint(0, 2, (4,))) for _ in range(2)]
    tiny, cpu = (asdict(PRESETS[name]) for name in ("tiny", "cpu"))
    itos = ["_unk_", "_pad_", "a", "b"]

    def learner(stamp):
        return Learner(model, batches, batches, config=LearnerConfig(path=tmp_path, progress=False),
                       device=torch.device("cpu"), made_with=stamp)

    learner(made_with(itos, tiny)).fit(1, 1e-3, name="fit")
    with pytest.raises(BadFile, match=r"another preset \('tiny' with other values\) than this run's 'cpu'"):
        learner(made_with(itos, cpu)).fit(1, 1e-3, name="fit", resume=True)
    with pytest.raises(BadFile, match="another vocabulary of the same size"):
        learner(made_with(["_unk_", "_pad_", "b", "a"], tiny)).fit(1, 1e-3, name="fit", resume=True)
    assert learner(made_with(itos, tiny)).fit(1, 1e-3, name="fit", resume=True)[0].epoch == 0


def test_a_file_without_a_stamp_loads_as_legacy_and_says_so_once(run, tmp_path):
    weights, vocab = tmp_path / "old.pt", tmp_path / "vocab.json"
    torch.save(torch.load(run / "lm" / "model.pt", weights_only=True)["model"], weights)  # as saved before stamps
    shutil.copy(run / "prepared" / "vocab.json", vocab)
    shutil.copytree(run / "prepared", tmp_path / "new" / "prepared")
    code, stdout, err = ulmfit("imdb", "--out", tmp_path / "new", *TINY, "--stage", "lm", "--pretrained", weights,
                               "--pretrained-vocab", vocab)
    assert code == 0, err
    assert stdout.count("legacy file") == 1 and str(weights) in stdout
    lines = []
    assert load_checked(weights, "weights", "", log=lines.append).keys() == torch.load(weights).keys()
    assert len(lines) == 1 and "loaded unchecked" in lines[0]


def test_random_bytes_as_pretrained_weights_are_one_line(tmp_path):
    weights, vocab = tmp_path / "model.pt", tmp_path / "vocab.json"
    weights.write_bytes(random.Random(1).randbytes(20_000))
    Vocab(["_unk_", "_pad_", "the"]).save(vocab)
    code, _, err = ulmfit("imdb", "--out", tmp_path / "run", *TINY, "--pretrained", weights, "--pretrained-vocab",
                          vocab)
    assert_one_line_error(code, err, str(weights), "not a PyTorch file")


def test_a_pretrained_folder_with_another_vocab_json_is_named_as_the_vocabulary(tmp_path):
    folder = tmp_path / "pretrained"
    code, _, err = ulmfit("pretrain", "--corpus", make_wikitext(tmp_path / "wiki", 12), "--out", folder, *TINY)
    assert code == 0, err
    itos = Vocab.load(folder / "vocab.json").itos
    Vocab(itos[:-1]).save(folder / "vocab.json")  # one word fewer
    code, _, err = ulmfit("imdb", "--out", tmp_path / "run", *TINY, "--pretrained", folder)
    assert_one_line_error(code, err, f"vocabulary of {len(itos)} words", f"{folder / 'vocab.json'} ({len(itos) - 1} "
                                                                          f"words)")
    assert "corrupt" not in err and "truncated" not in err


def test_a_checked_file_keeps_every_type_it_holds(tmp_path):
    content = {"model": {"w": torch.arange(6, dtype=torch.bfloat16).reshape(2, 3)}, "step": 3, "rng": (1, [2.5]),
               "flag": True, "none": None}
    save_checked(tmp_path / "f.pt", content, made_with(["_unk_", "_pad_"]))
    loaded = load_checked(tmp_path / "f.pt", "a file", "", made_with(["_unk_", "_pad_"]))
    assert content_digest(loaded) == content_digest(content)
    assert content_digest({**content, "step": 3.0}) != content_digest(content)
    assert content_digest({**content, "rng": [1, [2.5]]}) != content_digest(content)


def cut_short(path: Path) -> None:
    """The first half of a JSON file: a copy cut short."""
    path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])


def drop_key(key: str):
    """A damage that removes `key` from a JSON object, as another version might have written it."""
    def damage(path: Path) -> None:
        value = json.loads(path.read_text())
        del value[key]
        path.write_text(json.dumps(value))
    damage.__name__ = f"drop_{key}"
    return damage


@pytest.mark.parametrize("name, damage, said", [
    ("run.json", cut_short, "cut short"), ("run.json", drop_key("classifier"), "without the key 'classifier'"),
    ("run.json", lambda p: p.write_text(""), "empty"), ("prepared/vocab.json", cut_short, "not a JSON list"),
    ("prepared/vocab.json", lambda p: p.write_text('{"a": 1}'), "expected a list of str"),
    ("prepared/vocab.json", lambda p: p.write_text('["a", "b"]'), "not a vocabulary"),
    ("prepared/summary.json", cut_short, "cut short"), ("prepared/summary.json", drop_key("classes"), "'classes'")],
    ids=lambda v: v.__name__ if callable(v) else str(v))
def test_every_file_read_back_is_checked_and_named_by_predict(run, tmp_path, name, damage, said):
    out = copy_run(run, tmp_path, "prepared", "lm", "classifier")
    damage(out / name)
    code, _, err = ulmfit("predict", "--model", out, "a review")
    assert_one_line_error(code, err, str(out / name), said)


def test_a_cut_result_json_is_named_with_what_to_delete(run, tmp_path):
    out = copy_run(run, tmp_path, "prepared", "lm")
    cut_short(out / "lm" / "result.json")
    code, _, err = ulmfit("imdb", "--out", out, *TINY, "--stage", "classifier")
    assert_one_line_error(code, err, str(out / "lm" / "result.json"), "cut short", f"delete {out / 'lm'}")


def test_a_pickle_with_a_payload_is_refused_as_unsafe_not_called_corrupt(run, tmp_path):
    import pickle

    class Payload:
        def __reduce__(self):
            return (print, ("the payload ran",))

    out = copy_run(run, tmp_path, "prepared", "lm", "classifier")
    for path, legacy in ((out / "classifier" / "model.pt", False), (out / "lm" / "itos.pkl", True)):
        with open(path, "wb") as f:
            pickle.dump({"model": Payload()} if not legacy else ["_unk_", Payload()], f, protocol=2)
    code, stdout, err = ulmfit("predict", "--model", out, "a review")
    assert_one_line_error(code, err, "model.pt holds more than tensors", "a pickle that calls", "refusing to unpickle")
    assert "the payload ran" not in stdout
    with pytest.raises(BadFile, match="holds more than a list of tokens: refusing to unpickle it"), \
            pytest.warns(UserWarning, match="pickled vocab"):
        Vocab.load(out / "lm" / "itos.pkl")


def test_predict_on_a_pretraining_folder_says_it_has_no_classifier(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"corpus": "/data/wiki", "lm": {}, "seed": 42}))
    code, _, err = ulmfit("predict", "--model", tmp_path, "a review")
    assert_one_line_error(code, err, "is the folder of `ulmfit pretrain`", "no classifier", "--pretrained")

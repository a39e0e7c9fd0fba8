"""`python -m course start FOLDER`: the learner's working copy of the lessons, and where it finds the IMDb data.

The lessons come from the package (an install ships them in `course/lessons/`) or from the clone's `lessons/`. A lesson
already in FOLDER is never overwritten: it holds the learner's work. The data's place is written to FOLDER's
`ulmfit-course.json`, which every lesson reads, so the copy finds the data wherever it is opened.
"""

import json
import shutil
import sys
from pathlib import Path

from .data import DATA_ENV, IMDB_NAMES, ROOT, SETTINGS, find_imdb

GUIDE = "README.md"


def lessons_dir() -> Path:
    """The built lesson notebooks: shipped in the package, or in the clone's lessons/."""
    for folder in (Path(__file__).resolve().parent / "lessons", ROOT / "lessons"):
        if sorted(folder.glob("[0-9][0-9]_*.ipynb")):
            return folder
    raise FileNotFoundError("no lesson notebooks found in the package nor in lessons/: reinstall ulmfit-course, or "
                            "run `python -m course build` in the clone")


def check_data(path) -> Path:
    """`path`, absolute, if it is an IMDb archive or a folder that holds aclImdb (or is one); else a ValueError."""
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise ValueError(f"--data {path}: no such file or folder")
    if path.is_file() and not path.name.endswith((".tar.gz", ".tgz")):
        raise ValueError(f"--data {path}: give the archive aclImdb_v1.tar.gz or an extracted aclImdb folder")
    if path.is_dir() and not any((d / "train").is_dir() for d in (path, path / "aclImdb")):
        raise ValueError(f"--data {path}: this folder holds no aclImdb/train; give the aclImdb folder or the archive")
    return path


def _guide(folder: Path, data: Path | None) -> str:
    where = f"`{data}`" if data else "none yet (the lessons run on made-up reviews)"
    return f"""# Your ULMFiT lessons

Your working copy of the lessons of ulmfit-course: edit these notebooks, they are yours.

- Open them: `jupyter lab {folder}` (the `learn` extra brings JupyterLab: `pip install 'ulmfit-course[learn]'`).
- Work through `01_data.ipynb` to `10_classifier.ipynb` in order: write each exercise, run its check cell.
- Check a lesson as the grader does, from a terminal (any file name; save the notebook first):
  `python -m grading check {folder}/03_tokenize.ipynb` (or the whole folder: `python -m grading check {folder}`).
- The IMDb data: {where}. Change it with `python -m course start {folder} --data PATH`
  (PATH: `aclImdb_v1.tar.gz` or an extracted `aclImdb` folder), or set `{DATA_ENV}` before starting Jupyter.
"""


def start(folder, data=None, log=print) -> dict:
    """Copy the lessons missing from `folder` into it and write its settings; returns what was done."""
    folder = Path(folder).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file; give a folder for the lessons")
    if data is not None:
        data, where = check_data(data), "--data"
    else:
        data, where = find_imdb()
        data = data.resolve() if data is not None else None
    folder.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for lesson in sorted(lessons_dir().glob("[0-9][0-9]_*.ipynb")):
        target = folder / lesson.name
        (kept if target.exists() else copied).append(lesson.name)
        if not target.exists():
            shutil.copyfile(lesson, target)
    (folder / SETTINGS).write_text(json.dumps({"data": str(data) if data else None}, indent=1) + "\n", encoding="utf-8")
    (folder / GUIDE).write_text(_guide(folder, data), encoding="utf-8")
    log(f"{folder}: {len(copied)} lesson(s) copied" + (f", {len(kept)} kept as they were (your work)" if kept else ""))
    if data is not None:
        log(f"IMDb data: {data} (from {where}), written to {folder / SETTINGS}")
    else:
        log(f"NO IMDb DATA FOUND (looked in {where}): the lessons will run on a few made-up reviews.\n"
            f"  Give it: `python -m course start {folder} --data PATH` (PATH: {IMDB_NAMES[0]} or an aclImdb folder)")
    log(f"Next: jupyter lab {folder}\n  then, to check a lesson from a terminal: python -m grading check "
        f"{folder / '01_data.ipynb'}")
    return {"folder": folder, "copied": copied, "kept": kept, "data": data}


def main(folder, data=None) -> int:
    try:
        start(folder, data)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0

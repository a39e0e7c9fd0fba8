"""The data a lesson runs on: IMDb found wherever the working copy is, sampled, or made-up reviews (said loudly)."""

import json
import os
import re
import sys
import tarfile
from pathlib import Path

from .scratch import scratch_dir

ROOT = Path(__file__).resolve().parents[1]  # a clone's root (with solutions/ and lessons/), or site-packages

_re_review = re.compile(r"(?:^|/)aclImdb/(train|test)/(neg|pos|unsup)/(\d+)_(\d+)\.txt$")

# A made-up aclImdb, small enough to read at a glance, with the debris the lessons clean up:
# HTML line breaks and entities, capitals, repeated characters and words, slashes and hashes.
TINY_REVIEWS = {
    ("train", "neg"): [
        "A BAD film.<br /><br />Really bad!!!!",
        "Boring, boring, boring, boring. I want my two hours back.",
        "I hated it &amp; left after 20 minutes.",
        "The plot made no sense/the acting was worse. 2/10",
    ],
    ("train", "pos"): [
        "A GREAT film. Loved it.",
        "Wonderful acting; 10/10 #best",
        "Sooooo good, go see it.<br />Then see it again.",
        "It#39;s a classic &amp; it deserves it.",
    ],
    ("train", "unsup"): [
        "Just a film about a dog.",
        "no no no no no",
        "",
        "Seen it on TV last night; it was OK I guess.",
    ],
    ("test", "neg"): [
        "Awful. Simply awful.",
        "Terrible script.<br /><br />TERRIBLE.",
        "Not good at all.",
        "Why why why why did I watch this?",
    ],
    ("test", "pos"): [
        "Brilliant and moving.",
        "A joy to watch.",
        "Great fun for all the family!!!!",
        "The best film of the year, no contest.",
    ],
}
# Excerpts of real reviews, with the debris, repeats, capitals, slashes and hashes that IMDb has: fixed inputs of the
# exercises of lessons 1 to 4. Their files in aclImdb/: test/neg/10013_4, 10303_3, 11230_4, 11715_3, 10014_2, 10021_3,
# 9180_3, test/pos/12105_10, test/neg/3613_3, 7761_1, 10008_4, 1647_1 and 10016_3.
REAL_REVIEWS = (
    "lve to wait until the next morning to look for the culprit (!!!!!!!!!!)<br /><br />However, I suppose",
    "Darcy will do her impersonation of Sandra Oh on Arliss blah blah blah blah blah. The only positive",
    "Needless to say he didn't come quietly HA HA HA HA HA HA HA HA",
    "im still laughing ha ha ha ha ha ha ha",
    "GREAT job on the dubbing too guys(!) Best moment: when our hero",
    "I recently found The Prey in its original VHS 'big box' form and was very excited. I just LOVE finding",
    "Eye Candy: Nina Richardson shows some T&A; Mary Kapper goes topless <br /><br />My Grade: D <br /><br />",
    'I saw the "Gegen die Wand" ("Head-On") ("Duvara Kars&#305;") and I admired his work',
    "it's becoming not a horror\\adventure but a comedy driven movie",
    "enjoy following their lives.\\<br /><br />I can understand why",
    "most viewers will have had enough. *1/2 from ****",
    "is miscast as a rural vamp; she's too round of face for treachery.",
    "Dibakar Banerjee!!!!! Later u find out this scene has nothing to do with it. 10/10 #best",
)
# Review ids are not given in order, and 10 sorts before 9 as text: reading by id needs int(id).
_TINY_IDS = (10, 9, 0, 3)
_BAD_BYTES = ("train", "unsup", 12, b"caf\xe9 latte, \xff good film")  # not valid UTF-8


def _rating(cls: str, i: int) -> int:
    return {"neg": 2 + i % 3, "pos": 7 + i % 4, "unsup": 0}[cls]


def tiny_imdb_files() -> list[tuple[str, bytes]]:
    """(path under aclImdb/, bytes) of each file of the made-up aclImdb; one review is not valid UTF-8."""
    files = []
    for (split, cls), texts in TINY_REVIEWS.items():
        for review_id, text in zip(_TINY_IDS, texts):
            files.append((f"{split}/{cls}/{review_id}_{_rating(cls, review_id)}.txt", text.encode("utf-8")))
    split, cls, review_id, raw = _BAD_BYTES
    return files + [(f"{split}/{cls}/{review_id}_0.txt", raw)]


def write_tiny_imdb(dest) -> Path:
    """Write the made-up aclImdb under `dest`; returns the aclImdb folder."""
    root = Path(dest) / "aclImdb"
    for name, data in tiny_imdb_files():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "README").write_text("A tiny made-up aclImdb for the ulmfit-course lessons.\n")
    return root


def sample_imdb(source, dest, n_per_class: int) -> Path:
    """Copy `n_per_class` reviews of each split and class of an aclImdb archive or folder into `dest/aclImdb`.

    From the tar.gz, the first reviews met in the archive are taken and reading stops as soon as every
    class has enough (a few seconds); from a folder, the reviews with the lowest ids.
    """
    source, root = Path(source), Path(dest) / "aclImdb"
    wanted = {("train", c) for c in ("neg", "pos", "unsup")} | {("test", c) for c in ("neg", "pos")}
    taken = {key: 0 for key in wanted}

    def keep(name: str, data: bytes) -> bool:
        m = _re_review.search(name)
        if m is None or taken.get((m.group(1), m.group(2)), n_per_class) >= n_per_class:
            return False
        out = root / m.group(1) / m.group(2) / f"{m.group(3)}_{m.group(4)}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        taken[(m.group(1), m.group(2))] += 1
        return all(n >= n_per_class for n in taken.values())

    if source.is_file():
        with tarfile.open(source, "r|gz") as tar:
            for member in tar:
                if (
                    member.isfile()
                    and _re_review.search(member.name)
                    and keep(member.name, tar.extractfile(member).read())
                ):
                    break
    else:
        folder = source if source.name == "aclImdb" else source / "aclImdb"
        for split, cls in sorted(wanted):
            files = sorted((folder / split / cls).glob("*.txt"), key=lambda f: int(f.name.split("_")[0]))
            for f in files[:n_per_class]:
                keep(f"aclImdb/{split}/{cls}/{f.name}", f.read_bytes())
    missing = sorted(f"{s}/{c}" for (s, c), n in taken.items() if n == 0)
    if missing:
        raise ValueError(f"{source}: no reviews found in {', '.join(missing)}; is this the IMDb dataset?")
    return root


DATA_ENV = "ULMFIT_DATA"  # the environment variable that names the IMDb data
SETTINGS = "ulmfit-course.json"  # written by `python -m course start` into the learner's working copy
TINY = "tiny"  # DATA = "tiny": the made-up reviews on purpose
IMDB_NAMES = ("aclImdb_v1.tar.gz", "aclImdb_v1_reviews.tar.gz", "aclImdb")  # what a folder of data may hold


def _candidates() -> list[tuple[Path, str]]:
    """(folder, why it is searched) of the places IMDb may sit, in order: the project's data folders, the cache."""
    from ulmfit_ref.download import cache_dir  # here: the exercises' checks read this module, never the reference

    places = []
    if (ROOT / "solutions").is_dir():  # a clone of the course: its data/ and the shared data beside it
        places += [(ROOT / "data", "the project's data/"), (ROOT.parent / "shared" / "data", "the shared data")]
    return places + [(cache_dir(), "the ulmfit cache (where `ulmfit prepare --download` saves it)")]


def settings_file(start=None) -> Path | None:
    """The working copy's settings: `ulmfit-course.json` in folder `start` (default: here) or a folder above it."""
    here = Path(start or Path.cwd()).resolve()
    return next((d / SETTINGS for d in (here, *here.parents) if (d / SETTINGS).is_file()), None)


def find_imdb() -> tuple[Path | None, str]:
    """(the IMDb archive or aclImdb folder to read, where it was found), or (None, where it was looked for).

    In order: $ULMFIT_DATA, the `data` of the working copy's settings, the project's data folders, the ulmfit cache.
    """
    if os.environ.get(DATA_ENV):
        path = Path(os.environ[DATA_ENV]).expanduser()
        if not path.exists():
            raise FileNotFoundError(f"${DATA_ENV} is {path}, which does not exist: set it to aclImdb_v1.tar.gz or an "
                                    f"extracted aclImdb folder, or unset it")
        return path, f"${DATA_ENV}"
    if (settings := settings_file()) is not None:
        data = json.loads(settings.read_text(encoding="utf-8")).get("data")
        if data is not None:
            path = Path(data)
            if not path.exists():
                raise FileNotFoundError(f"{settings} says the data is {path}, which does not exist: run "
                                        f"`python -m course start {settings.parent} --data PATH` with its new place")
            return path, str(settings)
    looked = [f"${DATA_ENV}"] + ([str(settings)] if settings else [])
    for folder, why in _candidates():
        for name in IMDB_NAMES:
            if (folder / name).exists():
                return folder / name, why
        looked.append(str(folder))
    return None, ", ".join(looked)


def _warn_tiny(why: str) -> None:
    """Say, so that nobody can miss it, that the lesson runs on made-up reviews."""
    bar = "!" * 100
    print(f"{bar}\n  NO IMDb DATA: {why}.\n  This lesson runs on {sum(map(len, TINY_REVIEWS.values()))} MADE-UP "
          f"reviews: its numbers and plots say nothing about real text.\n  To use the real reviews, give the path of "
          f"aclImdb_v1.tar.gz (or an extracted aclImdb folder) in one of these ways, then restart the kernel:\n"
          f"    python -m course start <this folder> --data PATH   (writes it into {SETTINGS})\n"
          f"    export {DATA_ENV}=PATH                              (before starting Jupyter)\n"
          f"    DATA = \"PATH\"                                      (in the parameters cell below)\n{bar}",
          file=sys.stderr)


def lesson_imdb(source=None, n_per_class: int = 200, dest=None) -> Path:
    """The aclImdb folder a lesson reads: a sample of the real reviews, or the tiny made-up ones.

    `source` None: the data found by `find_imdb`; a path: that archive or aclImdb folder (an error if absent);
    "tiny": the made-up reviews. Without `dest`, it is written to a scratch folder that goes away with the kernel.
    """
    if source is None:
        found, where = find_imdb()
    elif str(source) == TINY:
        found, where = None, None
    else:
        found, where = Path(source).expanduser(), "DATA"
        if not found.exists():
            raise FileNotFoundError(f"DATA is {found}, which does not exist: give the path of aclImdb_v1.tar.gz or of "
                                    f"an extracted aclImdb folder, None to find it, or \"tiny\" for made-up reviews")
    dest = Path(dest) if dest is not None else scratch_dir()
    if found is not None:
        root = sample_imdb(found, dest, n_per_class)
        print(f"IMDb: {found} (from {where}); up to {n_per_class} reviews per split and class, in a scratch folder")
    else:
        root = write_tiny_imdb(dest)
        if where is None:
            print(f"DATA = {TINY!r}: the tiny made-up aclImdb ({sum(map(len, TINY_REVIEWS.values()))} reviews)")
        else:
            _warn_tiny(f"none found in {where}")
    return root

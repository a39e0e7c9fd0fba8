"""The data a lesson runs on: a small aclImdb folder, sampled from the real reviews or made up on the spot."""

import atexit
import re
import shutil
import tarfile
import tempfile
from pathlib import Path

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


def scratch_dir(prefix: str = "ulmfit-lesson-") -> Path:
    """A new temporary folder, removed when the Python process (the notebook's kernel) exits."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def lesson_imdb(source=None, n_per_class: int = 200, dest=None) -> Path:
    """The aclImdb folder a lesson reads: a sample of `source` when it exists, else the tiny made-up one.

    Without `dest`, it is written to a scratch folder that goes away with the kernel.
    """
    dest = Path(dest) if dest is not None else scratch_dir()
    if source is not None and Path(source).exists():
        root = sample_imdb(source, dest, n_per_class)
        print(f"using up to {n_per_class} reviews per split and class of {source}, copied to {root}")
    else:
        root = write_tiny_imdb(dest)
        why = "no DATA given" if source is None else f"{source} is absent"
        print(f"{why}: using the tiny made-up aclImdb written to {root}")
    return root

"""docs/API.md: every public function and class of ulmfit_ref, its one-line doc, the lesson that teaches it and its
name in the 2018 notebook or fastai, all read from the docstrings; `python -m course build` writes it and
`python -m course check` fails when it differs from what the code says.

A docstring names its lesson and its fastai name on a line of its own: `Taught in lesson 3; fastai 0.7:
`partition_by_cores`.` (or `the 2018 notebook: ...`, `fastai 1: ...`).
"""

import importlib
import inspect
import pkgutil
import re

import ulmfit_ref

_re_lesson = re.compile(r"Taught in lesson (\d+)")
_re_fastai = re.compile(r"((?:the 2018 notebook|fastai [0-9.]+|the paper)(?:'s [\w ]+)?: .+?)(?:;|\.$|$)",
                        re.M | re.I)
PAGE = "docs/API.md"


def modules() -> list:
    """The modules of ulmfit_ref, in name order."""
    return [importlib.import_module(f"ulmfit_ref.{m.name}") for m in pkgutil.iter_modules(ulmfit_ref.__path__)]


def public(module) -> list[tuple[str, object]]:
    """(qualified name, object) of the functions and classes defined in `module`, and of their public methods."""
    out = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj) or inspect.isclass(obj):
            out.append((name, obj))
        if inspect.isclass(obj):
            out += [(f"{name}.{m}", f) for m, f in vars(obj).items()
                    if not m.startswith("_") and (inspect.isfunction(f) or isinstance(f, (classmethod, staticmethod)))]
    return out


def describe(obj) -> dict:
    """The one-line doc, the lesson (int or None) and the 2018 notebook's / fastai's names of `obj`."""
    doc = inspect.getdoc(getattr(obj, "__func__", obj)) or ""
    lesson = _re_lesson.search(doc)
    return {"doc": doc.split("\n")[0].strip(), "lesson": int(lesson.group(1)) if lesson else None,
            "fastai": "; ".join(m.strip() for m in _re_fastai.findall("\n".join(doc.split("\n")[1:])))}


def lesson_of(obj) -> int | None:
    """The lesson that teaches `obj`, as its docstring says."""
    return describe(obj)["lesson"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def exercise_table() -> list[str]:
    """The lessons' exercises by kind, and what each is judged by, as the lines of a section of the page."""
    from .exercise import KINDS
    from .exercises import LESSONS

    lines = ["## The exercises, by kind", "", "| kind | what the learner does |", "| --- | --- |"]
    lines += [f"| {kind} | {what} |" for kind, what in KINDS.items()]
    lines += ["", "| lesson | exercise | kind | judged by |", "| --- | --- | --- | --- |"]
    for lesson, module in LESSONS.items():
        for e in module.EXERCISES:
            if e.kind == "test":
                judged = f"{len(e.bugs)} versions of `{e.reference.replace(':', '.')}`, right and buggy"
            elif e.kind == "predict":
                judged = "the measured value, within a tolerance"
            elif e.reference is None:
                judged = "its measured outcome"
            else:
                how = "behaviour, beside" if e.judge else "the same results as"
                judged = f"{how} `{e.reference.replace(':', '.')}`"
            lines.append(f"| {lesson} | `{e.name}` | {e.kind} | {judged} |")
    return lines + [""]


def render() -> str:
    """The text of docs/API.md."""
    lines = [
        "# ulmfit_ref: the API, with the lesson that teaches each part and its name in the 2018 notebook or fastai",
        "",
        "Generated from the docstrings by `python -m course build` (and checked by `python -m course check`): do not",
        "edit. In a lesson, `ulmfit_ref.text.fixup??` shows a function's source.",
        "",
        *exercise_table(),
    ]
    for module in modules():
        rows = public(module)
        if not rows:
            continue
        head = (inspect.getdoc(module) or "").split("\n")[0]
        lines += [f"## `ulmfit_ref.{module.__name__.split('.')[-1]}`", "", _cell(head), "",
                  "| name | what it does | lesson | the 2018 notebook / fastai |", "| --- | --- | --- | --- |"]
        for name, obj in rows:
            d = describe(obj)
            lesson = f"{d['lesson']}" if d["lesson"] else ""
            lines.append(f"| <a id=\"{name}\"></a>`{name}` | {_cell(d['doc'])} | {lesson} | {_cell(d['fastai'])} |")
        lines.append("")
    return "\n".join(lines)

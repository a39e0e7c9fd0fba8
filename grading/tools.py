"""The tools a lesson gives its exercises (its `GIVEN`: `Reviews`, `CLASSES`...), as module sources holding them alone.

The learner's process must not hold the reference: a tool imported from `ulmfit_ref.data` would bring the whole module,
`read_imdb` and `make_splits` with it, one `getattr(tool, "__globals__")` away. So the grader sends the child, for each
module, a source made of that module's own imports and of the given definitions alone (with the module-level names
they use, in their order); the child runs it as a module of the same name, so that a given class keeps its qualified
name and an answer built from it compares equal to the reference's. A tool whose definition would bring an exercise's
answer along is refused: a lesson may give a tool only if it holds no answer.
"""

import ast
import importlib
import inspect

from course.exercises import EXERCISES, given_names


class ToolError(ValueError):
    """A tool that cannot be given alone (it holds or needs an exercise's answer, or a relative import)."""


def _names(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.value.id for n in ast.walk(node) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
    }


def _defined(node) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def module_source(module: str, names) -> str:
    """The source of a module named `module` that defines only `names` (and what they need of that module)."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module)))
    answers = {
        e.reference.split(":")[1].split(".")[0]
        for e in EXERCISES.values()
        if e.reference and e.reference.split(":")[0] == module
    }
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    relative = {a.asname or a.name for n in imports if isinstance(n, ast.ImportFrom) and n.level for a in n.names}
    definitions = [n for n in tree.body if _defined(n)]
    wanted, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        if name in answers:
            raise ToolError(f"{module}.{name} answers an exercise; a lesson cannot give it, nor a tool that needs it")
        if name in relative:
            raise ToolError(f"{module}: a given tool needs {name}, which it imports from another module of the package")
        found = [n for n in definitions if name in _defined(n)]
        if not found and name in names:
            raise ToolError(f"{module} defines no {name}")
        wanted.add(name)
        for node in found:
            todo += [n for n in _names(node) if any(n in _defined(d) for d in definitions)]
    body = [n for n in imports if not (isinstance(n, ast.ImportFrom) and n.level)]
    body += [n for n in tree.body if _defined(n) & wanted]
    return ast.unparse(ast.Module(body=body, type_ignores=[]))


def sources(lesson: str) -> dict[str, str]:
    """module name -> source, for the tools lesson `lesson` gives its exercises."""
    by_module = {}
    for ref in given_names(lesson).values():
        module, name = ref.split(":")
        by_module.setdefault(module, []).append(name)
    return {module: module_source(module, names) for module, names in sorted(by_module.items())}

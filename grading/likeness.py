"""Whether an answer is the reference's own code: equal once names, docstrings, comments, annotations and formatting
are set aside. The autograde tells the instructor so, as information beside the grade, never as a zero by itself."""

import ast
import importlib
import inspect
import textwrap


class _Canonical(ast.NodeTransformer):
    """Every name, argument and function name replaced by `v0`, `v1`... in the order it first appears."""

    def __init__(self):
        self.names = {}

    def _name(self, name: str) -> str:
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(self._name(node.id), node.ctx), node)

    def visit_arg(self, node):
        return ast.copy_location(ast.arg(self._name(node.arg)), node)

    def _function(self, node):
        node.name = self._name(node.name)
        node.returns = None
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
            if isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
        self.generic_visit(node)
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _function

    def visit_AnnAssign(self, node):
        if node.value is None:
            return None
        return self.generic_visit(ast.copy_location(ast.Assign([node.target], node.value), node))


def fingerprint(source: str, name: str) -> str | None:
    """The normalised form of the top-level function or class `name` in `source`; None if there is none."""
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return None
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    found = [n for n in defs if n.name == name] or (defs if len(defs) == 1 else [])
    if not found:
        return None
    return ast.dump(_Canonical().visit(found[-1]), annotate_fields=False)


def reference_source(exercise) -> tuple[str, str] | None:
    """(source, name) of the reference object of `exercise`, before any adaptation; None where it has none."""
    if exercise.reference is None or exercise.kind == "test":
        return None
    module, attr = exercise.reference.split(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    try:
        return inspect.getsource(obj), attr.split(".")[-1]
    except (OSError, TypeError):
        return None


def same_as_reference(code: str, exercise) -> bool:
    """Whether the exercise cell `code` defines the reference's own code, renamed and reformatted at most."""
    found = reference_source(exercise)
    if found is None:
        return False
    mine = fingerprint(code, exercise.name)
    return mine is not None and mine == fingerprint(*found)

"""Print the longest functions of the collection's code (plugins/ and extensions/), and fail when one is longer than the
limit: a function a reviewer can hold in their head.

    python scripts/longest_functions.py [--limit 60] [--top 10] [PATH ...]

A function's length is its lines from the ``def`` to its last line (decorators, docstring and blank lines inside it
included), as ``ast`` gives them.
"""

import argparse
import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATHS = ("plugins", "extensions")


def functions(path):
    """(length, "file:line name") of every function and method in a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            where = "%s:%d %s" % (path.relative_to(REPO), node.lineno, node.name)
            out.append((length, where))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=60, help="the longest a function may be")
    parser.add_argument("--top", type=int, default=10, help="how many to print")
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    args = parser.parse_args(argv)
    found = []
    for base in args.paths:
        for path in sorted((REPO / base).rglob("*.py")):
            found.extend(functions(path))
    found.sort(reverse=True)
    for length, where in found[: args.top]:
        print("%4d  %s" % (length, where))
    over = [item for item in found if item[0] > args.limit]
    print("longest functions: %d checked, %d over %d lines" % (len(found), len(over), args.limit))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

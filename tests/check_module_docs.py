"""Every module's docs are complete (make lint): DOCUMENTATION has ``requirements``, and in RETURN
every value has a ``sample`` and every dict (or list of dicts) says what it ``contains``.
Exit 1 with one line per gap, naming the module and the key's path."""

import ast
import pathlib
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parent.parent


def docs_of(path):
    """The module's DOCUMENTATION and RETURN, as YAML data."""
    found = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("DOCUMENTATION", "RETURN"):
                found[node.targets[0].id] = yaml.safe_load(node.value.value) or {}
    return found.get("DOCUMENTATION", {}), found.get("RETURN", {})


def return_gaps(values, prefix):
    gaps = []
    for key, spec in (values or {}).items():
        where = prefix + key
        holds_dicts = spec.get("type") == "dict" or (spec.get("type") == "list" and spec.get("elements") == "dict")
        if holds_dicts and not spec.get("contains"):
            gaps.append("%s: a %s without contains" % (where, spec.get("type")))
        if "sample" not in spec and not spec.get("contains"):
            gaps.append("%s: no sample" % where)
        gaps.extend(return_gaps(spec.get("contains"), where + "."))
    return gaps


def main():
    gaps = []
    for path in sorted((REPO / "plugins" / "modules").glob("*.py")):
        documentation, returned = docs_of(path)
        name = path.stem
        if "requirements" not in documentation:
            gaps.append("%s: DOCUMENTATION has no requirements" % name)
        gaps.extend("%s: RETURN %s" % (name, gap) for gap in return_gaps(returned, ""))
    for gap in gaps:
        print(gap)
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())

"""Every role's defaults/main.yml and meta/argument_specs.yml must agree (make role-specs).

Each default names an option of the entry point `main`, with the same default value; an option
with a default in the spec has it in defaults/main.yml too, and an optional one without a default
stays out of defaults/main.yml (validation rejects null against choices); choices hold the default;
internal variables (__name) never appear in either. Exit 1 with one line per disagreement.
"""

import pathlib
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parent.parent


def check_role(role):
    problems = []
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text()) or {}
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
    options = spec["argument_specs"]["main"]["options"]
    prefix = role.name + "_"
    for name in sorted(set(defaults) | set(options)):
        where = "%s: %s" % (role.name, name)
        if name.startswith("__"):
            problems.append(where + ": internal variables do not belong in defaults or the spec")
            continue
        if not name.startswith(prefix):
            problems.append(where + ": does not carry the role prefix %r" % prefix)
        if name not in options:
            problems.append(where + ": in defaults/main.yml but not in meta/argument_specs.yml")
            continue
        option = options[name]
        if not option.get("description"):
            problems.append(where + ": no description in the spec")
        if option.get("required"):
            if name in defaults:
                problems.append(where + ": required in the spec but has a default")
            continue
        if name not in defaults:
            if "default" in option:
                problems.append(where + ": the spec's default %r is not in defaults/main.yml" % (option["default"],))
            continue
        if "default" not in option:
            problems.append(where + ": defaults/main.yml sets %r but the spec gives no default" % (defaults[name],))
        elif option["default"] != defaults[name]:
            problems.append(where + ": defaults/main.yml has %r, the spec %r" % (defaults[name], option["default"]))
        if option.get("choices") and defaults[name] is not None and defaults[name] not in option["choices"]:
            problems.append(where + ": default %r is not one of %s" % (defaults[name], option["choices"]))
    return problems


def main(argv):
    roles = [pathlib.Path(p) for p in argv[1:]] or sorted(p for p in (REPO / "roles").iterdir() if p.is_dir())
    problems = []
    for role in roles:
        problems += check_role(role)
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print("role specs: defaults and argument specs agree in %s" % ", ".join(r.name for r in roles))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

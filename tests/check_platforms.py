"""One list of supported platforms (make lint): roles/kdump/meta/main.yml's galaxy_info.platforms.

kdump_verify's meta/main.yml must list the same, and README.md and the docs site's quickstart carry
the table made from it, between their ``platforms`` markers. ``--write`` puts the table in both.
Exit 1 with one line per disagreement.
"""

import pathlib
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parent.parent
SOURCE = REPO / "roles" / "kdump" / "meta" / "main.yml"
SAME = [REPO / "roles" / "kdump_verify" / "meta" / "main.yml"]
README = REPO / "README.md"
QUICKSTART = REPO / "docs" / "docsite" / "rst" / "quickstart.rst"

NAMES = {
    "Debian": "Debian",
    "Ubuntu": "Ubuntu",
    "EL": "RHEL, CentOS, AlmaLinux, Rocky Linux, Oracle Linux",
    "Fedora": "Fedora",
    "SLES": "SUSE Linux Enterprise Server",
    "opensuse": "openSUSE Leap",
}
RELEASES = {
    "bullseye": "11", "bookworm": "12", "trixie": "13",
    "focal": "20.04", "jammy": "22.04", "noble": "24.04", "oracular": "24.10", "plucky": "25.04",
    "questing": "25.10", "resolute": "26.04",
}
MARKERS = {
    README: ("<!-- platforms: made by tests/check_platforms.py from roles/kdump/meta/main.yml -->",
             "<!-- end of platforms -->"),
    QUICKSTART: (".. platforms: made by tests/check_platforms.py from roles/kdump/meta/main.yml",
                 ".. end of platforms"),
}


def platforms(path):
    return yaml.safe_load(path.read_text())["galaxy_info"]["platforms"]


def rows(listed):
    """(platform, releases) for people, from Galaxy's names."""
    out = []
    for entry in listed:
        versions = entry["versions"]
        if versions == ["all"]:
            text = "all releases"
        else:
            text = ", ".join("%s (%s)" % (RELEASES[v], v) if v in RELEASES else v for v in versions)
        out.append((NAMES[entry["name"]], text))
    return out


def render(path, listed):
    if path == README:
        lines = ["| platform | releases |", "| --- | --- |"]
        lines += ["| %s | %s |" % row for row in rows(listed)]
    else:
        lines = [".. list-table::", "   :header-rows: 1", "", "   * - platform", "     - releases"]
        for name, text in rows(listed):
            lines += ["   * - " + name, "     - " + text]
    return "\n".join(lines)


def block(path, listed):
    start, end = MARKERS[path]
    return "%s\n\n%s\n\n%s" % (start, render(path, listed), end)


def current_block(text, path):
    start, end = MARKERS[path]
    if start not in text or end not in text:
        return None
    return text[text.index(start):text.index(end) + len(end)]


def main(write=False):
    listed = platforms(SOURCE)
    problems = []
    for path in SAME:
        if platforms(path) != listed:
            problems.append("%s: platforms differ from %s" % (path.relative_to(REPO), SOURCE.relative_to(REPO)))
    unknown = [entry["name"] for entry in listed if entry["name"] not in NAMES]
    if unknown:
        problems.append("no name for people for %s: add it to NAMES" % ", ".join(unknown))
        write = False
    for path in MARKERS:
        text = path.read_text()
        found = current_block(text, path)
        if found is None:
            where = path.relative_to(REPO)
            problems.append("%s: no platform table between its markers (%s ...)" % (where, MARKERS[path][0]))
        elif found != block(path, listed):
            if write:
                path.write_text(text.replace(found, block(path, listed)))
            else:
                problems.append("%s: the platform table differs from %s (python tests/check_platforms.py --write)"
                                % (path.relative_to(REPO), SOURCE.relative_to(REPO)))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(write="--write" in sys.argv[1:]))

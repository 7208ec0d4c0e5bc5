#!/usr/bin/env python3
#
# Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
#
"""Keeps the code shown in the docs identical to the compiled examples.

A Markdown file (README.md or doc/*.md) marks where a snippet goes:

    <!-- snippet: example/01_quick_start/main.cpp#quick_start -->
    ...replaced...
    <!-- /snippet -->

and the source file marks the code to show, Boost.JSON/MySQL style:

    //[quick_start
    ...shown...
    //]

Snippets may nest: the marker lines of inner snippets are left out of the outer one, and the
snippet is dedented by its common indentation.

    python3 doc/tools/snippets.py          rewrite the docs from the sources
    python3 doc/tools/snippets.py --check  exit 1 if a doc is out of date (nothing is written)

Exit status: 0 in sync (or updated), 1 out of date (--check), 2 on a broken marker or a missing
file or tag. Uses only the standard library; paths are relative to the repository root, found
from this file's location, so it runs from any directory.
"""

import argparse
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BEGIN = re.compile(r"^(?P<indent>[ \t]*)<!--\s*snippet:\s*(?P<path>[^#\s]+)#(?P<tag>[\w.-]+)\s*-->[ \t]*$")
END = re.compile(r"^[ \t]*<!--\s*/snippet\s*-->[ \t]*$")
TAG_OPEN = re.compile(r"^[ \t]*//\[(?P<tag>[\w.-]+)[ \t]*$")
TAG_CLOSE = re.compile(r"^[ \t]*//\][ \t]*$")


class SnippetError(Exception):
    pass


def docs():
    """The Markdown files that may hold snippets."""
    files = sorted((ROOT / "doc").glob("*.md"))
    readme = ROOT / "README.md"
    if readme.exists():
        files.insert(0, readme)
    return files


def extract(path, tag, cache):
    """The code between //[tag and its matching //] in `path`, without nested markers."""
    if path not in cache:
        source = ROOT / path
        if not source.is_file():
            raise SnippetError(f"{path}: no such file")
        cache[path] = source.read_text(encoding="utf-8").splitlines()
    lines = cache[path]
    start = next((i for i, line in enumerate(lines) if (m := TAG_OPEN.match(line)) and m["tag"] == tag), None)
    if start is None:
        raise SnippetError(f"{path}: no '//[{tag}' marker")
    body, depth = [], 1
    for line in lines[start + 1 :]:
        if TAG_OPEN.match(line):
            depth += 1
            continue
        if TAG_CLOSE.match(line):
            depth -= 1
            if depth == 0:
                break
            continue
        body.append(line)
    else:
        raise SnippetError(f"{path}: '//[{tag}' has no matching '//]'")
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    if not body:
        raise SnippetError(f"{path}: snippet '{tag}' is empty")
    return textwrap.dedent("\n".join(body)).splitlines()


def render(doc, cache):
    """The text `doc` should have, with every snippet filled in from its source."""
    rel = doc.relative_to(ROOT)
    out, lines, i = [], doc.read_text(encoding="utf-8").splitlines(), 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        m = BEGIN.match(line)
        if not m:
            if END.match(line):
                raise SnippetError(f"{rel}:{i}: '<!-- /snippet -->' without an opening marker")
            continue
        end = next((j for j in range(i, len(lines)) if END.match(lines[j]) or BEGIN.match(lines[j])), None)
        if end is None or BEGIN.match(lines[end]):
            raise SnippetError(f"{rel}:{i}: snippet marker without '<!-- /snippet -->'")
        try:
            code = extract(m["path"], m["tag"], cache)
        except SnippetError as e:
            raise SnippetError(f"{rel}:{i}: {e}") from None
        indent = m["indent"]
        out.append(f"{indent}```cpp")
        out.extend(f"{indent}{c}" if c else "" for c in code)
        out.append(f"{indent}```")
        out.append(lines[end])
        i = end + 1
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description="Fill the docs' code snippets from the compiled sources.")
    parser.add_argument("--check", action="store_true", help="report out-of-date docs and exit 1; write nothing")
    args = parser.parse_args()

    cache, stale = {}, []
    try:
        for doc in docs():
            current = doc.read_text(encoding="utf-8")
            wanted = render(doc, cache)
            if wanted != current:
                stale.append(doc)
                if not args.check:
                    doc.write_text(wanted, encoding="utf-8")
    except SnippetError as e:
        print(f"snippets: {e}", file=sys.stderr)
        return 2

    for doc in stale:
        rel = doc.relative_to(ROOT)
        print(f"{rel}: out of date" if args.check else f"{rel}: updated", file=sys.stderr if args.check else sys.stdout)
    if args.check and stale:
        print("snippets: run `python3 doc/tools/snippets.py` from the repository root", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

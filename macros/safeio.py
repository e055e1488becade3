"""Reading untrusted files: every failure is a one-line :class:`Problem`, never a traceback.

- Files are read only from inside the project: a link whose real location is outside its tree, a
  link loop, two names that differ only in case, and names Windows cannot hold are refused.
- Text must be UTF-8; a byte-order mark is accepted and dropped; sizes are capped.
- YAML is parsed with the safe loader (libyaml's when available). Anchors and aliases (``&a`` /
  ``*a``) are refused, since a few hundred bytes of nested aliases expand to gigabytes; so are
  duplicate keys (YAML would silently keep the last one) and nesting deeper than a data file needs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem
from .models import WINDOWS_RESERVED

MAX_DATA_BYTES = 2_000_000   # one YAML data or settings file
MAX_PAGE_BYTES = 1_000_000   # one Markdown page
MAX_FILE_BYTES = 20_000_000  # any other file published from docs/
MAX_DEPTH = 64               # nesting of YAML collections

_Safe = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: much faster
# Something that may be a YAML anchor or alias (most files have none, and skip the slower check).
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s,\[\]{}]", re.M)


class Refused(Exception):
    """A file that must not be read; its message is a Problem's."""


# --------------------------------------------------------------------------- files


def inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def check_path(path: Path, tree: Path, rel: str) -> list[Problem]:
    """Problems with one path under ``tree`` (a link out of the tree or a loop; a reserved name)."""
    problems = []
    for part in Path(rel).parts:
        stem = part.split(".")[0].lower()
        if stem in WINDOWS_RESERVED:
            problems.append(Problem(rel, None, "", f"'{part}' is a reserved file name on Windows; rename it"))
    if path.is_symlink():
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return problems + [Problem(rel, None, "", "is a link that loops or points nowhere; remove it")]
        if not inside(real, tree.resolve()):
            problems.append(Problem(rel, None, "", f"is a link to a file outside {tree.name}/ "
                                                   "(only files inside the project's own folders are published)"))
    return problems


def walk(tree: Path, root: Path) -> tuple[list[Path], list[Problem]]:
    """Every regular file under ``tree`` (links inside the tree followed once), sorted, and the problems.

    Dot-files and dot-folders are skipped (as MkDocs does). Two paths that differ only in case are
    refused: they collide on macOS and Windows checkouts.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    if not tree.is_dir():
        return files, problems
    real_tree = tree.resolve()
    seen_dirs: set[Path] = set()
    lower: dict[str, str] = {}
    stack = [tree]
    while stack:
        folder = stack.pop()
        try:
            real = folder.resolve(strict=True)
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except (OSError, RuntimeError) as exc:
            problems.append(Problem(_rel(folder, root), None, "", f"cannot be read ({_reason(exc)})"))
            continue
        if real in seen_dirs:  # a link back up the tree
            problems.append(Problem(_rel(folder, root), None, "", "is a link that loops back into its own folder; remove it"))
            continue
        seen_dirs.add(real)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            rel = _rel(path, root)
            probs = check_path(path, tree, rel)
            key = rel.lower()
            if key in lower and lower[key] != rel:
                probs.append(Problem(rel, None, "", f"differs from {lower[key]} only in letter case; "
                                                    "the two collide on macOS and Windows"))
            lower.setdefault(key, rel)
            if probs:
                problems += probs
                continue
            try:
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError as exc:
                problems.append(Problem(rel, None, "", f"cannot be read ({_reason(exc)})"))
                continue
            if is_dir:
                if entry.is_symlink() and inside(real_tree, path.resolve()):
                    problems.append(Problem(rel, None, "", "is a link that loops back into its own folder; remove it"))
                    continue
                stack.append(path)
            elif is_file:
                files.append(path)
            else:
                problems.append(Problem(rel, None, "", "is not a regular file (a device, socket or pipe)"))
    return sorted(files), problems


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RuntimeError):
        return "a link loop"
    return getattr(exc, "strerror", None) or type(exc).__name__


def read_bytes(path: Path, rel: str, limit: int) -> bytes:
    """The file's bytes; raises :class:`Refused` with a readable reason."""
    try:
        if path.is_dir():
            raise Refused("is a folder, expected a file")
        size = path.stat().st_size
        if size > limit:
            raise Refused(f"is {size:,} bytes; the limit for this kind of file is {limit:,}")
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except Refused:
        raise
    except (OSError, RuntimeError) as exc:
        raise Refused(f"cannot be read ({_reason(exc)})") from None
    if len(data) > limit:
        raise Refused(f"is larger than the limit for this kind of file ({limit:,} bytes)")
    return data


def read_text(path: Path, rel: str, limit: int) -> str:
    """UTF-8 text with any byte-order mark dropped and line ends made '\\n'; raises :class:`Refused`."""
    data = read_bytes(path, rel, limit)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise Refused(f"line {line}: is not valid UTF-8 text (byte 0x{data[exc.start]:02x}); "
                      "save the file as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- YAML


def _anchors(text: str) -> tuple[int, str] | None:
    """(line, kind) of the first anchor or alias in the text, by the YAML parser's own events."""
    if not _MAYBE_ANCHOR.search(text):
        return None
    for event in yaml.parse(text, Loader=_Safe):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1, f"an alias (*{event.anchor})"
        if getattr(event, "anchor", None):
            return event.start_mark.line + 1, f"an anchor (&{event.anchor})"
    return None


def _walk(root: yaml.Node, rel: str, line_offset: int) -> tuple[dict[tuple, int], list[Problem]]:
    """Line of every key and item; duplicate keys, revisited nodes (aliases) and deep nesting refused."""
    index: dict[tuple, int] = {}
    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        index.setdefault(path, node.start_mark.line + 1 + line_offset)
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            continue
        if id(node) in seen:
            problems.append(Problem(rel, node.start_mark.line + 1 + line_offset, "",
                                    "YAML anchors and aliases are not allowed; write the value out in full"))
            return index, problems
        seen.add(id(node))
        if len(path) > MAX_DEPTH:
            problems.append(Problem(rel, node.start_mark.line + 1 + line_offset, "",
                                    f"nested more than {MAX_DEPTH} levels deep"))
            return index, problems
        if isinstance(node, yaml.MappingNode):
            keys: dict[Any, int] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                line = key.start_mark.line + 1 + line_offset
                if name is None:
                    problems.append(Problem(rel, line, "", "a key must be plain text, not a list or mapping"))
                    continue
                if name in keys:
                    problems.append(Problem(rel, line, ".".join(map(str, path + (name,))),
                                            f"duplicate key '{name}' (also on line {keys[name]}); "
                                            "YAML would keep only the last one"))
                keys.setdefault(name, line)
                index[path + (name,)] = line
                stack.append((value, path + (name,)))
        else:
            for i, item in enumerate(node.value):
                stack.append((item, path + (i,)))
    return index, problems


def parse_yaml(text: str, rel: str, line_offset: int = 0, loader_class: type = _Safe
               ) -> tuple[Any, dict[tuple, int], list[Problem]]:
    """Parse YAML text. Returns (data, line of every key path, problems); data is None on a problem."""
    try:
        found = _anchors(text)
    except yaml.YAMLError:
        found = None  # reported below, with its line
    if found:
        line, kind = found
        return None, {}, [Problem(rel, line + line_offset, "", f"{kind}: YAML anchors and aliases are not "
                                                               "allowed; write the value out in full")]
    loader = loader_class(text)
    try:  # parse once: the node tree gives the line numbers, then the same tree gives the data
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        index, problems = _walk(node, rel, line_offset)
        if problems:
            return None, index, problems
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        what = (exc.problem or "invalid YAML").strip()
        ctx = f" ({exc.context.strip()})" if exc.context else ""
        return None, {}, [Problem(rel, line, "", f"YAML syntax error: {what}{ctx}")]
    except (yaml.YAMLError, RecursionError, MemoryError, ValueError, OverflowError) as exc:
        return None, {}, [Problem(rel, None, "", f"YAML error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")]
    finally:
        loader.dispose()
    return data, index, []


def read_yaml(path: Path, rel: str, limit: int = MAX_DATA_BYTES) -> tuple[Any, dict[tuple, int], list[Problem]]:
    """Read and parse one YAML file. Returns (data, line index, problems)."""
    try:
        text = read_text(path, rel, limit)
    except Refused as exc:
        return None, {}, [Problem(rel, None, "", str(exc))]
    return parse_yaml(text, rel)

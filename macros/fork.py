"""A fork's record of what it took from upstream: ``make adopt`` and ``make accept``.

- ``make adopt WHAT=foundations/definitions.md`` copies an upstream page to
  ``docs/local/pages/foundations/definitions.md`` (to translate or adapt it; it keeps the page's place,
  URL and inbound links), with the upstream version it was made from in its front matter.
- ``make adopt WHAT=templates/mentoring-agreement`` copies an upstream record into
  ``docs/local/templates.yml`` (it replaces the upstream record by id), with the version.
- ``make accept WHAT=...`` records that the fork's copy now matches upstream's current version (after
  a merge, once you have compared them and updated yours); ``WHAT=settings`` records that you have
  seen every upstream setting (set or left at its default).

Every build reports the replaced pages and records whose upstream original changed since, and new
upstream settings the fork has not seen (see ``Build._report_fork``).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import Problem, SiteError
from .loader import OVERRIDES, load_settings, split_front_matter, version_of
from .registry import BY_NAME
from .safeio import MAX_DATA_BYTES, MAX_PAGE_BYTES, Refused, parse_yaml, read_text


def _fail(message: str, where: str = "WHAT") -> SiteError:
    return SiteError([Problem(where, None, "", message)])


def _kind(what: str) -> str:
    if what == "settings":
        return "settings"
    if what.endswith(".md"):
        return "page"
    if what.count("/") == 1 and what.split("/")[0] in BY_NAME:
        return "record"
    raise _fail(f"'{what}' is neither a page (path/to/page.md), a record (data_set/id) nor 'settings'")


def _read(path: Path, rel: str, limit: int) -> str:
    try:
        return read_text(path, rel, limit)
    except Refused as exc:
        raise _fail(str(exc), rel) from None


def _upstream_record(docs: Path, what: str) -> tuple[str, dict]:
    name, rid = what.split("/")
    rel = f"docs/data/{name}.yml"
    data, _, problems = parse_yaml(_read(docs / "data" / f"{name}.yml", rel, MAX_DATA_BYTES), rel)
    if problems:
        raise SiteError(problems)
    for raw in data.get(name) or []:
        if isinstance(raw, dict) and raw.get("id") == rid:
            return name, raw
    raise _fail(f"there is no upstream record '{rid}' in {rel}")


def _set_front_matter_version(text: str, version: str, rel: str) -> str:
    meta, _, _, problems = split_front_matter(text, rel)
    if problems or meta is None:
        raise _fail("its front matter cannot be read", rel)
    head, rest = text.split("\n---", 1)
    if re.search(r"^upstream_version:.*$", head, re.M):
        head = re.sub(r"^upstream_version:.*$", f"upstream_version: {version}", head, count=1, flags=re.M)
    else:
        head += f"\nupstream_version: {version}"
    return head + "\n---" + rest


def _set_record_version(path: Path, rel: str, name: str, rid: str, version: str) -> None:
    text = _read(path, rel, MAX_DATA_BYTES)
    data, lines, problems = parse_yaml(text, rel)
    if problems:
        raise SiteError(problems)
    records = data.get(name) or []
    index = next((i for i, r in enumerate(records) if isinstance(r, dict) and r.get("id") == rid), None)
    if index is None:
        raise _fail(f"there is no record '{rid}' in {rel}; make adopt WHAT={name}/{rid} copies it there", rel)
    source = text.split("\n")
    id_line = lines[(name, index, "id")] - 1
    match = re.match(r"^(\s*-?\s*)id:", source[id_line])
    if not match:
        raise _fail(f"record '{rid}' must be written in block style (one key per line) to record its version", rel)
    indent = " " * len(match.group(1))
    if (name, index, "upstream_version") in lines:
        at = lines[(name, index, "upstream_version")] - 1
        source[at] = re.sub(r"upstream_version:.*$", f"upstream_version: {version}", source[at])
    else:
        source.insert(id_line + 1, f"{indent}upstream_version: {version}")
    path.write_text("\n".join(source), encoding="utf-8")


def adopt(root: Path, what: str) -> list[str]:
    """Copy an upstream page or record into the fork's own files, with the version it came from."""
    docs = root / "docs"
    kind = _kind(what)
    if kind == "page":
        source = docs / what
        if not source.is_file():
            raise _fail(f"there is no upstream page docs/{what}")
        target = docs / OVERRIDES / what
        if target.exists():
            raise _fail(f"docs/{OVERRIDES}{what} exists already; after updating it, run: make accept WHAT={what}")
        text = _read(source, f"docs/{what}", MAX_PAGE_BYTES)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_set_front_matter_version(text, version_of(text), f"docs/{what}"), encoding="utf-8")
        return [f"Copied docs/{what} to docs/{OVERRIDES}{what}: translate or adapt it there; it takes the "
                "upstream page's place in the navigation, with the same address."]
    if kind == "record":
        name, raw = _upstream_record(docs, what)
        target = docs / "local" / f"{name}.yml"
        if target.exists():
            data, _, problems = parse_yaml(_read(target, f"docs/local/{name}.yml", MAX_DATA_BYTES), "x")
            if not problems and any(isinstance(r, dict) and r.get("id") == raw["id"] for r in (data or {}).get(name) or []):
                raise _fail(f"docs/local/{name}.yml already has '{raw['id']}'; after updating it: make accept WHAT={what}")
        record = {"id": raw["id"], "upstream_version": version_of(raw), **{k: v for k, v in raw.items() if k != "id"}}
        block = yaml.safe_dump([record], allow_unicode=True, sort_keys=False, width=110)
        block = "\n".join(("  " + line) if line else line for line in block.splitlines())
        if not target.exists():
            target.write_text(f"# yaml-language-server: $schema=../schemas/{name}.schema.json\n{name}:\n", encoding="utf-8")
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(block + "\n")
        return [f"Copied {what} to docs/local/{name}.yml: edit it there; it replaces the upstream record."]
    return accept(root, "settings")


def accept(root: Path, what: str) -> list[str]:
    """Record that the fork's copy matches the current upstream version (or that settings were seen)."""
    docs = root / "docs"
    kind = _kind(what)
    if kind == "page":
        source, target = docs / what, docs / OVERRIDES / what
        if not target.is_file():
            raise _fail(f"there is no docs/{OVERRIDES}{what}; make adopt WHAT={what} creates it")
        if not source.is_file():
            raise _fail(f"upstream has no page docs/{what} any more")
        version = version_of(_read(source, f"docs/{what}", MAX_PAGE_BYTES))
        rel = f"docs/{OVERRIDES}{what}"
        target.write_text(_set_front_matter_version(_read(target, rel, MAX_PAGE_BYTES), version, rel), encoding="utf-8")
        return [f"{rel} now records upstream version {version}."]
    if kind == "record":
        name, raw = _upstream_record(docs, what)
        version = version_of(raw)
        _set_record_version(docs / "local" / f"{name}.yml", f"docs/local/{name}.yml", name, raw["id"], version)
        return [f"docs/local/{name}.yml: '{raw['id']}' now records upstream version {version}."]
    settings, origin, problems = load_settings(docs, root)
    if problems:
        raise SiteError(problems)
    keys = sorted(origin)
    target = docs / "local" / "upstream.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("# yaml-language-server: $schema=../schemas/upstream.schema.json\n"
                      "# Written by `make accept WHAT=settings`: the upstream settings this copy has seen.\n"
                      + yaml.safe_dump({"upstream": {"settings_seen": keys}}, sort_keys=False), encoding="utf-8")
    return [f"docs/local/upstream.yml records {len(keys)} upstream settings as seen."]


def join_upstream(root: Path, remote: str = "upstream", branch: str = "main") -> list[str]:
    """Once, for a copy made with GitHub's "Use this template": join upstream's history.

    Such a copy starts from a commit of its own whose files are those of one upstream commit. This finds
    that commit (the one with exactly the same tree) and merges it with the "ours" strategy: nothing in
    the copy changes, but git now knows where the two histories meet, so later updates merge normally
    (files upstream renamed or removed are renamed or removed in the copy too).
    """
    import subprocess

    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        if result.returncode != 0:
            raise _fail(f"git {' '.join(args)} failed: {result.stderr.strip()[:300]}", "git")
        return result.stdout.strip()

    git("fetch", "--quiet", remote)
    first = git("rev-list", "--max-parents=0", "HEAD").splitlines()[-1]
    tree = git("rev-parse", f"{first}^{{tree}}")
    for line in git("log", "--format=%H %T", f"{remote}/{branch}").splitlines():
        commit, commit_tree = line.split()
        if commit_tree == tree:
            if git("merge-base", "HEAD", commit) if _has_base(root, commit) else False:
                return [f"This copy already shares upstream's history (from {commit[:12]})."]
            git("merge", "--allow-unrelated-histories", "-s", "ours", "-m",
                f"Join upstream's history at {commit[:12]}, the commit this copy was made from", commit)
            return [f"Joined upstream's history at {commit[:12]}. Now take updates with: "
                    f"git pull --no-rebase {remote} {branch}"]
    raise _fail(f"no commit of {remote}/{branch} has exactly the files of this copy's first commit ({first[:12]}); "
                "find the upstream commit it was made from and run: git merge --allow-unrelated-histories -s ours "
                "<that commit>", "git")


def _has_base(root: Path, commit: str) -> bool:
    import subprocess

    return subprocess.run(["git", "merge-base", "HEAD", commit], cwd=root, capture_output=True).returncode == 0

"""`make lock`: every lock file, with hashes, from pyproject.toml and the engines' pins.

- requirements-test.lock: the build and the test tools together (what `make test` and CI install);
- requirements.lock: the build alone (what `make serve` and `make build` install), at the same versions;
- requirements-properdocs.lock and requirements-zensical.lock: each engine's own environment, sharing
  the versions of every package they have in common with the build.

Existing pins are kept where they still fit (pip-compile's default); delete a line to upgrade it.
Run from the repository root inside the lock environment that the Makefile makes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ENGINES = {
    "properdocs": ["properdocs==1.6.7", "mkdocs-material", "pymdown-extensions"],
    "zensical": ["zensical==0.0.73"],
}


def compile_lock(output: str, sources: list[str], constraints: Path | None = None, extra: str | None = None) -> None:
    cmd = [str(Path(sys.executable).parent / "pip-compile"), "--quiet", "--generate-hashes", "--strip-extras",
           "--allow-unsafe", "--no-header", "--annotation-style=line", "--no-emit-index-url",
           "--no-emit-find-links", "--no-emit-trusted-host", "-o", output]
    if extra:
        cmd += ["--extra", extra]
    if constraints:
        cmd += ["-c", str(constraints)]
    subprocess.run([*cmd, *sources], check=True)


def pins(lock: str, into: Path) -> Path:
    lines = [line.split(" ")[0] for line in Path(lock).read_text(encoding="utf-8").splitlines()
             if "==" in line and not line.startswith((" ", "#"))]
    into.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return into


def main() -> None:
    folder = Path(".lockenv")  # made by `make lock`; the path shows in the locks' "via -c" notes
    folder.mkdir(exist_ok=True)
    compile_lock("requirements-test.lock", ["pyproject.toml"], extra="test")
    shared = pins("requirements-test.lock", folder / "pins.txt")
    compile_lock("requirements.lock", ["pyproject.toml"], constraints=shared)
    for engine, packages in ENGINES.items():
        source = folder / f"{engine}.in"
        source.write_text("\n".join(packages) + "\n", encoding="utf-8")
        compile_lock(f"requirements-{engine}.lock", [str(source)], constraints=shared)
    print("Locks written: requirements.lock, requirements-test.lock, "
          + ", ".join(f"requirements-{e}.lock" for e in ENGINES))


if __name__ == "__main__":
    main()

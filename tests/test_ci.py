"""CI and supply chain: tests on every change, least privilege, pinned actions, hashed and split locks."""

from __future__ import annotations

import re

import pytest
import yaml

from .conftest import ROOT

pytestmark = pytest.mark.unit

WORKFLOWS = ROOT / ".github/workflows"
LOCKS = ["requirements.lock", "requirements-test.lock", "requirements-properdocs.lock", "requirements-zensical.lock"]


def _workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.get("on", data.get(True))  # YAML 1.1 reads the key `on` as true
    return data


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_the_tests_run_on_every_pull_request_and_push_with_read_only_rights():
    wf = _workflow("test.yml")
    assert "pull_request" in wf["on"] and "push" in wf["on"]
    assert wf["permissions"] == {"contents": "read"}
    for job in wf["jobs"].values():
        assert job.get("permissions", {"contents": "read"}) == {"contents": "read"}
    runs = [s["run"] for s in _steps(wf) if "run" in s]
    assert runs == [".ci/run"]
    assert (ROOT / ".ci/run").read_text(encoding="utf-8").rstrip().endswith("make test")


def test_only_the_deploy_job_may_write_to_pages():
    wf = _workflow("publish.yml")
    assert wf["permissions"] == {"contents": "read"}
    jobs = wf["jobs"]
    writers = {name for name, job in jobs.items() if set(job.get("permissions", {}).values()) - {"read"}}
    assert writers == {"deploy"}
    assert not any("run" in s for s in jobs["deploy"]["steps"])  # it runs none of the repository's code


@pytest.mark.parametrize("name", ["test.yml", "publish.yml"])
def test_actions_are_pinned_by_commit_and_checkout_keeps_no_credentials(name):
    for step in _steps(_workflow(name)):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            if step["uses"].startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False


def test_the_download_cache_cannot_carry_a_bad_entry_forward():
    steps = _steps(_workflow("publish.yml"))
    cache = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache@")]
    assert len(cache) == 1
    options = cache[0]["with"]
    assert "restore-keys" not in options
    assert options["path"] == ".build/cache"
    for source in ("macros/**", "docs/**", "requirements.lock"):
        assert source in options["key"]
    build = [i for i, s in enumerate(steps) if s.get("run") == "make build"]
    assert build and steps.index(cache[0]) < build[0]


@pytest.mark.parametrize("lock", LOCKS)
def test_every_lock_pins_every_package_with_hashes(lock):
    text = (ROOT / lock).read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", "\n".join(l for l in text.splitlines() if not l.startswith("#")).strip())
    assert len(entries) > 5
    for entry in entries:
        assert re.match(r"^[A-Za-z0-9_.-]+==[\w.!+-]+", entry), entry.splitlines()[0]
        assert "--hash=sha256:" in entry, f"{lock}: {entry.splitlines()[0]} has no hash"


def _pins(lock: str) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==([\w.!+-]+)", (ROOT / lock).read_text(encoding="utf-8"), re.M))


def test_build_and_test_locks_are_split_and_agree():
    build, test = _pins("requirements.lock"), _pins("requirements-test.lock")
    assert "pytest" in test and "pytest" not in build  # test tools are not installed to build the site
    assert set(build) <= set(test)
    assert {k: (v, test[k]) for k, v in build.items() if test[k] != v} == {}
    for engine in ("requirements-properdocs.lock", "requirements-zensical.lock"):
        shared = {k: (v, build[k]) for k, v in _pins(engine).items() if k in build and build[k] != v}
        assert shared == {}, f"{engine} disagrees with the build lock: {shared}"


def test_the_makefile_installs_with_hashes_required():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    pip = re.search(r"^PIP\s*:=(.*)$", makefile, re.M)
    assert pip and "--require-hashes" in pip.group(1)
    installs = re.findall(r"^\t(.*-r requirements[\w-]*\.lock.*)$", makefile, re.M)
    assert len(installs) == 2 and all(line.startswith("$(PIP) ") for line in installs), installs

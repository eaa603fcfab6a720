"""The composite action (``action.yml``) run as GitHub would run it, on this machine: every ``run``
step of it is executed with bash in a temporary git repository whose ``README.md`` is a real list
of ``../shared/lists``, its inputs, ``GITHUB_ENV``, ``GITHUB_OUTPUT`` and ``if:`` conditions
evaluated as the runner does; the fake API stands in for Semantic Scholar and arXiv (through
``RSVLM_S2_API_URL`` and ``RSVLM_ARXIV_API_URL``, with a SYNTHETIC corpus for the list's papers).

The steps that use other actions are the runner's (set up Python, the cache, the artifact, the
pull request, Pages): they are not run, and what they would be given is checked instead (the
files the pull request commits, the page's folder). The install step is not run either: the tool
is this checkout, installed in the test's environment; ``test_fresh_install.py`` installs the
built wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FAKE_API_KEY, SHARED
from fakeapi import FakeApi
from fakeapi.corpus import corpus_for_list

from rsvlm_graph.listfile.curation import Curation
from rsvlm_graph.listfile.parse import read_list

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
SHARED_LISTS = SHARED / "lists"
LIST = SHARED_LISTS / "xiaoaoran-awesome-rsfms.md"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|"
                    r"(?P<call>always|failure|success|cancelled)\(\)|(?P<name>[A-Za-z_][\w.-]*))")


@dataclass
class Runner:
    """What a GitHub runner keeps while it runs a composite action's steps."""

    workspace: Path
    inputs: dict[str, str]
    env: dict[str, str]
    temp: Path
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: bool = False
    ran: list[str] = field(default_factory=list)

    def value(self, name: str) -> str:
        head, _, rest = name.partition(".")
        if head == "inputs":
            return self.inputs[rest]
        if head == "steps":
            step, _, what = rest.partition(".")
            found = self.steps.get(step, {"outcome": "", "outputs": {}})
            return found["outcome"] if what == "outcome" else found["outputs"].get(what.removeprefix("outputs."), "")
        return {"github.action_path": str(ROOT), "github.token": "SYNTHETIC-token", "github.run_id": "1",
                "github.run_attempt": "1", "runner.temp": str(self.temp)}[name]

    def expression(self, text: str) -> Any:
        """An expression of GitHub's language, as far as the action uses it, evaluated."""
        python: list[str] = []
        for token in _TOKEN.finditer(text.strip()):
            if token["string"]:
                python.append(repr(token["string"][1:-1].replace("''", "'")))
            elif token["op"]:
                python.append({"&&": " and ", "||": " or ", "!": " not "}.get(token["op"], token["op"]))
            elif token["call"]:
                python.append({"always": "True", "failure": repr(self.failed), "success": repr(not self.failed),
                               "cancelled": "False"}[token["call"]])
            else:
                python.append(repr(self.value(token["name"])))
        return eval("".join(python), {"__builtins__": {}})  # noqa: S307  # our own action's text

    def substitute(self, text: str) -> str:
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(self.expression(m[1])), text)

    def should_run(self, step: dict[str, Any]) -> bool:
        condition = str(step.get("if", "success()"))
        if not re.search(r"\b(always|failure|success|cancelled)\(\)", condition):
            condition = f"success() && ({condition})"
        return bool(self.expression(condition))

    def run(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        github_env, github_output = self.temp / "env", self.temp / "output"
        github_env.write_text("")
        github_output.write_text("")
        env = {**self.env, **{k: self.substitute(str(v)) for k, v in step.get("env", {}).items()},
               "GITHUB_ENV": str(github_env), "GITHUB_OUTPUT": str(github_output), "RUNNER_TEMP": str(self.temp)}
        assert step["shell"] == "bash"
        script = self.temp / "step.sh"
        script.write_text(step["run"])
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workspace,
                              env=env, capture_output=True, text=True, check=False)
        self.env.update(_pairs(github_env.read_text()))
        outputs = _pairs(github_output.read_text())
        self.steps[step.get("id", "")] = {"outcome": "success" if done.returncode == 0 else "failure", "outputs": outputs}
        self.failed |= done.returncode != 0
        return done


def _pairs(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def run_action(runner: Runner) -> tuple[dict[str, str], dict[str, subprocess.CompletedProcess[str]], list[dict]]:
    """Run the action's steps in order; return its outputs, each script's result, and the steps
    that use another action with their ``with`` as the runner would pass it."""
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    results: dict[str, subprocess.CompletedProcess[str]] = {}
    used: list[dict] = []
    for step in action["runs"]["steps"]:
        if not runner.should_run(step):
            runner.steps.setdefault(step.get("id", ""), {"outcome": "skipped", "outputs": {}})
            continue
        runner.ran.append(step["name"])
        if "uses" in step:
            used.append({"uses": step["uses"], "with": {k: runner.substitute(str(v)) for k, v in step.get("with", {}).items()}})
            runner.steps[step.get("id", "")] = {"outcome": "success", "outputs": {}}
        elif step.get("id") == "install":
            runner.steps["install"] = {"outcome": "success", "outputs": {}}  # this checkout is installed
        else:
            results[step["name"]] = runner.run(step)
    outputs = {name: runner.substitute(spec["value"]) for name, spec in action["outputs"].items()}
    return outputs, results, used


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A new git repository holding one real list as its README.md, committed."""
    if not LIST.is_file():
        pytest.skip("needs ../shared/lists")
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(LIST, repo / "README.md")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "README.md")
    git(repo, "-c", "user.name=SYNTHETIC", "-c", "user.email=synthetic@example.org", "commit", "-q", "-m", "the list")
    return repo


def runner_env(tmp_path: Path, api: FakeApi | None) -> dict[str, str]:
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path),
           "RSVLM_S2_RATE": "1000", "RSVLM_ARXIV_INTERVAL": "0", "RSVLM_S2_POOL_SECONDS": "0"}
    if api is not None:
        env |= {"RSVLM_S2_API_URL": api.s2_url, "RSVLM_ARXIV_API_URL": api.arxiv_url}
    return env


def inputs(**given: str) -> dict[str, str]:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    return {**defaults, "token": "SYNTHETIC-token", **given}


def test_the_weekly_refresh_of_another_list_builds_proposes_and_commits_only_data_and_exports(repository, tmp_path):
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    with FakeApi(corpus_for_list(read_list(repository / "README.md", Curation()))) as api:
        runner = Runner(repository, inputs(**{"s2-api-key": FAKE_API_KEY, "base-iri": "https://e.org/rsfms/"}),
                        runner_env(tmp_path, api), temp)
        outputs, results, used = run_action(runner)
    for name, done in results.items():
        if name != "Fail on lint errors":
            assert done.returncode == 0, f"{name}:\n{done.stdout}\n{done.stderr}"
    assert outputs["enrich-outcome"] == "success", outputs
    assert outputs["data"] == ".rsvlm-graph" and outputs["exports"] == "exports"
    # the lint errors, counted from the annotations, and the last step failing on them
    annotations = re.findall(r"^::error file=README\.md,line=\d+", results["Lint the list (annotations on its rows)"].stdout, re.M)
    assert outputs["lint-errors"] == str(len(annotations))
    assert ("Fail on lint errors" in results) == (len(annotations) > 0)
    # enriched: the snapshot and this refresh's history in the data folder, every export built
    data, out = repository / ".rsvlm-graph", repository / "exports"
    assert (data / "snapshot.jsonl").stat().st_size > 0 and list((data / "history").glob("*.jsonl"))
    for name in ("graph.ttl", "graph.jsonld", "graph.html", "report.md", "suggestions.patch", "suggestions.md", "lint.txt"):
        assert (out / name).is_file(), name
    assert "<https://e.org/rsfms/list/" in (out / "graph.ttl").read_text(encoding="utf-8") or \
        "@prefix list: <https://e.org/rsfms/list/>" in (out / "graph.ttl").read_text(encoding="utf-8")
    # the suggestions patch applies to the list as committed
    git(repository, "apply", "--check", "exports/suggestions.patch")
    assert "+++ b/README.md" in (out / "suggestions.patch").read_text(encoding="utf-8")
    # the pull request: opened after the successful enrich, committing the data folder and the
    # exports, with the description written; the list itself unchanged
    (pull,) = [u for u in used if u["uses"].startswith("peter-evans/create-pull-request@")]
    assert pull["with"]["add-paths"].split() == [".rsvlm-graph", "exports"]
    assert pull["with"]["token"] == "SYNTHETIC-token"
    body = Path(pull["with"]["body-path"]).read_text(encoding="utf-8")
    assert "No earlier refresh to compare with." in body and body.rstrip().endswith(
        (out / "suggestions.md").read_text(encoding="utf-8").rstrip())
    changed = {line[3:].split("/")[0] for line in git(repository, "status", "--porcelain", "--untracked-files=all").splitlines()}
    assert changed == {".rsvlm-graph", "exports"}
    assert not git(repository, "diff", "--", "README.md")
    # the cache restored and saved around the enrichment, under the same key
    restore, save = (u for u in used if u["uses"].startswith("actions/cache/"))
    assert restore["with"]["path"] == save["with"]["path"] == str(temp / "rsvlm-graph-store")
    assert [p.name for p in (temp / "rsvlm-graph-store").glob("store*.sqlite3")]  # the fake's own store


def test_an_incomplete_enrichment_opens_no_pull_request_and_keeps_the_cache(repository, tmp_path):
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    with FakeApi(corpus_for_list(read_list(repository / "README.md", Curation()))) as api:
        api.realism.nested_budget = 0  # every list served empty nested: each one paged
        api.faults.fail("citations", 400, times=10_000)  # every citation page refused
        runner = Runner(repository, inputs(**{"s2-api-key": FAKE_API_KEY}), runner_env(tmp_path, api), temp)
        outputs, results, used = run_action(runner)
    assert outputs["enrich-outcome"] == "failure"
    assert "exit 3" in results["Enrich from Semantic Scholar and arXiv"].stdout
    kinds = [u["uses"].split("@")[0] for u in used]
    assert kinds == ["actions/setup-python", "actions/cache/restore", "actions/cache/save", "actions/upload-artifact"]
    assert "Build the graph and the exports" not in runner.ran
    # what was fetched is kept: the snapshot in the data folder, for the artifact
    assert (repository / ".rsvlm-graph" / "snapshot.jsonl").is_file()


def test_a_pull_request_run_lints_and_builds_offline_without_a_key(repository, tmp_path):
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    (repository / "kg").mkdir()  # a kg/ beside the list is the data folder
    runner = Runner(repository, inputs(refresh="false", pages="true", out="site-src"), runner_env(tmp_path, None), temp)
    outputs, results, used = run_action(runner)
    assert outputs["enrich-outcome"] == "skipped" and outputs["data"] == "kg"
    assert results["Build the graph and the exports"].returncode == 0
    assert "requests: none (--offline)" in results["Build the graph and the exports"].stdout
    assert [u["uses"].split("@")[0] for u in used] == [
        "actions/setup-python", "actions/upload-pages-artifact", "actions/deploy-pages"]
    site = Path(used[1]["with"]["path"])
    assert (site / "index.html").read_bytes() == (repository / "site-src" / "graph.html").read_bytes()
    assert not (repository / "kg" / "snapshot.jsonl").exists()


def test_a_list_that_is_not_there_is_one_error_naming_the_input(tmp_path):
    repo = tmp_path / "empty"
    repo.mkdir()
    runner = Runner(repo, inputs(list="docs/list.md"), runner_env(tmp_path, None), tmp_path)
    outputs, results, _ = run_action(runner)
    (done,) = results.values()
    assert done.returncode == 1 and "::error::rsvlm-graph: the list 'docs/list.md' is not a file" in done.stdout


def test_every_third_party_action_is_pinned_by_a_commit_named_by_its_tag():
    files = [ACTION, *sorted((ROOT / ".github" / "workflows").glob("*.yml"))]
    uses = [(path.name, line.strip()) for path in files for line in path.read_text(encoding="utf-8").splitlines()
            if re.match(r"\s*(- )?uses:", line)]
    assert len(uses) > 10
    for name, line in uses:
        if line.endswith("uses: ./"):
            continue
        assert re.fullmatch(r"(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40}  # v\d+(\.\d+)*", line), (name, line)


def test_the_documented_workflow_is_fifteen_lines_that_use_the_action_as_it_is():
    text = (ROOT / "docs" / "adopt.md").read_text(encoding="utf-8")
    workflow = re.search(r"```yaml\n(.*?)```", text, re.S)[1]
    assert len(workflow.splitlines()) == 15
    parsed = yaml.safe_load(workflow)
    assert set(parsed[True]) == {"schedule", "workflow_dispatch"}  # YAML 1.1 reads `on` as True
    assert parsed["permissions"] == {"contents": "write", "pull-requests": "write"}
    checkout, action = parsed["jobs"]["refresh"]["steps"]
    assert checkout["with"] == {"fetch-depth": 0}  # history reads the whole log
    assert action["uses"].endswith("/rsvlm-graph@v0.1.0")
    declared = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["inputs"]
    assert action["with"] == {"s2-api-key": "${{ secrets.S2_API_KEY }}"} and set(action["with"]) <= set(declared)
    # every input the action declares is documented in the table
    assert all(f"| `{name}` |" in text for name in declared)

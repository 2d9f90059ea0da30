"""A project follows the template: cruft updates, and replays that reproduce a bake.

The update test walks the README's "Updating from the template" section: bake with
cookiecutter at one template commit, link with `cruft link`, commit; the team edits the
project and the template moves on; `cruft update` brings the template's change, keeps the
team's, and the updated project's suite passes.
"""

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests import matrix
from tests.precommit import run_hooks

CRUFT = Path(sys.executable).with_name("cruft")
COOKIECUTTER = Path(sys.executable).with_name("cookiecutter")
ANSWERS = {
    "project_name": "Field Notes",
    "authentication": "jwt",
    "object_access": "owner_only",
    "docker": "yes",
    "ci": "gitlab",
}
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def run(command, cwd: Path, **env) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**os.environ, **GIT_IDENTITY, **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def commit_all(repo: Path, message: str) -> str:
    run(["git", "add", "-A"], repo)
    run(["git", "commit", "-q", "-m", message], repo)
    return run(["git", "rev-parse", "HEAD"], repo).strip()


@pytest.fixture
def template_repo(tmp_path) -> Path:
    """The template as it is in this checkout, committed in a repository of its own."""
    repo = tmp_path / "template"
    repo.mkdir()
    shutil.copy(matrix.TEMPLATE / "cookiecutter.json", repo)
    shutil.copytree(matrix.TEMPLATE / "hooks", repo / "hooks")
    project = "{{cookiecutter.project_slug}}"
    shutil.copytree(matrix.TEMPLATE / project, repo / project)
    run(["git", "init", "-q", "-b", "main"], repo)
    return repo


def test_cruft_update_brings_template_changes_and_keeps_local_edits(
    template_repo, tmp_path, database_url_for, monkeypatch
):
    first = commit_all(template_repo, "Template, first version")

    # 1. Bake with cookiecutter, commit, and link to the template commit as the README says.
    cookiecutter(str(template_repo), no_input=True, extra_context=ANSWERS, output_dir=tmp_path)
    project = tmp_path / "field_notes"
    run(["git", "init", "-q", "-b", "main"], project)
    commit_all(project, "Baked from the template")
    answers = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]
    link = [CRUFT, "link", "--no-input", "--checkout", first, "--extra-context"]
    run([*link, json.dumps(answers), template_repo], project)
    cruft_state = json.loads((project / ".cruft.json").read_text())
    assert cruft_state["commit"] == first
    cruft_state["skip"] = [".env"]
    (project / ".cruft.json").write_text(json.dumps(cruft_state, indent=2) + "\n")
    commit_all(project, "Link to the template")
    key_before = (project / ".env").read_text()

    # 2. The team edits the project...
    readme = project / "README.md"
    readme.write_text(
        readme.read_text().replace("## Run it\n", "## Run it\n\nTeam note: ask #api.\n")
    )
    (project / "api" / "reports.py").write_text('"""Reports: the team\'s own module."""\n')
    commit_all(project, "Team edits")

    # 3. ...and the template moves on: a README line far from the team's, a new file.
    template_readme = template_repo / "{{cookiecutter.project_slug}}" / "README.md"
    template_readme.write_text(
        template_readme.read_text().replace(
            "## Security\n", "## Security\n\nReviewed against the OWASP API Top 10, 2023.\n"
        )
    )
    gitattributes = template_repo / "{{cookiecutter.project_slug}}" / ".gitattributes"
    gitattributes.write_text("uv.lock linguist-generated=true\n")
    second = commit_all(template_repo, "Template, second version")

    run([CRUFT, "update", "--skip-apply-ask", "--project-dir", project], project)

    # The template's change arrived, the team's edits stayed, nothing was rejected.
    updated = readme.read_text()
    assert "Reviewed against the OWASP API Top 10, 2023." in updated
    assert "Team note: ask #api." in updated
    assert (project / "api" / "reports.py").exists()
    assert (project / ".gitattributes").read_text() == "uv.lock linguist-generated=true\n"
    assert not list(project.rglob("*.rej"))
    assert "<<<<<<<" not in updated
    assert json.loads((project / ".cruft.json").read_text())["commit"] == second
    assert (project / ".env").read_text() == key_before  # skipped: the checkout keeps its key
    commit_all(project, "Update from the template")

    # The updated project is still a committed, hook-clean checkout whose suite passes.
    monkeypatch.chdir(project)  # the git-backed hooks ask git about the current directory
    tracked = run(["git", "ls-files"], project).split()
    assert run_hooks(project, [project / name for name in tracked], in_git=True) == []
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0"],
        cwd=project,
        env={**os.environ, "DATABASE_URL": database_url_for("update_path")},
        capture_output=True,
        text=True,
    )
    assert suite.returncode == 0, suite.stdout[-5000:] + suite.stderr[-2000:]


def test_replay_reproduces_a_bake(tmp_path):
    """`cookiecutter --replay-file .cookiecutter.json` gives the same files, .env aside."""
    cookiecutter(
        str(matrix.TEMPLATE), no_input=True, extra_context=ANSWERS, output_dir=tmp_path / "first"
    )
    baked = tmp_path / "first" / "field_notes"
    replay = [COOKIECUTTER, "--replay-file", baked / ".cookiecutter.json"]
    run([*replay, "-o", tmp_path / "replay", matrix.TEMPLATE], tmp_path)
    replayed = tmp_path / "replay" / "field_notes"

    def files(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    assert files(replayed) == files(baked)
    names = sorted(files(baked) - matrix.PER_BAKE_FILES)
    _, mismatch, errors = filecmp.cmpfiles(baked, replayed, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert (baked / ".env").read_text() != (replayed / ".env").read_text()  # a key per bake

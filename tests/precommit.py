"""Run a baked project's pre-commit hooks offline, from the Python packages that ship them.

pre-commit itself clones each hook's repository, which needs the open internet. The hooks a
baked project declares are Python packages that the template's virtualenv has installed
(pre-commit-hooks, django-upgrade; ruff runs on its own in conftest.py, mypy in
test_services.py), so this calls their entry points directly, with the arguments and the
file types the project's .pre-commit-config.yaml and the hooks' manifests give.
"""

import contextlib
import io
from collections.abc import Iterable
from importlib.metadata import entry_points
from pathlib import Path

import yaml
from identify.identify import tags_from_path

# Hook id -> (console script, file tags it runs on), as in each repository's
# .pre-commit-hooks.yaml.
HOOKS = {
    "check-added-large-files": ("check-added-large-files", {"file"}),
    "check-case-conflict": ("check-case-conflict", {"file"}),
    "check-merge-conflict": ("check-merge-conflict", {"text"}),
    "check-toml": ("check-toml", {"toml"}),
    "check-yaml": ("check-yaml", {"yaml"}),
    "debug-statements": ("debug-statement-hook", {"python"}),
    "detect-private-key": ("detect-private-key", {"text"}),
    "end-of-file-fixer": ("end-of-file-fixer", {"text"}),
    "trailing-whitespace": ("trailing-whitespace-fixer", {"text"}),
    "django-upgrade": ("django-upgrade", {"python"}),
}
# Run elsewhere in the template's tests: ruff over every bake, mypy per service.
RUN_ELSEWHERE = {"ruff-check", "ruff-format", "mypy"}
# These ask git which files are tracked: they run where the project is a git checkout
# (tests/test_update_path.py), with the working directory inside it.
NEED_GIT = {"check-added-large-files", "check-case-conflict"}


def declared_hooks(project: Path) -> list[dict]:
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def run_hooks(project: Path, files: Iterable[Path], *, in_git: bool = False) -> list[str]:
    """Failures of the project's hooks over ``files``: one line per failing hook.

    ``in_git``: the project is a git checkout and the current directory; the hooks that
    need git run too.
    """
    scripts = {ep.name: ep for ep in entry_points(group="console_scripts")}
    tagged = [(str(path), tags_from_path(str(path))) for path in files]
    failures = []
    for hook in declared_hooks(project):
        if hook["id"] in RUN_ELSEWHERE or (hook["id"] in NEED_GIT and not in_git):
            continue
        if hook["id"] not in HOOKS:
            failures.append(f"{hook['id']}: not known to tests/precommit.py")
            continue
        script, wanted = HOOKS[hook["id"]]
        chosen = [path for path, tags in tagged if wanted <= tags]
        output = io.StringIO()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            status = scripts[script].load()([*hook.get("args", []), *chosen])
        if status:
            failures.append(f"{hook['id']}: {output.getvalue().strip()[:2000]}")
    return failures

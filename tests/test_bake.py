"""Every combination of options bakes offline into a clean, complete, lint-free project."""

import hashlib
import json
import re
import tomllib

import pytest
import yaml

from tests import matrix

# Where template syntax may legitimately remain, and which exact text is allowed there.
# README.md tells the reader to use .cookiecutter.json; that file is the answers themselves.
ALLOWED_TEMPLATE_TEXT = {
    "README.md": [".cookiecutter.json"],
}
TEMPLATE_MARKERS = ("{{", "{%", "{#", "cookiecutter.")
# GitHub Actions' own expressions, `${{ matrix.python }}`, are no Jinja leftovers.
GITHUB_EXPRESSION = re.compile(r"\$\{\{ [\w.\-]+ \}\}")
# PyYAML's safe loader, in C (libyaml) where the wheel has it: 1,728 bakes' worth of YAML.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Django templates are made of {% %} and {{ }}: there only "cookiecutter." is a leftover.
DJANGO_TEMPLATES = "api/templates/"


def load_yaml(text: str):
    return yaml.load(text, Loader=SAFE_LOADER)


def text_files(project):
    for path in sorted(project.rglob("*")):
        if path.is_file():
            try:
                yield path.relative_to(project).as_posix(), path.read_text()
            except UnicodeDecodeError:
                continue


def service_digest(project) -> str:
    """A hash of everything but the files only packaging options may change."""
    digest = hashlib.sha256()
    for name, text in text_files(project):
        if name in matrix.PACKAGING_FILES | matrix.PER_BAKE_FILES:
            continue
        if name == "pyproject.toml":
            data = tomllib.loads(text)
            for key in matrix.PYPROJECT_PACKAGING_KEYS:
                data["project"].pop(key)
            text = repr(data)
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()


@pytest.mark.parametrize("service", matrix.SERVICES, ids=matrix.ident)
def test_bake(bakery, subtests, service):
    """Each packaging variant of ``service`` (one subtest per combination)."""
    reference_bake, default_bake = bakery.bake(service), bakery.bake({})
    assert reference_bake.ok, reference_bake.error
    assert default_bake.ok, f"the default bake fails: {default_bake.error}"
    reference = service_digest(reference_bake.path)
    default_requirements = matrix.distributions(default_bake.path)
    secret_keys = set()
    for packaging in matrix.product(matrix.PACKAGING_OPTIONS):
        combination = {**service, **packaging}
        with subtests.test(msg=matrix.ident(combination)):
            check_combination(bakery.bake(combination), combination, default_requirements)
            # Packaging options change only packaging files: the service is the group's.
            assert service_digest(bakery.bake(combination).path) == reference
            secret_keys.add(development_secret_key(bakery.bake(combination).path))
    # Every bake generated its own development key: no two projects share one.
    assert len(secret_keys) == len(matrix.product(matrix.PACKAGING_OPTIONS))


def development_secret_key(project) -> str:
    return re.fullmatch(r"(?s).*^SECRET_KEY=(\w+)$.*", (project / ".env").read_text(), re.M)[1]


def check_combination(baked, combination, default_requirements):
    assert baked.ok, baked.error
    project = baked.path
    files = dict(text_files(project))

    # No template syntax left behind.
    leftovers = []
    for name, text in files.items():
        for allowed in ALLOWED_TEMPLATE_TEXT.get(name, []):
            text = text.replace(allowed, "")
        if name.startswith(".github/workflows/"):
            text = GITHUB_EXPRESSION.sub("", text)
        markers = ("cookiecutter.",) if name.startswith(DJANGO_TEMPLATES) else TEMPLATE_MARKERS
        leftovers += [f"{name}: {m}" for m in markers if m in text]
    assert not leftovers

    # The development SECRET_KEY is random, lives in the git-ignored .env only, and no
    # committed file sets one.
    key = development_secret_key(project)
    assert len(key) >= 50 and len(set(key)) >= 5
    ignored = files[".gitignore"].splitlines()
    assert ignored.index(".env*") < ignored.index("!.env.example")  # every .env but the example
    assert [name for name, text in files.items() if key in text] == [".env"]
    assert not [n for n, t in files.items() if re.search(r"SECRET_KEY\W*[=:]\W*[\"']\w", t)]

    # Lint-clean, as a team would run it: ruff, and the other pre-commit hooks.
    assert not baked.lint_errors
    assert not baked.unformatted
    assert not baked.hook_failures

    # Each option adds exactly its files.
    for name in matrix.ALWAYS_PRESENT:
        assert name in files, f"{name} missing"
    for (option, value), names in matrix.FILES_PRESENT_WHEN.items():
        for name in names:
            assert (name in files) is (combination[option] == value), name
    for (option, value), names in matrix.FILES_ABSENT_WHEN.items():
        for name in names:
            assert (name in files) is (combination[option] != value), name
    assert not (project / "_variants").exists()
    empty = [n for n, t in files.items() if not t.strip() and not n.endswith("__init__.py")]
    assert not empty
    assert not [path for path in project.rglob("*") if path.is_dir() and not any(path.iterdir())]

    # Dependencies follow the options, and no other option changes them.
    names = matrix.distributions(project)
    optional = set()
    for (option, value), distributions in matrix.DEPENDENCY_PRESENT_WHEN.items():
        optional.update(distributions)
        for distribution in distributions:
            assert (distribution in names) is (combination[option] == value), distribution
    assert names - optional == default_requirements - optional

    # The license is the one asked for, in LICENSE and in the metadata.
    assert matrix.LICENSE_MARKERS[combination["license"]] in files["LICENSE"].splitlines()[0]
    pyproject = tomllib.loads(files["pyproject.toml"])
    assert pyproject["project"]["license"] in {combination["license"], "LicenseRef-Proprietary"}
    # `pytest tests/x.py` runs x.py: no option with an optional value ends addopts, where it
    # would take the path as its value (pytest-cov's --cov did, and ran the whole suite).
    assert pyproject["tool"]["pytest"]["ini_options"]["addopts"].split()[-1] != "--cov"

    # Structured files parse.
    for name, text in files.items():
        if name.endswith((".yml", ".yaml")):
            assert isinstance(load_yaml(text), dict), name

    # Packaging files say what production needs.
    if combination["docker"] == "yes":
        check_docker(files["Dockerfile"], load_yaml(files["compose.yaml"]), combination)
    if combination["ci"] == "github":
        check_github_actions(load_yaml(files[".github/workflows/ci.yml"]))
        check_dependabot(load_yaml(files[".github/dependabot.yml"]), combination)
    if combination["ci"] == "gitlab":
        check_gitlab_ci(load_yaml(files[".gitlab-ci.yml"]))
        check_renovate(json.loads(files["renovate.json"]))

    # The answers are recorded for a later replay.
    recorded = json.loads(files[".cookiecutter.json"])["cookiecutter"]
    assert {key: recorded[key] for key in combination} == combination


def check_docker(dockerfile: str, compose: dict, combination: dict) -> None:
    """A slim, non-root image with a healthcheck; compose runs app + PostgreSQL, migrating first."""
    instructions = [line.split(" ", 1)[0] for line in dockerfile.splitlines() if line[:1].isalpha()]
    assert dockerfile.startswith("# syntax=docker/dockerfile:1")
    assert "-slim" in next(line for line in dockerfile.splitlines() if line.startswith("FROM"))
    assert "USER app" in dockerfile and instructions.index("USER") > instructions.index("RUN")
    assert "HEALTHCHECK" in instructions and "/api/health/" in dockerfile
    assert 'CMD ["gunicorn", "config.wsgi"]' in dockerfile
    assert "uv sync --locked --no-dev" in dockerfile  # the lock's runtime packages, nothing else

    services = compose["services"]
    assert "healthcheck" in services["db"] and services["db"]["volumes"]
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "migrate" in " ".join(services["app"]["command"])
    assert services["app"]["environment"]["DATABASE_URL"].startswith("postgres://")
    assert ("redis" in services) is (combination["throttling"] == "yes")


# One CI job per supported pair: Python 3.11 resolves Django 5.2 LTS, 3.13 Django 6.x.
CI_MATRIX = {("3.11", "5.2"), ("3.13", "6.")}
# What the test jobs run, besides the suite itself.
CI_TEST_STEPS = (
    "makemigrations --check --dry-run",
    "permission_report --fail-on-open",
    "check --deploy --fail-level WARNING",
    "uv run pytest",
)


def check_github_actions(workflow: dict) -> None:
    """Separate lint, type and test jobs; the platform's matrix; uv from the lock, cached."""
    jobs = workflow["jobs"]
    assert set(jobs) == {"lint", "types", "test"}
    assert workflow["env"]["UV_LOCKED"] == "1"  # `uv sync` fails on a stale lock
    for name, job in jobs.items():
        setup_uv = [s for s in job["steps"] if s.get("uses", "").startswith("astral-sh/setup-uv@")]
        assert len(setup_uv) == 1 and setup_uv[0]["with"]["enable-cache"] is True, name
        assert {"run": "uv sync"} in job["steps"], name
    for name in ("types", "test"):
        rows = jobs[name]["strategy"]["matrix"]["include"]
        pairs = {(row["python"], row["django"]) for row in rows}
        assert pairs == CI_MATRIX, name
        setup_uv = next(s for s in jobs[name]["steps"] if "with" in s and "uses" in s)
        assert setup_uv["with"]["python-version"] == "${{ matrix.python }}"
    runs = {name: "\n".join(s.get("run", "") for s in job["steps"]) for name, job in jobs.items()}
    assert "pre-commit run --all-files" in runs["lint"]
    assert "ruff check ." in runs["lint"] and "ruff format --check ." in runs["lint"]
    assert "uv run mypy ." in runs["types"]
    for step in CI_TEST_STEPS:
        assert step in runs["test"], step
    deploy_check = next(s for s in jobs["test"]["steps"] if "check --deploy" in s.get("run", ""))
    assert deploy_check["env"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    postgres = jobs["test"]["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert jobs["test"]["env"]["DATABASE_URL"].startswith("postgres://")


def check_gitlab_ci(pipeline: dict) -> None:
    """The same jobs with `parallel: matrix`, in uv's image, its cache keyed on the lock."""
    assert pipeline["variables"]["UV_LOCKED"] == "1"
    assert pipeline[".uv"]["before_script"] == ["uv sync"]
    assert pipeline[".uv"]["cache"]["key"]["files"] == ["uv.lock"]
    for name in ("lint", "types", "test"):
        assert pipeline[name]["extends"] == ".uv", name
    for name in ("types", "test"):
        pairs = {(row["PYTHON"], row["DJANGO"]) for row in pipeline[name]["parallel"]["matrix"]}
        assert pairs == CI_MATRIX, name
    scripts = {name: "\n".join(pipeline[name]["script"]) for name in ("lint", "types", "test")}
    assert "pre-commit run --all-files" in scripts["lint"]
    assert "ruff check ." in scripts["lint"] and "ruff format --check ." in scripts["lint"]
    assert "uv run mypy ." in scripts["types"]
    for step in CI_TEST_STEPS:
        assert step in scripts["test"], step
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in scripts["test"]
    assert any(s["name"].startswith("postgres:") for s in pipeline["test"]["services"])


def check_dependabot(config: dict, combination: dict) -> None:
    """Weekly updates for the lock, the actions, and the base images when there is a Dockerfile."""
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    expected = {"uv", "github-actions"} | ({"docker"} if combination["docker"] == "yes" else set())
    assert ecosystems == expected
    assert all(update["directory"] == "/" for update in config["updates"])


def check_renovate(config: dict) -> None:
    """Renovate keeps uv.lock fresh and the pre-commit hooks (off by default there) too."""
    assert ":maintainLockFilesWeekly" in config["extends"]
    assert config["pre-commit"]["enabled"] is True


def test_every_service_is_distinct(bakery):
    """No two service groups bake the same service: each service option really changes it."""
    baked = bakery.bake_many(matrix.SERVICES, bakery.root / "one-per-service")
    assert all(item.ok for item in baked.values())
    digests = {service_digest(item.path) for item in baked.values()}

    assert len(digests) == len(matrix.SERVICES)

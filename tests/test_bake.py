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
# Django templates are made of {% %} and {{ }}: there only "cookiecutter." is a leftover.
DJANGO_TEMPLATES = "api/templates/"


def text_files(project):
    for path in sorted(project.rglob("*")):
        if path.is_file():
            try:
                yield path.relative_to(project).as_posix(), path.read_text()
            except UnicodeDecodeError:
                continue


def requirements(project) -> set[str]:
    """Distribution names in [project.dependencies] and the dev extra."""
    project_table = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    specs = project_table["dependencies"] + project_table["optional-dependencies"]["dev"]
    return {spec.split("[")[0].split(">")[0].split("=")[0].split("<")[0] for spec in specs}


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
    default_requirements = requirements(default_bake.path)
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
        markers = ("cookiecutter.",) if name.startswith(DJANGO_TEMPLATES) else TEMPLATE_MARKERS
        leftovers += [f"{name}: {m}" for m in markers if m in text]
    assert not leftovers

    # The development SECRET_KEY is random, lives in the git-ignored .env only, and no
    # committed file sets one.
    key = development_secret_key(project)
    assert len(key) >= 50 and len(set(key)) >= 5
    assert ".env" in files[".gitignore"].splitlines()
    assert [name for name, text in files.items() if key in text] == [".env"]
    assert not [n for n, t in files.items() if re.search(r"SECRET_KEY\W*[=:]\W*[\"']\w", t)]

    # Lint-clean, as a team would run it.
    assert not baked.lint_errors
    assert not baked.unformatted

    # Each option adds exactly its files.
    for name in matrix.ALWAYS_PRESENT:
        assert name in files, f"{name} missing"
    for (option, value), names in matrix.FILES_PRESENT_WHEN.items():
        for name in names:
            assert (name in files) is (combination[option] == value), name
    assert not (project / "_variants").exists()
    empty = [n for n, t in files.items() if not t.strip() and not n.endswith("__init__.py")]
    assert not empty
    assert not [path for path in project.rglob("*") if path.is_dir() and not any(path.iterdir())]

    # Dependencies follow the options, and no other option changes them.
    names = requirements(project)
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

    # Structured files parse.
    for name, text in files.items():
        if name.endswith((".yml", ".yaml")):
            assert isinstance(yaml.safe_load(text), dict), name

    # Packaging files say what production needs.
    if combination["docker"] == "yes":
        check_docker(files["Dockerfile"], yaml.safe_load(files["compose.yaml"]), combination)
    if combination["ci"] == "github":
        workflow = yaml.safe_load(files[".github/workflows/ci.yml"])
        steps = workflow["jobs"]["test"]["steps"]
        check_ci(workflow["jobs"]["test"]["services"], "\n".join(s.get("run", "") for s in steps))
    if combination["ci"] == "gitlab":
        pipeline = yaml.safe_load(files[".gitlab-ci.yml"])
        services = {s["alias"]: s for s in pipeline[".test"]["services"]}
        check_ci(services, "\n".join(pipeline[".test"]["script"]))
        assert {"test:python3.11", "test:python3.13"} <= set(pipeline)

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

    services = compose["services"]
    assert "healthcheck" in services["db"] and services["db"]["volumes"]
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "migrate" in " ".join(services["app"]["command"])
    assert services["app"]["environment"]["DATABASE_URL"].startswith("postgres://")
    assert ("redis" in services) is (combination["throttling"] == "yes")


def check_ci(services: dict, script: str) -> None:
    """PostgreSQL as a service; install, lint, migrations, open routes and tests."""
    assert any(
        str(service.get("image", service.get("name", ""))).startswith("postgres:")
        for service in services.values()
    )
    for step in (
        'install -e ".[dev]"',
        "ruff check .",
        "ruff format --check .",
        "makemigrations --check --dry-run",
        "permission_report --fail-on-open",
        "pytest",
    ):
        assert step in script, step


def test_every_service_is_distinct(bakery):
    """No two service groups bake the same service: each service option really changes it."""
    baked = bakery.bake_many(matrix.SERVICES, bakery.root / "one-per-service")
    assert all(item.ok for item in baked.values())
    digests = {service_digest(item.path) for item in baked.values()}

    assert len(digests) == len(matrix.SERVICES)

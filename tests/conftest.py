"""Shared machinery for the template tests: offline batch bakes, lint, and one PostgreSQL.

* Bakes happen a service group at a time (the 24 packaging variants of one service) in one
  subprocess inside a network namespace with no network. A group is baked and linted once
  per run: the first xdist worker that needs it bakes it under a file lock, and the other
  reads the results it left on disk.
* One PostgreSQL server serves the whole run: DATABASE_URL when it is set, else an
  embedded server of the run's own, shared by its xdist workers (a database per generated
  suite), stopped and removed however the run ends (tests/pgserver.py).
"""

import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests import matrix, pgserver, sharding
from tests.precommit import run_hooks

BAKE_BATCH = Path(__file__).with_name("bake_batch.py")
RUFF = Path(sys.executable).with_name("ruff")


def network_namespace_available() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


OFFLINE = network_namespace_available()


@dataclass
class Baked:
    answers: dict
    ok: bool
    error: str
    path: Path
    lint_errors: list = field(default_factory=list)
    unformatted: list = field(default_factory=list)
    hook_failures: list = field(default_factory=list)

    def __post_init__(self):
        self.path = Path(self.path)


class Bakery:
    """Bakes service groups on demand, offline, once per run (shared by xdist workers)."""

    def __init__(self, root: Path):
        self.root = root
        self.groups: dict[str, dict[str, Baked]] = {}

    def bake(self, answers: dict) -> Baked:
        answers = matrix.full(answers)
        group = matrix.ident(matrix.service_of(answers))
        if group not in self.groups:
            self.groups[group] = self._shared_group(matrix.service_of(answers), group)
        return self.groups[group][matrix.ident(answers)]

    def private_copy(self, answers: dict, parent: Path) -> Path:
        """A copy of the bake of ``answers`` under ``parent``, for a test that writes into it
        (static files, caches) while other workers read the shared bake."""
        baked = self.bake(answers)
        assert baked.ok, baked.error
        return Path(shutil.copytree(baked.path, parent / baked.path.name))

    def _shared_group(self, service: dict, group: str) -> dict[str, Baked]:
        group_dir = self.root / group
        saved = self.root / f"{group}.json"
        with open(self.root / f"{group}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if saved.exists():
                return {key: Baked(**value) for key, value in json.loads(saved.read_text()).items()}
            baked = self._bake_group(service, group_dir)
            records = {key: vars(item) for key, item in baked.items()}
            saved.write_text(json.dumps(records, default=str))
            return baked

    def bake_many(self, combinations: list[dict], batch_dir: Path) -> dict[str, Baked]:
        """Bake ``combinations`` in one offline subprocess; no lint."""
        batch_dir.mkdir(parents=True)
        combos = [matrix.full(combo) for combo in combinations]
        jobs = [
            {"answers": combo, "output_dir": str(batch_dir / matrix.ident(combo))}
            for combo in combos
        ]
        jobs_file = batch_dir / "jobs.json"
        jobs_file.write_text(json.dumps(jobs))
        command = [sys.executable, str(BAKE_BATCH), str(jobs_file)]
        if OFFLINE:
            command = ["unshare", "-rn", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)
        results = json.loads((batch_dir / "results.json").read_text())
        return {
            matrix.ident(combo): Baked(
                answers=combo,
                ok=result["ok"],
                error=result["error"],
                path=Path(job["output_dir"]) / matrix.DEFAULT_SLUG,
            )
            for combo, job, result in zip(combos, jobs, results, strict=True)
        }

    def _bake_group(self, service: dict, group_dir: Path) -> dict[str, Baked]:
        """The service under every packaging combination, linted together."""
        combos = [
            {**service, **packaging} for packaging in matrix.product(matrix.PACKAGING_OPTIONS)
        ]
        baked = self.bake_many(combos, group_dir)
        self._lint(group_dir, baked)
        return baked

    @staticmethod
    def _lint(group_dir: Path, baked: dict[str, Baked]) -> None:
        """ruff check and ruff format --check over the whole group, findings per bake; then
        the project's other pre-commit hooks (tests/precommit.py)."""
        check = subprocess.run(
            [RUFF, "check", "--no-cache", "--output-format", "json", str(group_dir)],
            capture_output=True,
            text=True,
        )
        fmt = subprocess.run(
            [RUFF, "format", "--check", "--no-cache", str(group_dir)],
            capture_output=True,
            text=True,
        )
        for item in baked.values():
            prefix = str(item.path) + os.sep
            item.lint_errors = [
                f"{v['filename']}:{v['location']['row']}: {v['code']} {v['message']}"
                for v in json.loads(check.stdout or "[]")
                if v["filename"].startswith(prefix)
            ]
            item.unformatted = [line for line in fmt.stdout.splitlines() if prefix in line]
        # The group's bakes share every file but the packaging ones (test_bake.py proves it):
        # the hooks see the first bake whole and the packaging files of the others.
        # Git-ignored per-bake files (.env) are never committed, so no hook sees them.
        ok = [item for item in baked.values() if item.ok]
        if not ok:
            return
        files = [path for path in ok[0].path.rglob("*") if path.is_file()]
        for item in ok[1:]:
            files += [item.path / name for name in matrix.PACKAGING_FILES]
        committed = [p for p in files if p.is_file() and p.name not in matrix.PER_BAKE_FILES]
        failures = run_hooks(ok[0].path, committed)
        for item in ok:
            item.hook_failures = failures


def pytest_addoption(parser):
    parser.addoption(
        "--shard",
        default=None,
        metavar="K/N",
        help="run only the K-th of N disjoint shards of the suite (tests/sharding.py)",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--shard") is None:
        return
    number, count = sharding.parse(config.getoption("--shard"))
    shards = sharding.assign([item.nodeid for item in items], count)
    deselected = [item for item in items if shards[item.nodeid] != number]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if shards[item.nodeid] == number]


def bakes_root(config) -> Path:
    """Where this run bakes: in memory (/dev/shm) when there is one, shared by xdist workers.

    Baking is mostly small-file I/O; on tmpfs it runs about a quarter faster.
    """
    run_dir = config._tmp_path_factory.getbasetemp()
    if hasattr(config, "workerinput"):
        run_dir = run_dir.parent
    memory = Path("/dev/shm")
    if memory.is_dir() and os.access(memory, os.W_OK):
        return memory / f"drf-perm-template-bakes-{os.getuid()}-{run_dir.name}"
    return run_dir / "bakes"


@pytest.fixture(scope="session")
def bakery(pytestconfig) -> Bakery:
    root = bakes_root(pytestconfig)
    root.mkdir(exist_ok=True)
    return Bakery(root)


PG_RUN = pytest.StashKey[pgserver.Run]()


def pytest_configure(config):
    """The controller (or a run without xdist) sweeps what killed runs left, then claims the
    directory of this run's server, released at the end or on SIGTERM and SIGHUP (SIGINT ends
    the session: pytest_sessionfinish)."""
    if not hasattr(config, "workerinput"):
        run = pgserver.Run.claim()
        run.release_on_signals()
        config.stash[PG_RUN] = run


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist: each worker learns the directory of the controller's run."""
    if PG_RUN in node.config.stash:
        node.workerinput["drf_perm_template_pg_run"] = str(node.config.stash[PG_RUN].path)


def pytest_sessionstart(session):
    """Servers that tests start of their own under the run's basetemp are the run's too; its
    in-memory bakes go with it as well, at the end or on SIGTERM and SIGHUP."""
    if PG_RUN in session.config.stash:
        run = session.config.stash[PG_RUN]
        basetemp = session.config._tmp_path_factory.getbasetemp().resolve()
        if not pgserver.temp_root().is_relative_to(basetemp):
            run.also_under.append(basetemp)
        bakes = bakes_root(session.config)
        if bakes.is_relative_to("/dev/shm"):
            run.remove_too.append(bakes)


def pytest_sessionfinish(session):
    """The controller (or a run without xdist) stops the run's servers and removes its
    directories: the server's, and the in-memory bakes."""
    if PG_RUN in session.config.stash:
        session.config.stash[PG_RUN].release()


@pytest.fixture(scope="session")
def database_url_for(pytestconfig):
    """database_url_for("name") -> a URL for database "name" on the run's one server."""
    if os.environ.get("DATABASE_URL"):
        base = urlsplit(os.environ["DATABASE_URL"])
        return lambda name: urlunsplit(base._replace(path=f"/{name}"))

    if hasattr(pytestconfig, "workerinput"):
        run_dir = Path(pytestconfig.workerinput["drf_perm_template_pg_run"])
    else:
        run_dir = pytestconfig.stash[PG_RUN].path
    info = pgserver.serve(run_dir)
    return lambda name: f"postgresql://postgres@/{name}?host={info.socket_dir}&port={info.port}"


def pytest_terminal_summary(terminalreporter):
    reports = terminalreporter.stats.get("passed", [])
    properties = [prop for report in reports for prop in getattr(report, "user_properties", [])]
    generated = [value for key, value in properties if key == "generated tests passed"]
    coverage = [value for key, value in properties if key == "coverage"]
    installs = sorted(value for key, value in properties if key == "fresh install")
    if installs:
        terminalreporter.write_sep("-", "fresh installs (README commands, new virtualenvs)")
        for line in installs:
            terminalreporter.write_line(line)
    clients = sorted(
        {
            value
            for report in reports + terminalreporter.stats.get("failed", [])
            for key, value in getattr(report, "user_properties", [])
            if key == "generated clients"
        }
    )
    if clients:
        terminalreporter.write_sep("-", "generated clients (Python and TypeScript, whole flows)")
        for line in clients:
            terminalreporter.write_line(line)
    if generated:
        terminalreporter.write_line(
            f"generated suites: {len(generated)} services, {sum(generated)} generated tests and "
            "subtests (policy-table cells) passed"
        )
    if coverage:
        terminalreporter.write_line(
            f"generated suites' coverage: {min(coverage):.2f} % to {max(coverage):.2f} %"
        )
    terminalreporter.write_sep("-", "template matrix")
    terminalreporter.write_line(
        f"options: {len(matrix.OPTIONS)}; combinations: {len(matrix.COMBINATIONS)}; "
        f"distinct services: {len(matrix.SERVICES)} "
        f"(combinations differing only in {', '.join(matrix.PACKAGING_OPTIONS)} grouped); "
        f"offline bakes: {'yes (unshare -rn)' if OFFLINE else 'NO: unshare unavailable'}"
    )

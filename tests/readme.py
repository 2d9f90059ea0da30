"""A README's commands, run as a user would type them: a login shell with an empty home.

Shared by tests/test_fresh_install.py and tests/test_first_commands.py.
"""

import os
import re
import subprocess
import tempfile
from pathlib import Path

# Downloads are shared between the tests, as on a machine that has installed one project
# before: pip's and uv's caches hold the files, the installs are still fresh.
DOWNLOAD_CACHES = Path(tempfile.gettempdir()) / "drf-perm-template-download-caches"
# What the test run's environment has and a user's login shell does not.
NOT_IN_A_LOGIN_SHELL = frozenset(
    {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "UV_CACHE_DIR", "DATABASE_URL"}
)
# Commands a README has to install itself: a folder of the test run's PATH that holds one
# (the template's own .venv/bin, when activated) is left out, so it cannot stand in.
INSTALLED_BY_THE_README = ("uv", "uvx", "cookiecutter", "pipx")


def bash_blocks(readme: Path) -> dict[str, list[list[str]]]:
    """The ```bash blocks under each '## ' heading of ``readme``, as lists of lines."""
    sections = re.split(r"^## ", readme.read_text(), flags=re.M)
    blocks = {}
    for section in sections:
        title = section.splitlines()[0] if section else ""
        found = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
        if found:
            blocks[title] = [block.strip().splitlines() for block in found]
    return blocks


# Folders every shell needs on PATH, whatever else they hold (Ubuntu's runners carry pipx there).
SYSTEM_BIN = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}


def clean_environment(python: str, home: Path) -> dict:
    """The user's login shell: ``python3`` is the interpreter under test, no virtualenv is
    active, the home folder is empty, and ~/.local/bin is not on PATH (Debian's and Ubuntu's
    ~/.profile add it only if it existed at login, so not in the shell that first fills it).
    Python caches bytecode as it does by default: later commands reuse what earlier ones
    compiled."""
    bin_dir = home / "python-under-test"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python3").symlink_to(python)
    env = {key: value for key, value in os.environ.items() if key not in NOT_IN_A_LOGIN_SHELL}
    env["HOME"] = str(home)
    paths = [
        path
        for path in env["PATH"].split(os.pathsep)
        if path
        and Path(path).expanduser() != Path.home() / ".local" / "bin"
        and (
            path in SYSTEM_BIN  # bash lives there; a uv there is a failure to report, not hide
            or not any((Path(path) / name).exists() for name in INSTALLED_BY_THE_README)
        )
    ]
    env["PATH"] = os.pathsep.join([str(bin_dir), *paths])
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_CACHE_DIR"] = str(DOWNLOAD_CACHES / "pip")
    env["UV_CACHE_DIR"] = str(DOWNLOAD_CACHES / "uv")
    env["UV_PYTHON_DOWNLOADS"] = "never"  # the Python under test, never one uv fetches
    return env


def bash(command: str, cwd: Path, env: dict, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def session(
    lines: list[str], cwd: Path, env: dict, timeout: int
) -> tuple[subprocess.CompletedProcess, dict]:
    """Run ``lines`` in one shell, stopping at the first that fails, as a user types them in
    a terminal; return the outcome and the shell's environment after them (the `export`s a
    README asks for), for the commands typed next in that terminal."""
    with tempfile.NamedTemporaryFile(prefix="readme-env-") as after:
        script = "\n".join(["set -e", *lines, f'env -0 > "{after.name}"'])
        done = bash(script, cwd, env, timeout)
        pairs = Path(after.name).read_text().split("\0")
    return done, dict(pair.split("=", 1) for pair in pairs if "=" in pair)

"""Lay the chosen option files over the project, then drop the rest. No network.

It also writes ``.cookiecutter.json``, the answers in cookiecutter's replay format, so the
project can be baked again or updated (``cookiecutter --replay-file .cookiecutter.json``).

The template keeps every file that only some options need under ``_variants/``, in
folders named by conditions, e.g. ``_variants/docker=yes/Dockerfile`` or
``_variants/default_permission=IsAuthenticated/object_access=owner_only/tests/access_policy.py``.
A file is copied to the same relative path in the project when every ``key=value``
folder above it matches the answers; ``_variants/`` is then removed.
"""

import json
import shutil
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")
VARIANTS = Path("_variants")
REPLAY_FILE = Path(".cookiecutter.json")


def matching_files(root: Path, answers: dict):
    """(source, destination) for every variant file whose conditions all hold."""
    for source in sorted(root.rglob("*")):
        if not source.is_file():
            continue
        parts = source.relative_to(root).parts
        conditions = [part for part in parts if "=" in part]
        if all(answers.get(key) == value for key, value in (c.split("=", 1) for c in conditions)):
            yield source, Path(*(part for part in parts if "=" not in part))


def write_replay_file(answers: dict) -> None:
    """The answers a user gave (no private keys such as _output_dir), as a replay file."""
    public = {key: value for key, value in answers.items() if not key.startswith("_")}
    REPLAY_FILE.write_text(json.dumps({"cookiecutter": public}, indent=2) + "\n")


def main() -> None:
    write_replay_file(ANSWERS)
    for source, destination in matching_files(VARIANTS, ANSWERS):
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, destination)
    shutil.rmtree(VARIANTS)


if __name__ == "__main__":
    main()

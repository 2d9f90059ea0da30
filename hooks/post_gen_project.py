"""Lay the chosen option files over the project, drop the rest, write .env. No network.

The template keeps every file that only some options need under ``_variants/``, in
folders named by conditions, e.g. ``_variants/docker=yes/Dockerfile`` or
``_variants/default_permission=IsAuthenticated/object_access=owner_only/tests/access_policy.py``.
A file moves to the same relative path in the project when every ``key=value`` folder
above it matches the answers; ``_variants/`` is then removed.

Only ``os``: every bake runs this hook, and heavier imports would dominate its run time.
"""

import os

VARIANTS = "_variants"
# Cookiecutter renders the public text answers into the literal below as JSON, which is
# also a valid Python dict literal (no json import needed at run time).
# {% set public = {} %}{% for key, value in cookiecutter.items() if value is string and not key.startswith("_") %}{% set _ = public.update({key: value}) %}{% endfor %}
ANSWERS = {{public | jsonify}}  # noqa: F821 -- a Jinja expression until cookiecutter renders it


def conditions_hold(folders: list[str]) -> bool:
    """True when every ``key=value`` folder name matches the answers."""
    pairs = (folder.split("=", 1) for folder in folders if "=" in folder)
    return all(ANSWERS.get(key) == value for key, value in pairs)


def write_development_env() -> None:
    """A git-ignored .env with this bake's own random SECRET_KEY (config/settings/local.py
    reads it): no two bakes share a key, and none is ever committed."""
    with open(".env", "w") as dotenv:
        dotenv.write("# Development settings for this checkout; never commit this file.\n")
        dotenv.write(f"SECRET_KEY={os.urandom(32).hex()}\n")


def overlay_variants() -> None:
    for directory, _, files in os.walk(VARIANTS):
        parts = os.path.relpath(directory, VARIANTS).split(os.sep)
        if not files or not conditions_hold(parts):
            continue
        folders = [part for part in parts if "=" not in part and part != "."]
        destination = os.path.join(".", *folders)
        for name in files:
            os.renames(os.path.join(directory, name), os.path.join(destination, name))
    for directory, _, files in os.walk(VARIANTS, topdown=False):
        for name in files:
            os.remove(os.path.join(directory, name))
        os.rmdir(directory)


if __name__ == "__main__":
    overlay_variants()
    write_development_env()

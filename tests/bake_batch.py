"""Bake a batch of option combinations in one process: ``python bake_batch.py JOBS.json``.

JOBS.json is a list of {"answers": {...}, "output_dir": "..."}; the script writes
{"ok": bool, "error": str} for each job to JOBS.json's sibling ``results.json``.
The template tests run it inside a network namespace with no network at all
(``unshare -rn``), so every bake is proven to work offline, hooks included.

Baking shares one thing across jobs: Jinja's compiled form of each template source.
Compiling is a pure function of the source text and the environment's settings, which
are the same for every bake of this template; rendering still happens per bake.
"""

import json
import sys
import traceback
from pathlib import Path

import jinja2
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
_compile = jinja2.Environment.compile
_compiled = {}


def compile_once(self, source, name=None, filename=None, raw=False, defer_init=False):
    if not isinstance(source, str):
        return _compile(self, source, name, filename, raw, defer_init)
    key = (source, name, filename, raw, defer_init, tuple(sorted(self.extensions)))
    if key not in _compiled:
        _compiled[key] = _compile(self, source, name, filename, raw, defer_init)
    return _compiled[key]


def bake(answers: dict, output_dir: str) -> dict:
    try:
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context=answers,
            output_dir=output_dir,
            overwrite_if_exists=False,
        )
    except BaseException as error:  # a hook's sys.exit included
        return {"ok": False, "error": "".join(traceback.format_exception_only(error)).strip()}
    return {"ok": True, "error": ""}


def main(jobs_file: str) -> None:
    jinja2.Environment.compile = compile_once
    jobs = json.loads(Path(jobs_file).read_text())
    results = [bake(job["answers"], job["output_dir"]) for job in jobs]
    Path(jobs_file).with_name("results.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])

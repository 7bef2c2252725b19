"""Helpers the test files share."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from govcard.cli import cli


def run(*args: str) -> Result:
    """`govcard ARGS` through click's runner, as a user runs it."""
    return CliRunner().invoke(cli, list(args), prog_name="govcard")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path, as bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def shared_corpus() -> Path:
    """The shared corpus of real model cards: ../shared beside the checkout, or the workplace's
    copy for a checkout elsewhere (CI's clean clone). Tests skip when neither is there."""
    beside = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "model-cards"
    workplace = Path("/work/shared/corpus/model-cards")
    return beside if beside.is_dir() or not workplace.is_dir() else workplace


SOURCE = str(Path(__file__).resolve().parents[1])
"""The checkout under test, first on the child's path (not whichever govcard is installed)."""


def govcard_bounded(
    *args: str, seconds: float = 60, memory: int = 1 << 30
) -> subprocess.CompletedProcess[str]:
    """`python -m govcard ARGS` in a child that must end within `seconds` and `memory` bytes of
    address space, so that a regression (a read that blocks, a file read until memory runs out)
    fails the test instead of hanging or swapping the suite."""

    def limit() -> None:
        try:
            import resource
        except ImportError:  # pragma: no cover - Windows
            return
        with contextlib.suppress(ValueError, OSError):  # not every system bounds it
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-m", "govcard", *args],
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([SOURCE, os.environ.get("PYTHONPATH", "")]),
        },
        capture_output=True,
        text=True,
        timeout=seconds,
        preexec_fn=limit,
        check=False,
    )

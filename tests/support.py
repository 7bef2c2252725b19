"""Helpers the test files share."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def under_hash_seeds(script: str, *args: str, seeds: tuple[str, ...] = ("1", "2")) -> list[bytes]:
    """What `python -c SCRIPT ARGS` writes to stdout in a fresh process per PYTHONHASHSEED: the
    same bytes each time when the output does not depend on set or dict-of-str order."""
    return [
        subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in seeds
    ]


# Browsers and screenshots reach the built site here only.
HOST = "127.0.0.1"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that logs nothing."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def served(site: Path, handler_class: type[QuietHandler] = QuietHandler) -> Iterator[str]:
    """The folder served on 127.0.0.1 (a free port) by a thread, stopped on exit."""
    handler = functools.partial(handler_class, directory=str(site))
    server = http.server.ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

"""Helpers the test files share."""

from __future__ import annotations

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

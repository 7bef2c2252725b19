"""The generated site's MkDocs project builds with Zensical, the successor of Material for MkDocs
(which reaches end of life in May 2027), as it reads the same mkdocs.yml.

What differs from the Material build is in docs/guides/site.md ("Building with Zensical").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import run

pytest.importorskip("zensical", reason="Zensical is not installed (pip install zensical)")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "bigcode" / "project.yaml"
MODELS = ("santacoder", "starcoderbase", "starcoder")


def zensical_build(source: Path) -> subprocess.CompletedProcess[str]:
    """`zensical build --strict` in the folder of a mkdocs.yml; the site goes to its site/."""
    return subprocess.run(
        [sys.executable, "-m", "zensical", "build", "--strict"],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The MkDocs project govcard generates for the BigCode example (`--keep-source`)."""
    result = run(
        "site",
        "build",
        str(EXAMPLE),
        "-o",
        str(tmp_path / "site"),
        "--keep-source",
        str(tmp_path / "source"),
    )
    assert result.exit_code == 0, result.output
    return tmp_path / "source"


def test_the_generated_site_builds_strictly_with_zensical(source: Path) -> None:
    result = zensical_build(source)
    assert result.returncode == 0, result.stdout + result.stderr
    site = source / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'name="generator" content="zensical-' in home
    assert '<h1 id="bigcode">BigCode' in home
    for model in MODELS:
        assert (site / "models" / f"{model}.html").is_file(), model
    # The tags plugin has a native implementation: the tags page lists the model pages.
    assert 'href="./models/santacoder.html"' in (site / "tags.html").read_text(encoding="utf-8")
    # Zensical's search index is search.json, not MkDocs' search/search_index.json.
    index = json.loads((site / "search.json").read_text(encoding="utf-8"))
    assert {"governance.html", "carbon.html"} <= {item["location"] for item in index["items"]}


def test_zensical_strict_refuses_a_broken_link_as_mkdocs_does(source: Path) -> None:
    # govcard's site relies on strict link and anchor validation; Zensical keeps it.
    home = source / "docs" / "index.md"
    home.write_text(
        home.read_text(encoding="utf-8") + "\n[broken](carbon.md#no-such-anchor)\n",
        encoding="utf-8",
    )
    result = zensical_build(source)
    assert result.returncode != 0
    assert "anchor does not exist" in result.stdout + result.stderr

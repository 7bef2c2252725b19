"""`govcard publish` against a loopback Hub (tests/hubserver.py), run as a user would.

No test reaches the Hugging Face Hub: every request goes to a `HubServer` on 127.0.0.1, which keeps
what was committed so each test can compare the remote repos file by file with what was built.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from hubserver import GITATTRIBUTES, HubServer
from huggingface_hub import (
    ModelCard,
    close_session,
    constants,
    get_session,
    parse_eval_result_entries,
)
from huggingface_hub.utils._http import http_backoff

from govcard import derive, loader, render
from govcard.cli import cli
from govcard.output import MARKER
from govcard.publish import DEFAULT_TIMEOUT_S, space_readme
from govcard.render import GENERATED_LINE

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
TOKEN = "hf_GovcardTestToken7c3e9a41b2d8"
SPACE = "bigcode/governance"
MODEL_REPOS = ("bigcode/santacoder", "bigcode/starcoderbase", "bigcode/starcoder")
# A fixed build date (SOURCE_DATE_EPOCH): MkDocs stamps sitemap.xml.gz with the day of the build.
DAY = 1_700_000_000
# huggingface_hub's LFS upload passes a file object as `data`, which httpx2 deprecates.
LFS_UPLOAD_WARNING = pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning")
WEIGHTS = b"\x00safetensors weights\x00"
EVAL_RESULTS = ".eval_results/govcard.yaml"

# A test that would hang fails instead once its publish has run this long (a generous bound, not
# a measure of speed: a publish that times out after 1 s ends in a few seconds).
BOUND_S = 60
# Every endpoint a publish of a new Space calls, in order (LFS: in a Hub that keeps .gz in LFS).
SPACE_ENDPOINTS = ["info", "create", "tree", "validate-yaml", "preupload", "commit"]
LFS_ENDPOINTS = ["lfs-batch", "lfs-upload"]
HTML = b"<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body>\x1b]0;pwned\x07</body></html>\n"

# A card govcard wrote: the line under its front matter says so.
OLD_CARD = (
    f"---\nlicense: mit\n---\n\n{GENERATED_LINE}\n\n# Old card\n\nEdited on the Hub.\n".encode()
)
# A card someone wrote by hand.
FOREIGN_CARD = (
    b"---\nlicense: openrail\nwidget:\n- text: def hello()\n---\n\n# StarCoder\n\n"
    b"Written by hand.\n\n## How to call it\n\nCall it.\n\n```\n# not a heading\n```\n"
)

UNLICENSED = """\
schema_version: 1
project:
  name: Tiny
  description: A tiny project.
models:
  - id: alpha
    name: Alpha
    hub_id: tiny/alpha
    description: A model whose card does not say its license.
"""


@pytest.fixture(autouse=True)
def loopback_client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """huggingface_hub as these tests use it: no token but the one passed, no telemetry, and
    retries without the waits between them (huggingface_hub retries 5xx and dropped connections
    of GET tree and POST preupload 5 times, waiting 1, 2, 4, 8, 8 s; there is no setting for it,
    so the tests zero `http_backoff`'s wait defaults and keep its retry count)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(DAY))
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-stored-token"))
    # govcard sets HF_HUB_DISABLE_TELEMETRY itself, but only before huggingface_hub is imported
    # (see test_publish_contacts_only_the_endpoint); in-process, the constant is already read.
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    assert http_backoff.__kwdefaults__ is not None
    monkeypatch.setitem(http_backoff.__kwdefaults__, "base_wait_time", 0)
    monkeypatch.setitem(http_backoff.__kwdefaults__, "max_wait_time", 0)
    close_session()
    yield
    close_session()


@pytest.fixture
def hub():
    """A loopback Hub that knows the token; it stops at the end of the test."""
    with HubServer(TOKEN) as server:
        yield server


@pytest.fixture
def tiny(write) -> Path:
    """A one-model project whose site builds fast, as project.yaml (the site only: its card does
    not pass check)."""
    return write(UNLICENSED)


@pytest.fixture
def project(workdir: Path) -> Path:
    """The BigCode example as project.yaml in the current directory, to edit."""
    shutil.copy(EXAMPLE, "project.yaml")
    return Path("project.yaml")


def publish(hub: HubServer, *args: str, token: str = TOKEN) -> Result:
    """`govcard publish project.yaml --space bigcode/governance` against the loopback Hub."""
    command = ["publish", "project.yaml", "--space", SPACE, "--endpoint", hub.url]
    return CliRunner().invoke(cli, [*command, "--token", token, *args], prog_name="govcard")


def publish_in_time(hub: HubServer, *args: str) -> Result:
    """`publish`, in a thread that must end within BOUND_S seconds: a hang fails the test (and
    ends when the loopback Hub stops at the end of the test)."""
    results: list[Result] = []
    thread = threading.Thread(target=lambda: results.append(publish(hub, *args)), daemon=True)
    thread.start()
    thread.join(BOUND_S)
    assert not thread.is_alive(), f"publish {args} still runs after {BOUND_S} s"
    return results[0]


_BUILT: dict[tuple[str, str], dict[str, bytes]] = {}


def site_files(name: str) -> dict[str, bytes]:
    """What `govcard site build project.yaml` writes, by path (built once per project and day)."""
    key = (Path("project.yaml").read_text(encoding="utf-8"), os.environ["SOURCE_DATE_EPOCH"])
    if key not in _BUILT:
        result = CliRunner().invoke(cli, ["site", "build", "project.yaml", "-o", name])
        assert result.exit_code == 0, result.output
        root = Path(name)
        _BUILT[key] = {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }
    return _BUILT[key]


def expected_space(name: str) -> dict[str, bytes]:
    """The Space of a clean publish: the built site but govcard's local marker, its README.md, and
    the Hub's .gitattributes."""
    readme = space_readme(derive.derive(loader.load("project.yaml"))).encode("utf-8")
    site = {path: data for path, data in site_files(name).items() if path != MARKER}
    return {**site, "README.md": readme, ".gitattributes": GITATTRIBUTES}


def edit(old: str, new: str) -> None:
    text = Path("project.yaml").read_text(encoding="utf-8")
    assert old in text
    Path("project.yaml").write_text(text.replace(old, new), encoding="utf-8")


def front_matter(data: bytes) -> dict:
    text = data.decode("utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def assert_failed(result: Result, *fragments: str, code: int = 1, secret: str = TOKEN) -> None:
    """A refusal as the user sees it: one line on stderr, no traceback, no token."""
    assert result.exit_code == code, (result.output, result.exc_info)
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    assert secret not in result.stdout
    assert secret not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def space_commits(hub: HubServer) -> list:
    return [c for c in hub.commits if c.repo_type == "space"]


# --- the site -----------------------------------------------------------------------------------


def test_publish_the_site_to_a_static_space(hub: HubServer, project: Path) -> None:
    result = publish(hub)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    expected = expected_space("site")
    remote = hub.files("space", SPACE)
    assert sorted(remote) == sorted(expected)
    for path, data in expected.items():
        assert remote[path] == data, path
    assert hub.repo("space", SPACE).sdk == "static"
    metadata = front_matter(remote["README.md"])
    assert metadata["sdk"] == "static"
    assert metadata["app_file"] == "index.html"
    assert metadata["title"] == "BigCode governance"
    assert {"governance", "bigcode-openrail-m"} <= set(metadata["tags"])
    [commit] = hub.commits
    assert (commit.repo_type, commit.repo_id, commit.revision) == ("space", SPACE, "main")
    assert commit.changed == ["README.md"]  # the Hub's own README.md of a new Space
    assert commit.added == sorted(set(expected) - {"README.md", ".gitattributes"})
    assert commit.deleted == []
    assert result.stdout == (
        f"space {SPACE}: created, {len(commit.added)} added, 1 changed, 0 deleted "
        f"({hub.url}/spaces/{SPACE}/commit/{hub.repo('space', SPACE).heads['main']})\n"
    )


def test_the_http_calls_of_a_publish(hub: HubServer, project: Path) -> None:
    """Every repo is read (info, tree) before anything is written; the new Space is read again
    once created; each commit is made on top of the head commit that was read."""
    for repo_id in MODEL_REPOS:
        hub.create_repo(repo_id)
    heads = [hub.repo("model", repo_id).heads["main"] for repo_id in MODEL_REPOS]
    assert publish(hub, "--models").exit_code == 0
    writes = ["validate-yaml", "preupload", "commit"]
    assert hub.endpoints() == ["info"] + ["info", "tree"] * len(MODEL_REPOS) + [
        "create",
        "info",
        "tree",
        *writes,
    ] + writes * len(MODEL_REPOS)
    trees = [(r.path, r.query["recursive"]) for r in hub.requests if r.endpoint == "tree"]
    assert trees[:-1] == [
        (f"/api/models/{repo_id}/tree/{head}", "false")
        for repo_id, head in zip(MODEL_REPOS, heads, strict=True)
    ]
    assert re.fullmatch(rf"/api/spaces/{SPACE}/tree/[0-9a-f]{{40}}", trees[-1][0])
    assert trees[-1][1] == "true"
    assert [(c.repo_id, c.parent_commit) for c in hub.commits[1:]] == list(
        zip(MODEL_REPOS, heads, strict=True)
    )
    hub.requests.clear()
    result = publish(hub, "--models")
    assert result.exit_code == 0
    # SantaCoder's repo now has the .eval_results/ folder govcard writes into: it is listed too.
    assert hub.endpoints() == ["info", "tree", "info", "tree", "tree"] + ["info", "tree"] * 2


def test_publish_again_without_change_moves_nothing(hub: HubServer, project: Path) -> None:
    assert publish(hub).exit_code == 0
    before = hub.files("space", SPACE)
    hub.requests.clear()
    result = publish(hub)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"space {SPACE}: up to date\n"
    assert len(hub.commits) == 1
    assert hub.endpoints() == ["info", "tree"]
    assert hub.files("space", SPACE) == before


def test_publish_reads_a_paged_tree(project: Path) -> None:
    with HubServer(TOKEN, page_size=7) as hub:
        assert publish(hub).exit_code == 0
        result = publish(hub)
        assert result.stdout == f"space {SPACE}: up to date\n"
        pages = hub.endpoints()[hub.endpoints().index("commit") + 1 :]
        assert pages == ["info"] + ["tree"] * len(pages[1:])
        assert len(pages) > 1 + len(hub.files("space", SPACE)) // 7


def test_publish_on_another_day_without_change_moves_nothing(
    hub: HubServer, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert publish(hub).exit_code == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(DAY + 86_400))
    result = publish(hub)
    assert result.exit_code == 0
    assert len(hub.commits) == 1, hub.commits[-1]
    assert result.stdout == f"space {SPACE}: up to date\n"


@LFS_UPLOAD_WARNING
def test_publish_binary_files_stored_in_lfs_moves_nothing_the_second_time(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Hub keeps binary files and .gitattributes patterns (*.gz) in LFS; its tree then reports
    # the git blob id of the LFS pointer, not of the content. hf_xet would upload them to Xet
    # storage, which the loopback Hub does not speak: the client takes the LFS batch API instead.
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    with HubServer(TOKEN, lfs=True) as hub:
        assert publish(hub).exit_code == 0
        assert hub.files("space", SPACE) == expected_space("site")
        assert "lfs-batch" in hub.endpoints()
        result = publish(hub)
        assert result.exit_code == 0
        assert len(hub.commits) == 1  # huggingface_hub saw the same LFS oids and skipped them
        assert result.stdout == f"space {SPACE}: up to date\n"


@LFS_UPLOAD_WARNING
def test_a_failed_upload_of_a_binary_file_is_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    with HubServer(TOKEN, lfs=True) as hub:
        hub.fail("lfs-upload", 500)
        assert_failed(publish(hub), f"publish: space {SPACE}: ", "publishing again is safe")
        assert hub.commits == []
        hub.heal()
        assert publish(hub).exit_code == 0
        assert hub.files("space", SPACE) == expected_space("site")


def remove_santacoder() -> None:
    text = Path("project.yaml").read_text(encoding="utf-8")
    start, end = text.index("  - id: santacoder\n"), text.index("  - id: starcoderbase\n")
    Path("project.yaml").write_text(text[:start] + text[end:], encoding="utf-8")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda: edit("An open scientific collaboration", "An open collaboration"),
            id="description",
        ),
        pytest.param(remove_santacoder, id="model-removed"),
    ],
)
def test_a_changed_fact_moves_only_the_changed_files(hub: HubServer, project: Path, change) -> None:
    assert publish(hub).exit_code == 0
    old = expected_space("old")
    change()
    new = expected_space("new")
    result = publish(hub)
    assert result.exit_code == 0, result.output
    assert len(hub.commits) == 2
    commit = hub.commits[-1]
    assert commit.added == sorted(set(new) - set(old))
    assert commit.changed == sorted(p for p in set(new) & set(old) if new[p] != old[p])
    assert commit.deleted == sorted(set(old) - set(new))
    assert commit.unchanged == []
    assert commit.changed  # the change shows on the site
    assert hub.files("space", SPACE) == new
    counts = (
        f"{len(commit.added)} added, {len(commit.changed)} changed, {len(commit.deleted)} deleted"
    )
    assert result.stdout.startswith(f"space {SPACE}: {counts} (")


def test_a_removed_model_page_is_deleted_in_the_same_commit(hub: HubServer, project: Path) -> None:
    hub.create_repo(SPACE, "space", {"notes/stale.html": b"<p>old</p>\n"}, sdk="static")
    assert publish(hub).exit_code == 0
    assert "models/santacoder.html" in hub.files("space", SPACE)
    assert "notes/stale.html" not in hub.files("space", SPACE)
    assert hub.commits[0].deleted == ["notes/stale.html"]
    remove_santacoder()
    assert publish(hub).exit_code == 0
    assert len(hub.commits) == 2
    assert "models/santacoder.html" in hub.commits[1].deleted
    assert "models/santacoder.html" not in hub.files("space", SPACE)
    assert ".gitattributes" in hub.files("space", SPACE)


# --- model repos ----------------------------------------------------------------------------------


def test_publish_models_puts_each_card_into_its_repo(hub: HubServer, project: Path) -> None:
    # Each repo has a card an earlier govcard wrote (and that was edited on the Hub since): it is
    # govcard's, so it is updated without being asked.
    for repo_id in MODEL_REPOS:
        hub.create_repo(repo_id, files={"model.safetensors": WEIGHTS, "README.md": OLD_CARD})
    result = publish(hub, "--models")
    assert result.exit_code == 0, result.output
    rendered = CliRunner().invoke(cli, ["render", "project.yaml", "-o", "cards"])
    assert rendered.exit_code == 0
    # Beside a model's card, the Governance Card links every model's repo on the Hub.
    governance = Path("cards/GOVERNANCE.md").read_text(encoding="utf-8")
    for model_id, repo_id in zip(
        ("santacoder", "starcoderbase", "starcoder"), MODEL_REPOS, strict=True
    ):
        link = f"models/{model_id}/README.md"
        url = f"{hub.url}/{repo_id}"
        governance = governance.replace(f"[{link}]({link})", f"[{url}]({url})")
    for repo_id in MODEL_REPOS:
        commits = [c for c in hub.commits if c.repo_id == repo_id]
        assert len(commits) == 1
        # SantaCoder's results on a Hub dataset go beside its card, in the Hub's newer form.
        results = [EVAL_RESULTS] if repo_id == "bigcode/santacoder" else []
        assert (commits[0].added, commits[0].changed, commits[0].deleted) == (
            [*results, "GOVERNANCE.md"],
            ["README.md"],
            [],
        )
        files = hub.files("model", repo_id)
        assert sorted(files) == [
            *results,
            ".gitattributes",
            "GOVERNANCE.md",
            "README.md",
            "model.safetensors",
        ]
        assert files["model.safetensors"] == WEIGHTS
        assert files["GOVERNANCE.md"].decode("utf-8") == governance
        card = ModelCard(files["README.md"].decode("utf-8"))
        assert card.data.license == "bigcode-openrail-m"
        assert "[Governance Card](GOVERNANCE.md)" in card.text
        assert "../GOVERNANCE.md" not in card.text
        added = 1 + len(results)
        assert f"model {repo_id}: {added} added, 1 changed, 0 deleted" in result.stdout
    assert len(space_commits(hub)) == 1
    again = publish(hub, "--models")
    assert again.stdout.count(": up to date\n") == 1 + len(MODEL_REPOS)
    assert len(hub.commits) == 1 + len(MODEL_REPOS)


def test_govcard_s_eval_results_go_when_the_facts_drop_them_and_others_stay(
    hub: HubServer, project: Path
) -> None:
    theirs = b"- dataset: {id: org/bench, task_id: default}\n  value: 1.0\n"
    hub.create_repo("bigcode/santacoder", files={".eval_results/community.yaml": theirs})
    assert publish(hub, "--models").exit_code == 0
    files = hub.files("model", "bigcode/santacoder")
    entries = parse_eval_result_entries(yaml.safe_load(files[EVAL_RESULTS]))
    assert [e.dataset_id for e in entries] == ["nuprl/MultiPL-E", "nuprl/MultiPL-E"]
    # Without results on a Hub dataset, govcard's file goes; the community's stays.
    text = Path("project.yaml").read_text(encoding="utf-8")
    Path("project.yaml").write_text(
        text.replace("dataset_id: nuprl/MultiPL-E, ", ""), encoding="utf-8"
    )
    assert publish(hub, "--models").exit_code == 0
    assert hub.commits[-1].repo_id == "bigcode/santacoder"
    assert hub.commits[-1].deleted == [EVAL_RESULTS]
    files = hub.files("model", "bigcode/santacoder")
    assert EVAL_RESULTS not in files
    assert files[".eval_results/community.yaml"] == theirs


def test_links_in_a_model_repo_resolve_within_it(hub: HubServer, project: Path) -> None:
    for repo_id in MODEL_REPOS:
        hub.create_repo(repo_id)
    assert publish(hub, "--models").exit_code == 0
    for repo_id in MODEL_REPOS:
        files = hub.files("model", repo_id)
        for name in ("README.md", "GOVERNANCE.md"):
            targets = re.findall(r"\]\(([^)\s]+)\)", files[name].decode("utf-8"))
            relative = [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:|#", t)]
            assert [t for t in relative if t not in files] == [], f"{repo_id}/{name}"


def test_publish_models_without_a_hub_id_skips_them(hub: HubServer, project: Path) -> None:
    edit("    hub_id: bigcode/santacoder\n", "")
    for repo_id in MODEL_REPOS[1:]:
        hub.create_repo(repo_id)
    result = publish(hub, "--models")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "model santacoder: skipped, its facts give no hub_id"
    assert {c.repo_id for c in hub.commits} == {SPACE, *MODEL_REPOS[1:]}
    assert "santacoder" not in "".join(r.path for r in hub.requests)


# --- dry run and pull requests --------------------------------------------------------------------


def test_dry_run_of_new_repos_lists_each_file_and_sums_up_the_site_assets(
    hub: HubServer, project: Path
) -> None:
    result = publish(hub, "--models", "--datasets", "--dry-run")
    assert result.exit_code == 0, result.output
    assert [r.endpoint for r in hub.requests] == ["info"] * (1 + len(MODEL_REPOS) + 2)
    assert hub.repos == {}
    site = {path for path in site_files("site") if path != MARKER} | {"README.md"}
    pages = sorted(
        p
        for p in site
        if not p.startswith(
            ("assets/javascripts", "assets/stylesheets", "assets/images", "search/", "sitemap")
        )
    )
    assets = len(site) - len(pages)
    assert result.stdout.splitlines() == [
        f"space {SPACE}: to create (sdk: static), {len(site)} to add",
        *(f"  add {path}" for path in pages),
        f"  site assets (search index, JavaScript, CSS, images, sitemap): {assets} to add",
        f"model {MODEL_REPOS[0]}: to create, 3 to add",
        f"  add {EVAL_RESULTS}",
        "  add GOVERNANCE.md",
        "  add README.md",
        *(
            line
            for repo_id in MODEL_REPOS[1:]
            for line in (
                f"model {repo_id}: to create, 2 to add",
                "  add GOVERNANCE.md",
                "  add README.md",
            )
        ),
        *(
            line
            for repo_id in ("bigcode/the-stack", "bigcode/starcoderdata")
            for line in (
                f"dataset {repo_id}: to create, 2 to add",
                "  add GOVERNANCE.md",
                "  add README.md",
            )
        ),
        f"dry run: nothing was changed on {hub.url}",
    ]
    assert "assets/carbon.svg" in pages  # the chart is a page's, not MkDocs'


def test_dry_run_compares_with_what_the_repos_hold(hub: HubServer, project: Path) -> None:
    assert publish(hub).exit_code == 0
    hub.create_repo(MODEL_REPOS[0], files={"README.md": OLD_CARD, "model.safetensors": WEIGHTS})
    hub.create_repo(MODEL_REPOS[1], files={"README.md": FOREIGN_CARD})
    edit("An open scientific collaboration", "An open collaboration")
    hub.create_branch(
        SPACE, "main", {**hub.files("space", SPACE), "notes/stale.html": b"<p/>"}, "space"
    )
    hub.requests.clear()
    result = publish(hub, "--models", "--dry-run", "--replace-cards")
    assert result.exit_code == 0, result.output
    assert {r.endpoint for r in hub.requests} == {"info", "tree", "resolve"}
    assert len(hub.commits) == 1
    lines = result.stdout.splitlines()
    new = expected_space("new")
    old = hub.files("space", SPACE)
    changed = sorted(p for p in set(new) & set(old) if new[p] != old[p])
    assert lines[0] == (
        f"space {SPACE}: 0 to add, {len(changed)} to change, 1 to delete, "
        f"{len(new) - 1 - len(changed)} unchanged"
    )
    assert "  change index.html" in lines
    assert "  delete notes/stale.html" in lines
    assert [line for line in lines if line.startswith("  site assets")] == [
        "  site assets (search index): 1 to change"
    ]
    at = lines.index(f"model {MODEL_REPOS[0]}: 2 to add, 1 to change, 0 unchanged")
    assert lines[at + 1 : at + 4] == [
        f"  add {EVAL_RESULTS}",
        "  add GOVERNANCE.md",
        "  change README.md",
    ]
    at = lines.index(f"model {MODEL_REPOS[1]}: 1 to add, 1 to change, 0 unchanged")
    assert lines[at + 1 : at + 3] == [
        "  add GOVERNANCE.md",
        "  change README.md (not written by govcard: replaced, as --replace-cards asks)",
    ]
    assert lines[at + 3].startswith("    lines: ")
    assert lines[at + 4].startswith("    metadata: added ")
    assert "removed widget" in lines[at + 4]
    assert "changed license" in lines[at + 4]
    assert lines[at + 5].startswith(
        "    headings: removed # StarCoder, ## How to call it; added # StarCoderBase, "
    )
    assert lines[-1] == f"dry run: nothing was changed on {hub.url}"


def test_create_pr_opens_a_pull_request_and_leaves_main(hub: HubServer, project: Path) -> None:
    assert publish(hub).exit_code == 0
    main = hub.files("space", SPACE)
    edit("An open scientific collaboration", "An open collaboration")
    result = publish(hub, "--create-pr")
    assert result.exit_code == 0, result.output
    assert hub.files("space", SPACE) == main
    assert hub.files("space", SPACE, "refs/pr/1") == expected_space("site")
    commit = hub.commits[-1]
    assert (commit.revision, commit.pr_num) == ("refs/pr/1", 1)
    assert [r.query.get("create_pr") for r in hub.requests if r.endpoint == "commit"] == [None, "1"]
    assert result.stdout.endswith(f"({hub.url}/spaces/{SPACE}/discussions/1)\n")


# --- failures -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "status", "drop", "fragments"),
    [
        ("create", 403, False, ["permission denied", "write access"]),
        ("commit", 403, False, ["permission denied"]),
        (
            "commit",
            500,
            False,
            ["the Hub failed (500)", "try again later", "publishing again is safe"],
        ),
        ("tree", 500, False, ["try again later", "publishing again is safe"]),
        ("validate-yaml", 500, False, ["try again later"]),
        ("create", None, True, ["lost the connection to", "publishing again is safe"]),
        ("tree", None, True, ["lost the connection to", "publishing again is safe"]),
        ("commit", None, True, ["lost the connection to", "publishing again is safe"]),
    ],
)
def test_a_failure_is_one_line_and_publishing_again_converges(
    hub: HubServer, project: Path, endpoint: str, status: int | None, drop: bool, fragments
) -> None:
    hub.fail(endpoint, status, drop=drop)
    result = publish(hub)
    assert_failed(result, f"publish: space {SPACE}: ", *fragments)
    assert result.stdout == ""
    assert space_commits(hub) == []
    hub.heal()
    again = publish(hub)
    assert again.exit_code == 0, again.output
    assert hub.files("space", SPACE) == expected_space("site")
    assert len(hub.commits) == 1


def test_a_retried_call_is_tried_six_times_then_reported(hub: HubServer, project: Path) -> None:
    hub.fail("tree", 500)
    assert_failed(publish(hub), "try again later")
    # The new Space is read again once created; huggingface_hub: 1 try + 5 retries.
    assert hub.endpoints() == ["info", "create", "info"] + ["tree"] * 6


def test_a_token_that_cannot_create_repos_publishes_to_an_existing_space(
    hub: HubServer, project: Path
) -> None:
    hub.create_repo(SPACE, "space", sdk="static")
    hub.fail("create", 403)
    result = publish(hub)
    assert result.exit_code == 0, result.output
    assert hub.endpoints()[0] == "info"  # govcard asks whether the Space exists before creating it
    assert hub.files("space", SPACE) == expected_space("site")


def test_a_commit_whose_answer_is_lost_converges(hub: HubServer, project: Path) -> None:
    hub.fail("commit", drop=True, after=True)
    assert_failed(publish(hub), "lost the connection to")
    assert len(hub.commits) == 1  # it took effect; the answer never came
    hub.heal()
    again = publish(hub)
    assert again.stdout == f"space {SPACE}: up to date\n"
    assert hub.files("space", SPACE) == expected_space("site")


def test_a_wrong_token_says_how_to_authenticate(hub: HubServer, project: Path) -> None:
    wrong = "hf_WrongToken0000aaaa1111"
    result = publish(hub, token=wrong)
    assert_failed(result, "authentication failed", "--token", "HF_TOKEN", secret=wrong)
    assert hub.repos == {}
    again = publish(hub)
    assert again.exit_code == 0
    assert hub.files("space", SPACE) == expected_space("site")


def test_the_token_can_come_from_hf_token(
    hub: HubServer, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    result = CliRunner().invoke(
        cli, ["publish", "project.yaml", "--space", SPACE, "--endpoint", hub.url]
    )
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output


def test_a_missing_model_repo_is_created(hub: HubServer, project: Path) -> None:
    hub.create_repo(MODEL_REPOS[0])
    result = publish(hub, "--models")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # SantaCoder's evaluation results go beside its card (test_govcard_s_eval_results_...).
    assert lines[1].startswith(f"model {MODEL_REPOS[0]}: 3 added, 0 changed, 0 deleted (")
    for repo_id in MODEL_REPOS[1:]:
        assert f"model {repo_id}: created, 2 added, 0 changed, 0 deleted (" in result.stdout
        assert hub.repo("model", repo_id).sdk is None
    created = [r.path for r in hub.requests if r.endpoint == "create"]
    assert len(created) == 1 + len(MODEL_REPOS[1:])
    for repo_id in MODEL_REPOS:
        results = [EVAL_RESULTS] if repo_id == MODEL_REPOS[0] else []
        assert sorted(hub.files("model", repo_id)) == [
            *results,
            ".gitattributes",
            "GOVERNANCE.md",
            "README.md",
        ]
    again = publish(hub, "--models")
    assert again.stdout.count(": up to date\n") == 1 + len(MODEL_REPOS)


def test_metadata_the_hub_rejects_is_reported(hub: HubServer, project: Path) -> None:
    hub.fail("validate-yaml", 400)
    result = publish(hub)
    assert_failed(result, f"publish: space {SPACE}: ")
    assert space_commits(hub) == []


# --- a Hub that is slow or answers wrong ----------------------------------------------------------


@pytest.mark.parametrize("endpoint", SPACE_ENDPOINTS)
def test_a_hub_that_never_answers_times_out_in_one_line(
    hub: HubServer, project: Path, endpoint: str
) -> None:
    # The Hub accepts the connection and says nothing. Without a client timeout this hung until
    # killed; tree and preupload are retried (6 tries of 1 s, the waits between them zeroed).
    hub.fail(endpoint, delay=math.inf)
    result = publish_in_time(hub, "--timeout", "1")
    assert_failed(
        result,
        f"publish: space {SPACE}: the Hub did not answer within 1 s (--timeout)",
        "publishing again is safe",
    )
    assert endpoint in hub.endpoints()
    assert space_commits(hub) == []
    hub.heal()
    again = publish(hub)
    assert again.exit_code == 0, again.output
    assert hub.files("space", SPACE) == expected_space("site")


def test_a_commit_answered_too_late_times_out_and_converges(hub: HubServer, project: Path) -> None:
    # The commit takes effect; its answer comes 3 s later, after the client gave up at 1 s.
    hub.fail("commit", delay=3, after=True)
    result = publish_in_time(hub, "--timeout", "1.5")
    assert_failed(result, "the Hub did not answer within 1.5 s (--timeout)")
    assert len(hub.commits) == 1
    hub.heal()
    again = publish(hub)
    assert again.stdout == f"space {SPACE}: up to date\n"
    assert hub.files("space", SPACE) == expected_space("site")


def test_a_timeout_names_what_was_already_published(hub: HubServer, project: Path) -> None:
    for repo_id in MODEL_REPOS:
        hub.create_repo(repo_id)
    hub.fail("commit", delay=math.inf, skip=1)  # the Space's commit goes through
    result = publish_in_time(hub, "--models", "--timeout", "1")
    [commit] = hub.commits
    counts = f"{len(commit.added)} added, {len(commit.changed)} changed, 0 deleted"
    assert_failed(
        result,
        f"publish: model {MODEL_REPOS[0]}: the Hub did not answer within 1 s (--timeout)",
        f"(already published: space {SPACE}: created, {counts} (",
    )
    assert result.stdout == ""
    hub.heal()
    again = publish(hub, "--models")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == f"space {SPACE}: up to date"


def test_the_timeout_comes_from_govcard_hub_timeout(
    hub: HubServer, project: Path, tmp_path: Path
) -> None:
    """As a user runs it, in its own process: the environment variable sets the timeout, and the
    failure is one line on stderr, without a traceback."""
    hub.fail("info", delay=math.inf)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING", "GOVCARD"))}
    env.update(
        HF_HOME=str(tmp_path / "hf-home"),
        SOURCE_DATE_EPOCH=str(DAY),
        NO_PROXY="127.0.0.1",
        GOVCARD_HUB_TIMEOUT="1",
    )
    args = ["publish", "project.yaml", "--space", SPACE, "--endpoint", hub.url, "--token", TOKEN]
    completed = subprocess.run(
        [sys.executable, "-m", "govcard", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=BOUND_S,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert completed.stderr.splitlines() == [
        f"publish: space {SPACE}: the Hub did not answer within 1 s (--timeout); try again later "
        "or allow more time with --timeout, publishing again is safe"
    ]
    assert completed.stdout == ""


def test_the_timeout_is_in_the_help_with_its_default_and_variable() -> None:
    result = CliRunner().invoke(cli, ["publish", "--help"], terminal_width=200)
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if "--timeout SECONDS" in line)
    assert f"default: {DEFAULT_TIMEOUT_S:g}]" in result.output
    assert "[env var: GOVCARD_HUB_TIMEOUT;" in result.output
    assert "each request" in line


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "1e12", "soon"])
def test_a_timeout_that_is_not_a_sane_number_of_seconds_is_bad_usage(
    hub: HubServer, project: Path, value: str
) -> None:
    result = publish(hub, "--timeout", value)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--timeout'" in result.stderr
    assert "Traceback" not in result.output
    assert hub.requests == []


def test_the_timeout_ends_with_publish(hub: HubServer, project: Path) -> None:
    # huggingface_hub's shared client gets its default back: no timeout, none of govcard's hooks.
    hub.fail("info", delay=math.inf)
    assert publish_in_time(hub, "--timeout", "1").exit_code == 1
    hub.heal()
    assert publish(hub, "--timeout", "1").exit_code == 0
    session = get_session()
    assert session.timeout.read is None
    hooks = [*session.event_hooks["request"], *session.event_hooks["response"]]
    assert [hook for hook in hooks if hook.__module__.startswith("govcard")] == []


@pytest.mark.parametrize("endpoint", SPACE_ENDPOINTS)
def test_a_200_answer_that_is_not_json_is_one_line(
    hub: HubServer, project: Path, endpoint: str
) -> None:
    # A web server that is not a Hub (or a proxy's error page) answers 200 with HTML: this was a
    # 57-line traceback ending in JSONDecodeError.
    hub.fail(endpoint, 200, body=HTML)
    result = publish(hub)
    request = [r for r in hub.requests if r.endpoint == endpoint][-1]
    assert_failed(
        result,
        f"publish: space {SPACE}: the answer to {request.method} {request.path} (200) is not "
        f"JSON; check that --endpoint ({hub.url}) is a Hugging Face Hub, publishing again is safe",
    )
    hub.heal()
    again = publish(hub)
    assert again.exit_code == 0, again.output
    assert hub.files("space", SPACE) == expected_space("site")


@pytest.mark.parametrize(
    ("endpoint", "body", "problem"),
    [
        ("tree", b"", "(200) is empty;"),
        ("info", b"[]", "(200) is not what a Hub answers (TypeError: "),
        ("commit", b"{}", "(200) is not what a Hub answers (KeyError: 'commitUrl');"),
        ("preupload", b"\x1b]0;pwned\x07{", "(200) is not JSON;"),
    ],
)
def test_an_answer_of_another_shape_says_what_it_is(
    hub: HubServer, project: Path, endpoint: str, body: bytes, problem: str
) -> None:
    hub.fail(endpoint, 200, body=body)
    result = publish(hub)
    request = [r for r in hub.requests if r.endpoint == endpoint][-1]
    assert_failed(result, f"the answer to {request.method} {request.path} {problem}")
    assert "\x1b" not in result.output


def test_an_error_page_is_the_error_it_reports(hub: HubServer, project: Path) -> None:
    # huggingface_hub reads validate-yaml's answer as JSON before it looks at the status: a 502
    # page from a proxy is still the Hub failing.
    hub.fail("validate-yaml", 502, body=HTML)
    result = publish(hub)
    assert_failed(
        result, f"publish: space {SPACE}: the Hub failed (502); try again later, publishing again"
    )


def test_an_endpoint_nobody_listens_on_cannot_be_reached(project: Path) -> None:
    with HubServer(TOKEN) as gone:
        pass
    result = publish_in_time(gone, "--timeout", "5")
    assert_failed(
        result,
        f"publish: space {SPACE}: could not reach {gone.url} (ConnectError); check the network "
        "or --endpoint, publishing again is safe",
    )


# What a Hub, a proxy or a broken network can answer instead of the real thing: fail() arguments.
SHAPES = {
    "html": {"status": 200, "body": HTML},
    "empty": {"status": 200, "body": b""},
    "json-list": {"status": 200, "body": b"[]"},
    "json-object": {"status": 200, "body": b"{}"},
    "json-null": {"status": 200, "body": b"null"},
    "json-string": {"status": 200, "body": b'"ok"'},
    "json-number": {"status": 200, "body": b"42"},
    "json-wrong-fields": {
        "status": 200,
        "body": b'{"id": 1, "sha": [], "files": "x", "objects": 1, "commitUrl": null}',
    },
    "json-cut": {"status": 200, "body": b'{"id": "bigcode/gover'},
    "json-list-of-junk": {"status": 200, "body": b'[1, "a", null, {"type": "file"}]'},
    "html-502": {"status": 502, "body": HTML},
    "html-404": {"status": 404, "body": HTML},
    "empty-500": {"status": 500, "body": b""},
    "truncated": {"truncate": True},
    "closed": {"drop": True},
    "reset": {"reset": True},
}


@LFS_UPLOAD_WARNING
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("endpoint", SPACE_ENDPOINTS + LFS_ENDPOINTS)
def test_any_answer_ends_in_one_line_and_publishing_again_converges(
    tiny: Path, monkeypatch: pytest.MonkeyPatch, endpoint: str, shape: str
) -> None:
    """Whatever an endpoint answers, publish succeeds or says what failed in one line (exit 1),
    and once the Hub is healthy again, publishing again gives the Space the built site. The Hub
    keeps binary files in LFS, so the LFS endpoints are called too."""
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    with HubServer(TOKEN, lfs=True) as hub:
        hub.fail(endpoint, **SHAPES[shape])  # type: ignore[arg-type]
        result = publish_in_time(hub)
        assert endpoint in hub.endpoints()
        assert "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit | None), result.exc_info
        if result.exit_code == 0:
            assert result.stderr == ""
        else:
            assert_failed(result, f"publish: space {SPACE}: ")
        hub.heal()
        again = publish(hub)
        assert again.exit_code == 0, again.output
        assert hub.files("space", SPACE) == expected_space("site")


# --- refusals before anything is contacted --------------------------------------------------------


def test_nothing_is_published_when_a_model_card_fails_check(hub: HubServer, write) -> None:
    write(UNLICENSED)
    hub.create_repo("tiny/alpha")
    result = publish(hub, "--models")
    assert_failed(
        result,
        "model cards fail govcard check, nothing was published",
        "tiny/alpha/README.md:1: license-missing",
    )
    assert hub.requests == []


def test_nothing_is_published_when_the_site_does_not_build(
    hub: HubServer, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Facts alone do not break the site (text is escaped, links are http(s) URLs), so the
    # generated MkDocs configuration gets a page that does not exist; strict MkDocs refuses it.
    from govcard import site

    config = site.mkdocs_config

    def broken(derived):
        return {**config(derived), "nav": [*config(derived)["nav"], {"Missing": "missing.md"}]}

    monkeypatch.setattr(site, "mkdocs_config", broken)
    result = publish(hub)
    assert_failed(result, "the site did not build cleanly", "missing.md", code=2)
    assert hub.requests == []


def test_publish_uses_the_template_dir(hub: HubServer, project: Path) -> None:
    Path("templates/site").mkdir(parents=True)
    Path("templates/site/index.md.j2").write_text(
        "# {{ project.name }}, our way\n", encoding="utf-8"
    )
    result = publish(hub, "--template-dir", "templates")
    assert result.exit_code == 0, result.output
    assert b"our way" in hub.files("space", SPACE)["index.html"]


# --- the token ------------------------------------------------------------------------------------


def test_the_token_is_never_printed_or_logged(
    hub: HubServer, project: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("huggingface_hub", "httpx2", "httpcore", "mkdocs"):
        caplog.set_level(logging.DEBUG, logger=name)
    for repo_id in MODEL_REPOS:
        hub.create_repo(repo_id)
    outputs = [publish(hub, "--models").output]
    edit("An open scientific collaboration", "An open collaboration")
    hub.fail("commit", 500)
    outputs.append(publish(hub, "--models").output)
    assert caplog.records
    assert any("HTTP Request" in r.getMessage() for r in caplog.records)
    captured = capfd.readouterr()
    for text in [*outputs, caplog.text, captured.out, captured.err]:
        assert TOKEN not in text
    for record in caplog.records:
        assert TOKEN not in repr(record.args)


def test_publish_contacts_only_the_endpoint(hub: HubServer, project: Path, tmp_path: Path) -> None:
    """Run as a separate process, as a user runs it: huggingface_hub reads its settings at import,
    so this is where `HF_HUB_DISABLE_TELEMETRY` and the default endpoint matter. The default Hub
    (HF_ENDPOINT) is a second loopback server that must receive nothing."""
    with HubServer("another-token") as public:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
        env.update(
            HF_HOME=str(tmp_path / "hf-home"),
            HF_ENDPOINT=public.url,
            SOURCE_DATE_EPOCH=str(DAY),
            NO_PROXY="127.0.0.1",
        )
        args = ["publish", "project.yaml", "--space", SPACE, "--endpoint", hub.url]
        completed = subprocess.run(
            [sys.executable, "-m", "govcard", *args, "--token", TOKEN],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        assert TOKEN not in completed.stdout + completed.stderr
        assert hub.files("space", SPACE) == expected_space("site")
        assert "telemetry" not in hub.endpoints()
        assert [(r.method, r.path) for r in public.requests] == []


# --- a README.md that govcard did not write ---------------------------------------------------------


def test_a_readme_govcard_did_not_write_stops_publishing_before_anything_is_written(
    hub: HubServer, project: Path
) -> None:
    # The third repo refuses: neither the new Space nor the first two model repos are touched.
    hub.create_repo(MODEL_REPOS[0], files={"README.md": OLD_CARD})
    hub.create_repo(MODEL_REPOS[1])
    hub.create_repo(MODEL_REPOS[2], files={"README.md": FOREIGN_CARD, "model.safetensors": WEIGHTS})
    before = {repo_id: hub.files("model", repo_id) for repo_id in MODEL_REPOS}
    result = publish(hub, "--models")
    assert_failed(
        result,
        f"publish: not replacing what govcard did not write: README.md in model "
        f"{MODEL_REPOS[2]}; nothing was published; pass --replace-cards to replace it",
    )
    assert set(hub.endpoints()) == {"info", "tree", "resolve"}
    assert hub.commits == []
    assert ("space", SPACE) not in hub.repos
    assert {repo_id: hub.files("model", repo_id) for repo_id in MODEL_REPOS} == before
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"model {MODEL_REPOS[2]}: 1 to add, 1 to change, 0 unchanged",
        "  add GOVERNANCE.md",
        "  change README.md (not written by govcard: pass --replace-cards to replace it)",
    ]
    assert re.fullmatch(r"    lines: \d+ added, \d+ removed, \d+ kept", lines[3])
    assert lines[4].startswith("    metadata: added ")
    assert lines[5].startswith("    headings: removed ## How to call it; added ## Model summary")
    assert len(lines) == 6


def test_replace_readme_replaces_it_and_keeps_the_other_files(
    hub: HubServer, project: Path
) -> None:
    hub.create_repo(MODEL_REPOS[2], files={"README.md": FOREIGN_CARD, "model.safetensors": WEIGHTS})
    for repo_id in MODEL_REPOS[:2]:
        hub.create_repo(repo_id)
    result = publish(hub, "--models", "--replace-cards")
    assert result.exit_code == 0, result.output
    files = hub.files("model", MODEL_REPOS[2])
    assert sorted(files) == [".gitattributes", "GOVERNANCE.md", "README.md", "model.safetensors"]
    assert files["model.safetensors"] == WEIGHTS
    card = ModelCard(files["README.md"].decode("utf-8"))
    assert card.data.license == "bigcode-openrail-m"
    assert GENERATED_LINE in card.text
    # Now govcard's: the next publish updates it without the flag.
    edit("An open scientific collaboration", "An open collaboration")
    again = publish(hub, "--models")
    assert again.exit_code == 0, again.output
    assert f"model {MODEL_REPOS[2]}: 0 added, 1 changed, 0 deleted (" in again.stdout


HAND_WRITTEN_GOVERNANCE = b"# How we run this model\n\nWritten by hand: our board meets monthly.\n"


def test_a_governance_document_govcard_did_not_write_is_not_replaced(
    hub: HubServer, project: Path
) -> None:
    """A GOVERNANCE.md in a model repo is guarded as its README.md is: a hand-written one stops
    publishing, says how the Governance Card differs, and goes only with --replace-cards."""
    hub.create_repo(MODEL_REPOS[0], files={"README.md": FOREIGN_CARD})
    hub.create_repo(MODEL_REPOS[1], files={"GOVERNANCE.md": HAND_WRITTEN_GOVERNANCE})
    hub.create_repo(MODEL_REPOS[2])
    result = publish(hub, "--models")
    assert_failed(
        result,
        "publish: not replacing what govcard did not write: "
        f"README.md in model {MODEL_REPOS[0]}; GOVERNANCE.md in model {MODEL_REPOS[1]}; "
        "nothing was published; pass --replace-cards to replace them",
    )
    assert hub.commits == []
    lines = result.stdout.splitlines()
    at = lines.index(f"model {MODEL_REPOS[1]}: 1 to add, 1 to change, 0 unchanged")
    assert lines[at + 1 : at + 3] == [
        "  add README.md",
        "  change GOVERNANCE.md (not written by govcard: pass --replace-cards to replace it)",
    ]
    assert re.fullmatch(r"    lines: \d+ added, 2 removed, 1 kept", lines[at + 3])
    # Neither has metadata: the summary says nothing of it.
    assert lines[at + 4].startswith(
        "    headings: removed # How we run this model; added # BigCode Governance Card, "
    )
    replaced = publish(hub, "--models", "--replace-cards")
    assert replaced.exit_code == 0, replaced.output
    governance = hub.files("model", MODEL_REPOS[1])["GOVERNANCE.md"].decode("utf-8")
    assert governance.startswith(GENERATED_LINE)
    # Now govcard's: the next publish updates it without the flag.
    edit("An open scientific collaboration", "An open collaboration")
    again = publish(hub, "--models")
    assert again.exit_code == 0, again.output
    assert f"model {MODEL_REPOS[1]}: 0 added, 1 changed, 0 deleted (" in again.stdout
    governance = hub.files("model", MODEL_REPOS[1])["GOVERNANCE.md"].decode("utf-8")
    assert "An open collaboration" in governance


def test_a_readme_that_already_is_the_card_needs_no_flag(hub: HubServer, project: Path) -> None:
    for repo_id in MODEL_REPOS:
        hub.create_repo(repo_id)
    assert publish(hub, "--models").exit_code == 0
    hub.requests.clear()
    again = publish(hub, "--models", "--dry-run")
    assert again.exit_code == 0, again.output
    assert "resolve" not in hub.endpoints()  # the same blob id: nothing to download
    assert f"model {MODEL_REPOS[0]}: up to date, 3 unchanged\n" in again.stdout  # with its results
    assert again.stdout.count(": up to date, 2 unchanged\n") == len(MODEL_REPOS) - 1


def test_dry_run_shows_the_refusal_too(hub: HubServer, project: Path) -> None:
    hub.create_repo(MODEL_REPOS[0], files={"README.md": FOREIGN_CARD})
    result = publish(hub, "--models", "--dry-run")
    assert_failed(result, f"in model {MODEL_REPOS[0]}; nothing was published")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"space {SPACE}: to create")
    assert (
        "  change README.md (not written by govcard: pass --replace-cards to replace it)" in lines
    )
    assert f"model {MODEL_REPOS[1]}: to create, 2 to add" in lines
    assert hub.commits == []
    assert len(hub.repos) == 1


def test_a_readme_edited_between_reading_and_committing_is_not_overwritten(
    hub: HubServer, project: Path
) -> None:
    # The card was checked as govcard's; someone commits another README.md before govcard's
    # commit: the Hub refuses the commit made on top of the old head (412), nothing is lost.
    hub.create_repo(SPACE, "space", sdk="static")
    hub.create_repo(MODEL_REPOS[0], files={"README.md": OLD_CARD})
    for repo_id in MODEL_REPOS[1:]:
        hub.create_repo(repo_id)
    hub.when(
        "preupload",
        lambda: hub.create_branch(MODEL_REPOS[0], "main", {"README.md": FOREIGN_CARD}),
        skip=1,
    )
    result = publish(hub, "--models")
    assert_failed(
        result,
        f"publish: model {MODEL_REPOS[0]}: the repository changed while publishing, so nothing was "
        "committed to it; publish again",
        f"(already published: space {SPACE}: ",
    )
    assert hub.files("model", MODEL_REPOS[0])["README.md"] == FOREIGN_CARD
    again = publish(hub, "--models")
    assert_failed(
        again, f"not replacing what govcard did not write: README.md in model {MODEL_REPOS[0]};"
    )


def test_a_repo_someone_else_creates_meanwhile_is_not_overwritten(
    hub: HubServer, project: Path
) -> None:
    hub.create_repo(SPACE, "space", sdk="static")
    for repo_id in MODEL_REPOS[:2]:
        hub.create_repo(repo_id)
    hub.when("create", lambda: hub.create_repo(MODEL_REPOS[2], files={"README.md": FOREIGN_CARD}))
    result = publish(hub, "--models")
    assert_failed(
        result,
        f"publish: model {MODEL_REPOS[2]}: created meanwhile by someone else, with README.md "
        "that govcard did not write; publish again to see how it differs (already published: ",
    )
    assert hub.files("model", MODEL_REPOS[2])["README.md"] == FOREIGN_CARD


def test_foreign_text_in_the_summary_cannot_reach_the_terminal(
    hub: HubServer, project: Path
) -> None:
    # YAML's "\e" and "\a" are the escape and bell characters.
    card = b'---\nlicense: mit\n"\\e]0;pwned\\a": 1\n---\n\n# Hi \x1b[2J there\n'
    hub.create_repo(MODEL_REPOS[0], files={"README.md": card})
    result = publish(hub, "--models", "--dry-run")
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "headings: removed # Hi [2J there;" in result.stdout
    assert "; removed ]0;pwned; changed license" in result.stdout


def test_a_readme_with_front_matter_that_is_not_yaml_is_summarised(
    hub: HubServer, project: Path
) -> None:
    hub.create_repo(MODEL_REPOS[0], files={"README.md": b"---\n[unclosed\n---\n\n# Card\n"})
    result = publish(hub, "--models", "--dry-run")
    assert result.exit_code == 1
    assert "    metadata: the current front matter is not a YAML mapping" in result.stdout


# --- dataset repos ----------------------------------------------------------------------------------

DATASET_REPOS = ("bigcode/the-stack", "bigcode/starcoderdata")


def test_publish_datasets_puts_each_card_into_its_dataset_repo(
    hub: HubServer, project: Path
) -> None:
    hub.create_repo(
        DATASET_REPOS[0], "dataset", files={"README.md": OLD_CARD, "data.parquet": b"PAR1"}
    )
    result = publish(hub, "--datasets")
    assert result.exit_code == 0, result.output
    rendered = CliRunner().invoke(cli, ["render", "project.yaml", "-o", "cards"])
    assert rendered.exit_code == 0
    for dataset_id, repo_id in zip(("the-stack", "starcoderdata"), DATASET_REPOS, strict=True):
        files = hub.files("dataset", repo_id)
        card = Path(f"cards/datasets/{dataset_id}/README.md").read_text(encoding="utf-8")
        card = card.replace("](../../GOVERNANCE.md)", "](GOVERNANCE.md)")
        assert files["README.md"].decode("utf-8") == card
        assert "GOVERNANCE.md" in files
        assert f"dataset {repo_id}: " in result.stdout
    assert hub.files("dataset", DATASET_REPOS[0])["data.parquet"] == b"PAR1"
    assert "dataset bigcode/starcoderdata: created, 2 added" in result.stdout
    assert [c.repo_type for c in hub.commits] == ["space", "dataset", "dataset"]
    assert not any(r.path.startswith("/api/models/") for r in hub.requests)


def test_a_dataset_card_govcard_did_not_write_is_refused_too(hub: HubServer, project: Path) -> None:
    hub.create_repo(DATASET_REPOS[1], "dataset", files={"README.md": FOREIGN_CARD})
    result = publish(hub, "--datasets")
    assert_failed(result, f"in dataset {DATASET_REPOS[1]}; nothing was published")
    assert hub.commits == []
    assert publish(hub, "--datasets", "--replace-cards").exit_code == 0
    assert GENERATED_LINE.encode() in hub.files("dataset", DATASET_REPOS[1])["README.md"]


def test_a_dataset_without_a_hub_id_is_skipped_with_a_note(hub: HubServer, project: Path) -> None:
    edit("    hub_id: bigcode/the-stack\n", "")
    result = publish(hub, "--datasets")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "dataset the-stack: skipped, its facts give no hub_id"
    assert {(c.repo_type, c.repo_id) for c in hub.commits} == {
        ("space", SPACE),
        ("dataset", DATASET_REPOS[1]),
    }


# --- how govcard knows its own cards ----------------------------------------------------------------


def test_every_card_carries_the_generated_line(project: Path) -> None:
    """Model and dataset cards under their metadata, the Governance Card at its top."""
    outputs = render.render(derive.derive(loader.load("project.yaml")))
    cards = [path for path in outputs if path.endswith("/README.md")]
    assert len(cards) == len(MODEL_REPOS) + len(DATASET_REPOS)
    for path in cards:
        card = outputs[path]
        head, body = render.split_front_matter(card)
        assert body.startswith(f"\n{GENERATED_LINE}\n\n# "), path
        assert render.is_generated(card)
        assert ModelCard(card).data.to_dict() == yaml.safe_load(head.strip("-\n"))
    governance = outputs[render.GOVERNANCE_CARD]
    assert governance.startswith(f"{GENERATED_LINE}\n\n# ")
    assert render.is_generated(governance)


def test_a_user_template_cannot_drop_the_generated_line(project: Path) -> None:
    Path("templates").mkdir()
    Path("templates/model_card.md.j2").write_text(
        "---\n{{ front_matter }}---\n\n# {{ model.name }}, our way\n", encoding="utf-8"
    )
    outputs = render.render(derive.derive(loader.load("project.yaml")), Path("templates"))
    assert render.is_generated(outputs["models/starcoder/README.md"])


@pytest.mark.parametrize(
    ("card", "generated"),
    [
        (f"---\nlicense: mit\n---\n\n{GENERATED_LINE}\n\n# A\n", True),
        (f"---\r\nlicense: mit\r\n---\r\n\r\n{GENERATED_LINE}\r\n\r\n# A\r\n", True),
        (f"{GENERATED_LINE}\n\n# A card without metadata\n", True),
        ("---\nlicense: mit\n---\n\n# A\n", False),
        (f"---\nlicense: mit\n---\n\n# A\n\n```\n{GENERATED_LINE}\n```\n", False),
        (f"---\nnote: '{GENERATED_LINE}'\n---\n\n# A\n", False),
        ("", False),
    ],
    ids=["lf", "crlf", "no-metadata", "hand-written", "quoted", "in-metadata", "empty"],
)
def test_a_card_is_govcards_when_the_generated_line_follows_its_metadata(
    card: str, generated: bool
) -> None:
    assert render.is_generated(card) is generated

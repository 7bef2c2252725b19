"""`govcard check --base-card hub:ORG/NAME[@REVISION]` against a loopback Hub (tests/hubserver.py).

Each test runs govcard as a separate process, as a user runs it: huggingface_hub reads HF_HOME,
HF_ENDPOINT and HF_HUB_OFFLINE once, at import. Every test has its own Hugging Face home (the
cache and the stored token) and points HF_ENDPOINT at a loopback address, so no test reaches the
Hugging Face Hub or reads the cache of the user running the tests.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from hubserver import HubServer
from support import govcard_bounded

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cards"
TOKEN = "hf_GovcardHubCardToken5d1f0b7a93c2"
PARENT = "acme/acmecoder"
PARENT_CARD = (FIXTURES / "parent" / "README.md").read_bytes()
INSTEAD = "download the parent's README.md and give it as --base-card PATH"
DROPS = "derivative-license-drops-restrictions"


@pytest.fixture(autouse=True)
def hf_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean Hugging Face environment for the child process: its own home (so an empty cache
    and no stored token), no HF_* setting of the user's, no telemetry; returns the home."""
    for name in list(os.environ):
        if name.startswith(("HF_", "HUGGING", "GOVCARD_")) or name == "TRANSFORMERS_OFFLINE":
            monkeypatch.delenv(name)
    home = tmp_path / "hf-home"
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    # Never the Hugging Face Hub: a test that needs no server still points at the loopback.
    monkeypatch.setenv("HF_ENDPOINT", closed_endpoint())
    return home


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch):
    """A loopback Hub with the parent model's repo, as HF_ENDPOINT; it stops after the test."""
    with HubServer(TOKEN) as server:
        server.create_repo(PARENT, files={"README.md": PARENT_CARD})
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


@pytest.fixture
def child(workdir: Path) -> str:
    """A derivative's card that does not name its parent and drops the parent's OpenRAIL
    license for apache-2.0: only --base-card tells the check it is a derivative."""
    text = (FIXTURES / "child-complete" / "README.md").read_text(encoding="utf-8")
    Path("child.md").write_text(
        text.replace("license: bigcode-openrail-m", "license: apache-2.0"), encoding="utf-8"
    )
    return "child.md"


def closed_endpoint() -> str:
    """A loopback address where nothing listens (a port just freed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def check(*args: str) -> subprocess.CompletedProcess[str]:
    """`govcard check ARGS --format json` in a child process."""
    return govcard_bounded("check", *args, "--format", "json")


def rules(completed: subprocess.CompletedProcess[str]) -> list[str]:
    """The rules of the findings of a check that ran (exit 0 or 1)."""
    assert completed.returncode in (0, 1), completed.stderr
    assert completed.stderr == ""
    report = json.loads(completed.stdout)
    return [f["rule"] for file in report["files"] for f in file["findings"]]


def failure(completed: subprocess.CompletedProcess[str]) -> str:
    """The one line of a check that could not start (exit 2), without its newline."""
    assert completed.returncode == 2, (completed.stdout, completed.stderr)
    assert completed.stdout == ""
    assert "Traceback" not in completed.stderr
    assert completed.stderr.endswith("\n") and completed.stderr.count("\n") == 1, completed.stderr
    return completed.stderr[:-1]


def cached(home: Path, repo_id: str = PARENT) -> list[str]:
    """The README.md snapshots of a repo in the Hugging Face cache under `home`."""
    folder = home / "hub" / f"models--{repo_id.replace('/', '--')}" / "snapshots"
    return sorted(p.parent.name for p in folder.glob("*/README.md"))


# --- fetching the parent's card ------------------------------------------------------------------


def test_the_parent_card_from_the_hub_makes_the_card_a_derivative(
    hub: HubServer, child: str, hf_env: Path
) -> None:
    assert DROPS not in rules(check(child))
    completed = check(child, "--base-card", f"hub:{PARENT}")
    assert completed.returncode == 1
    report = json.loads(completed.stdout)
    [finding] = [f for f in report["files"][0]["findings"] if f["rule"] == DROPS]
    assert finding["severity"] == "error"
    # The parent is named as given, not by its path in the cache.
    assert finding["message"].startswith(
        f"derivative of the model of hub:{PARENT} (bigcode-openrail-m, found in --base-card) "
        "is licensed apache-2.0"
    )
    # The HEAD govcard makes first, then hf_hub_download's HEAD and GET, all to HF_ENDPOINT.
    assert [(r.method, r.path) for r in hub.requests] == [
        ("HEAD", f"/{PARENT}/resolve/main/README.md"),
        ("HEAD", f"/{PARENT}/resolve/main/README.md"),
        ("GET", f"/{PARENT}/resolve/main/README.md"),
    ]
    assert cached(hf_env) == [hub.repo("model", PARENT).heads["main"]]


def test_the_text_report_names_the_hub_repo(hub: HubServer, child: str) -> None:
    text = govcard_bounded("check", child, "--base-card", f"hub:{PARENT}")
    assert text.returncode == 1, text.stderr
    assert f"derivative of the model of hub:{PARENT} (bigcode-openrail-m" in text.stdout
    assert "hf-home" not in text.stdout


def test_endpoint_option_wins_over_hf_endpoint(hub: HubServer, child: str, monkeypatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_endpoint())
    completed = check(child, "--base-card", f"hub:{PARENT}", "--endpoint", hub.url)
    assert DROPS in rules(completed)
    assert hub.endpoints() == ["resolve"] * 3


def test_endpoint_option_is_the_one_contacted(hub: HubServer, child: str) -> None:
    dead = closed_endpoint()
    line = failure(check(child, "--base-card", f"hub:{PARENT}", "--endpoint", dead + "/"))
    assert line == (
        f"--base-card hub:{PARENT}: cannot fetch its README.md from {dead} "
        f"(connection refused); {INSTEAD}"
    )
    assert hub.requests == []


def test_a_revision_after_at(hub: HubServer, child: str, hf_env: Path) -> None:
    # On the branch v1, the parent was apache-2.0 too: the child keeps its license.
    relicensed = PARENT_CARD.replace(b"license: bigcode-openrail-m", b"license: apache-2.0")
    commit = hub.create_branch(PARENT, "v1", {"README.md": relicensed})
    assert DROPS not in rules(check(child, "--base-card", f"hub:{PARENT}@v1"))
    assert {r.path for r in hub.requests} == {f"/{PARENT}/resolve/v1/README.md"}
    assert DROPS not in rules(check(child, "--base-card", f"hub:{PARENT}@{commit}"))
    assert DROPS in rules(check(child, "--base-card", f"hub:{PARENT}"))
    assert cached(hf_env) == sorted([commit, hub.repo("model", PARENT).heads["main"]])
    line = failure(check(child, "--base-card", f"hub:{PARENT}@v2"))
    assert line == (
        f"--base-card hub:{PARENT}@v2: cannot fetch its README.md from {hub.url} "
        f"(the repository has no such revision); {INSTEAD}"
    )


# --- the token ------------------------------------------------------------------------------------


def test_the_token_from_hf_token_opens_a_private_repo(
    hub: HubServer, child: str, monkeypatch
) -> None:
    hub.create_repo("acme/private-coder", files={"README.md": PARENT_CARD}, private=True)
    spec = "hub:acme/private-coder"
    line = failure(check(child, "--base-card", spec))
    assert line == (
        f"--base-card {spec}: cannot fetch its README.md from {hub.url} (no such model "
        "repository, or a private one: check the id, or set HF_TOKEN or log in with "
        f"`hf auth login`); {INSTEAD}"
    )
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    completed = check(child, "--base-card", spec)
    assert DROPS in rules(completed)
    assert TOKEN not in completed.stdout


def test_the_stored_token_is_sent(hub: HubServer, child: str, hf_env: Path) -> None:
    hub.create_repo("acme/private-coder", files={"README.md": PARENT_CARD}, private=True)
    hf_env.mkdir(parents=True, exist_ok=True)
    (hf_env / "token").write_text(TOKEN, encoding="utf-8")
    assert DROPS in rules(check(child, "--base-card", "hub:acme/private-coder"))


def test_a_wrong_token_is_refused(hub: HubServer, child: str, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_not_the_token")
    line = failure(check(child, "--base-card", f"hub:{PARENT}"))
    assert "(the token was refused (401): check HF_TOKEN or the stored login)" in line
    assert "hf_not_the_token" not in line


def test_a_gated_repo(hub: HubServer, child: str, monkeypatch) -> None:
    hub.create_repo("acme/gated-coder", files={"README.md": PARENT_CARD}, gated=True)
    hub.create_repo(
        "acme/closed-coder", files={"README.md": PARENT_CARD}, gated=True, granted=False
    )
    line = failure(check(child, "--base-card", "hub:acme/gated-coder"))
    assert line == (
        f"--base-card hub:acme/gated-coder: cannot fetch its README.md from {hub.url} (a gated "
        "model: set HF_TOKEN or log in with `hf auth login` with an account that has access "
        f"(401)); {INSTEAD}"
    )
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert DROPS in rules(check(child, "--base-card", "hub:acme/gated-coder"))
    line = failure(check(child, "--base-card", "hub:acme/closed-coder"))
    assert "(a gated model: this token's account has not been granted access (403))" in line


# --- the cache and offline use --------------------------------------------------------------------


def test_a_cached_card_serves_offline(hub: HubServer, child: str, monkeypatch) -> None:
    assert DROPS in rules(check(child, "--base-card", f"hub:{PARENT}"))
    before = len(hub.requests)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert DROPS in rules(check(child, "--base-card", f"hub:{PARENT}"))
    assert len(hub.requests) == before


def test_a_cached_card_serves_when_the_hub_is_down(hub: HubServer, child: str, monkeypatch) -> None:
    assert DROPS in rules(check(child, "--base-card", f"hub:{PARENT}"))
    monkeypatch.setenv("HF_ENDPOINT", closed_endpoint())
    assert DROPS in rules(check(child, "--base-card", f"hub:{PARENT}"))


def test_a_cached_card_is_checked_again_online(hub: HubServer, child: str) -> None:
    """A new commit on the branch is fetched: the cache does not hide it."""
    assert DROPS in rules(check(child, "--base-card", f"hub:{PARENT}"))
    relicensed = PARENT_CARD.replace(b"license: bigcode-openrail-m", b"license: apache-2.0")
    hub.create_branch(PARENT, "main", {"README.md": relicensed})
    assert DROPS not in rules(check(child, "--base-card", f"hub:{PARENT}"))


def test_offline_without_a_cached_card(hub: HubServer, child: str, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    line = failure(check(child, "--base-card", f"hub:{PARENT}"))
    assert line == (
        f"--base-card hub:{PARENT}: cannot fetch its README.md (HF_HUB_OFFLINE is set and the "
        f"Hugging Face cache has no copy of it); {INSTEAD}"
    )
    assert hub.requests == []


# --- what cannot be fetched -----------------------------------------------------------------------


def test_the_hub_is_down(child: str) -> None:
    endpoint = os.environ["HF_ENDPOINT"]
    line = failure(check(child, "--base-card", "hub:meta-llama/Llama-2-7b-hf"))
    assert line == (
        f"--base-card hub:meta-llama/Llama-2-7b-hf: cannot fetch its README.md from {endpoint} "
        f"(connection refused); {INSTEAD}"
    )


def test_no_such_repo(hub: HubServer, child: str) -> None:
    line = failure(check(child, "--base-card", "hub:acme/no-such-model"))
    assert line.startswith(
        f"--base-card hub:acme/no-such-model: cannot fetch its README.md from {hub.url} "
        "(no such model repository, or a private one"
    )
    assert line.endswith(INSTEAD)


def test_a_repo_without_a_readme(hub: HubServer, child: str) -> None:
    hub.create_repo("acme/weights-only", files={"model.safetensors": b"\x00weights"})
    line = failure(check(child, "--base-card", "hub:acme/weights-only"))
    assert line == (
        f"--base-card hub:acme/weights-only: cannot fetch its README.md from {hub.url} "
        f"(the repository has no README.md); {INSTEAD}"
    )


def test_the_hub_fails_once_without_retries(hub: HubServer, child: str) -> None:
    hub.fail("resolve", 503)
    line = failure(check(child, "--base-card", f"hub:{PARENT}"))
    assert "(the Hub failed (503); try again later)" in line
    # huggingface_hub's download would try again 5 times, waiting 23 s: govcard asks once.
    assert hub.endpoints() == ["resolve"]


def test_the_hub_does_not_answer_in_time(hub: HubServer, child: str) -> None:
    hub.fail("resolve", delay=math.inf)
    line = failure(check(child, "--base-card", f"hub:{PARENT}", "--timeout", "0.5"))
    assert line == (
        f"--base-card hub:{PARENT}: cannot fetch its README.md from {hub.url} "
        f"(no answer within 0.5 s, see --timeout); {INSTEAD}"
    )
    assert hub.endpoints() == ["resolve"]


def test_the_timeout_from_the_environment(hub: HubServer, child: str, monkeypatch) -> None:
    hub.fail("resolve", delay=math.inf)
    monkeypatch.setenv("GOVCARD_HUB_TIMEOUT", "0.5")
    assert "(no answer within 0.5 s, see --timeout)" in failure(
        check(child, "--base-card", f"hub:{PARENT}")
    )


def test_an_endpoint_that_is_not_a_hub(hub: HubServer, child: str) -> None:
    # An answer without X-Repo-Commit: a web server, a proxy's page.
    hub.fail("resolve", 200, body=b"<html>Welcome</html>")
    line = failure(check(child, "--base-card", f"hub:{PARENT}"))
    assert "(the answer does not come from a Hugging Face Hub, check --endpoint)" in line


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("hub:", "no repository id"),
        ("hub:acme/", "Repo id must use alphanumeric chars"),
        (
            "hub:acme/coder/extra",
            "Repo id must be in the form 'repo_name' or 'namespace/repo_name'",
        ),
        ("hub:acme/co--der", "Cannot have -- or .. in repo_id"),
        ("hub:acme/coder@", "no revision after @"),
        ("hub:acme/coder@a b", "is not a git revision"),
    ],
)
def test_a_spec_that_is_no_hub_model_id(child: str, spec: str, reason: str) -> None:
    line = failure(check(child, "--base-card", spec))
    assert line.startswith(f"--base-card {spec}: ")
    assert reason in line
    assert line.endswith("give a Hub model id as hub:ORG/NAME or hub:ORG/NAME@REVISION")


def test_a_local_file_is_still_read_as_a_file(child: str) -> None:
    shutil.copytree(FIXTURES / "parent", "parent")
    completed = govcard_bounded("check", child, "--base-card", "parent/README.md")
    assert completed.returncode == 1
    assert "derivative of the model of parent/README.md (bigcode-openrail-m" in completed.stdout


def test_check_imports_no_hub_client_without_a_hub_spec(child: str) -> None:
    import sys

    from support import SOURCE

    code = (
        "import sys\n"
        "from govcard.cli import main\n"
        "sys.argv = ['govcard', 'check', 'child.md']\n"
        "try:\n    main()\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('huggingface_hub', 'httpx2')))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": SOURCE},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # The card was checked (its License section still names the parent's license, which the
    # metadata no longer does), and no Hub client was imported to do it.
    lines = completed.stdout.splitlines()
    assert lines[-2].startswith("1 card checked: 0 errors"), completed.stderr
    assert lines[-1] == "[]", completed.stderr

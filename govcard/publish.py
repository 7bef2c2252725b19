"""`govcard publish`: the site to a static Space and the model cards to their repos, on the Hub.

Everything goes through huggingface_hub's `HfApi` with the given endpoint. The site is one atomic
commit (`create_commit`) that adds and updates only the files whose content differs from the
Space's and deletes the files the site no longer has, so running it again converges to the same
remote state and moves nothing when nothing changed. Nothing is published unless the site builds
cleanly and every model card passes `govcard check`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcard import render
from govcard.derive import Derived
from govcard.errors import GovcardError

DEFAULT_ENDPOINT = "https://huggingface.co"
# Files of a Space that the site does not own.
KEEP_REMOTE = {".gitattributes"}


class PublishError(GovcardError):
    """A refusal or failure while publishing: the command ran and could not finish."""

    exit_code = 1


@dataclass
class Target:
    """One repository and the files govcard puts into it."""

    repo_id: str
    repo_type: str
    files: dict[str, bytes]
    delete_stale: bool
    """Delete remote files that are not in `files` (the Space); model repos keep their weights."""


@dataclass
class Outcome:
    """What publishing did to one repository."""

    repo_id: str
    repo_type: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    url: str | None = None

    def summary(self) -> str:
        """One line for the user."""
        kind = "space" if self.repo_type == "space" else "model"
        if not (self.added or self.changed or self.deleted):
            return f"{kind} {self.repo_id}: up to date"
        counts = (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.deleted)} deleted"
        )
        return f"{kind} {self.repo_id}: {counts}" + (f" ({self.url})" if self.url else "")


def git_blob_id(data: bytes) -> str:
    """The git blob id of some content, as the Hub reports it for each file of a repo."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def space_readme(derived: Derived) -> str:
    """The Space's README.md: static SDK metadata (made with huggingface_hub) and a short text."""
    from huggingface_hub import SpaceCardData

    project = derived.project.facts.project
    licenses = sorted({v.license.id for v in derived.models if v.license is not None})
    data = SpaceCardData(
        title=f"{project.name} governance",
        sdk="static",
        app_file="index.html",
        tags=["governance", "model-card", "govcard", *licenses],
        emoji="📜",
        colorFrom="blue",
        colorTo="green",
        pinned=False,
    )
    return (
        f"---\n{render.metadata_yaml(data.to_dict())}---\n\n"  # type: ignore[no-untyped-call]
        f"# {project.name} governance\n\n"
        "The Governance Card, model cards and carbon footprint of the project, built by govcard.\n"
    )


def targets(
    derived: Derived,
    site_dir: Path,
    space: str,
    models: bool,
    endpoint: str,
    template_dir: Path | None = None,
) -> list[Target]:
    """The Space with the built site, and with `models` each model repo with its card."""
    files = {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for path in sorted(site_dir.rglob("*"))
        if path.is_file()
    }
    files["README.md"] = space_readme(derived).encode("utf-8")
    result = [Target(space, "space", files, delete_stale=True)]
    if models:
        # In a model repo, the Governance Card sits beside the card and links the other models'
        # repos on the Hub (or their pages in the Space when they have no repo).
        links = {
            v.model.id: f"{endpoint}/{v.model.hub_id}"
            if v.model.hub_id
            else f"{endpoint}/spaces/{space}"
            for v in derived.models
        }
        outputs = render.render(
            derived, template_dir, governance_link="GOVERNANCE.md", model_links=links
        )
        governance = outputs[render.GOVERNANCE_CARD].encode("utf-8")
        for view in derived.models:
            if view.model.hub_id is None:
                continue
            card = outputs[render.MODEL_CARD_PATH.format(id=view.model.id)].encode("utf-8")
            result.append(
                Target(
                    view.model.hub_id,
                    "model",
                    {"README.md": card, "GOVERNANCE.md": governance},
                    delete_stale=False,
                )
            )
    return result


def check_cards(targets_: list[Target]) -> None:
    """Refuse to publish model cards that do not pass `govcard check`."""
    from govcard import check

    problems = []
    for target in targets_:
        if target.repo_type != "model":
            continue
        result = check.check_text(
            target.files["README.md"].decode("utf-8"),
            f"{target.repo_id}/README.md",
            check.Options(),
        )
        problems += [
            f"{result.path}:{f.line}: {f.rule}: {f.message}"
            for f in result.findings
            if f.severity == "error"
        ]
    if problems:
        raise PublishError.at(
            "publish",
            "model cards fail govcard check, nothing was published: " + "; ".join(problems),
        )


def dry_run(targets_: list[Target], endpoint: str) -> list[str]:
    """What publishing would do, worked out without contacting the Hub."""
    lines = []
    for target in targets_:
        kind = "space" if target.repo_type == "space" else "model"
        if target.repo_type == "space":
            lines.append(
                f"would create {kind} {target.repo_id} on {endpoint} if missing (sdk: static, app_file: index.html)"
            )
        else:
            lines.append(
                f"would update {kind} {target.repo_id} on {endpoint} (the repo must exist)"
            )
        lines.append(f"  would add or change, where the content differs: {len(target.files)} files")
        lines.extend(f"    {path}" for path in sorted(target.files))
        if target.delete_stale:
            lines.append("  would delete every other file of the Space except .gitattributes")
    lines.append("dry run: nothing was contacted or changed")
    return lines


def publish(
    targets_: list[Target], endpoint: str, token: str | None, create_pr: bool
) -> list[Outcome]:
    """Create the Space if missing and commit each target's changed and stale files, atomically."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, constants
    from huggingface_hub.hf_api import RepoFile
    from huggingface_hub.utils import disable_progress_bars  # type: ignore[attr-defined]

    # huggingface_hub reads HF_HUB_DISABLE_TELEMETRY once, at import; without it, requests fetch an
    # agent registry from the default endpoint. Publishing talks to --endpoint only, and its
    # output is a line per repository, without progress bars.
    constants.HF_HUB_DISABLE_TELEMETRY = True
    disable_progress_bars()
    # huggingface_hub logs each retry as a warning; a failure is reported once, by govcard.
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)

    api = HfApi(endpoint=endpoint, token=token)
    outcomes: list[Outcome] = []
    for target in targets_:
        outcome = Outcome(target.repo_id, target.repo_type)
        published = "; ".join(o.summary() for o in outcomes)
        done = f" (already published: {published})" if published else ""
        what = f"{target.repo_type} {target.repo_id}"
        with _hub_errors(what, endpoint, token, done):
            # Asking first spares a token that may not create repos: huggingface_hub 2.4's
            # create_repo(exist_ok=True) mishandles a refusal on a custom endpoint.
            if target.repo_type == "space" and not api.repo_exists(
                target.repo_id, repo_type="space"
            ):
                api.create_repo(
                    target.repo_id, repo_type="space", space_sdk="static", exist_ok=True
                )
            remote = {
                item.path: item.lfs.sha256 if item.lfs else item.blob_id
                for item in api.list_repo_tree(
                    target.repo_id, repo_type=target.repo_type, recursive=target.delete_stale
                )
                if isinstance(item, RepoFile)
            }
            operations: list[Any] = []
            for path, data in sorted(target.files.items()):
                if remote.get(path) in (git_blob_id(data), hashlib.sha256(data).hexdigest()):
                    continue
                (outcome.changed if path in remote else outcome.added).append(path)
                operations.append(CommitOperationAdd(path_in_repo=path, path_or_fileobj=data))
            if target.delete_stale:
                outcome.deleted = sorted(set(remote) - set(target.files) - KEEP_REMOTE)
                operations += [CommitOperationDelete(path_in_repo=path) for path in outcome.deleted]
            if operations:
                info = api.create_commit(
                    target.repo_id,
                    operations,
                    commit_message="Update governance documentation (govcard)",
                    repo_type=target.repo_type,
                    create_pr=create_pr,
                )
                outcome.url = str(info.pr_url or info.commit_url)
        outcomes.append(outcome)
    return outcomes


@contextmanager
def _hub_errors(what: str, endpoint: str, token: str | None, done: str = "") -> Iterator[None]:
    """Turn huggingface_hub and network errors into one line that says what to do; `done` says
    what was published before the failure."""
    from huggingface_hub.errors import HfHubHTTPError

    again = "publishing again is safe"
    try:
        yield
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        advice = {
            401: "authentication failed: pass --token, set HF_TOKEN or log in with `hf auth login`",
            403: "permission denied: use a token with write access to this repository",
            404: "not found: check the repository id and --endpoint (model repos must exist)",
        }.get(status)
        if advice is None:
            advice = (
                f"the Hub failed ({status}); try again later, {again}"
                if status >= 500
                else f"the Hub refused the request ({status})"
            )
        raise PublishError.at("publish", _hide(f"{what}: {advice}{done}", token)) from None
    except RuntimeError as exc:
        cause = exc.__cause__
        if isinstance(cause, HfHubHTTPError) and cause.response is not None:
            status = cause.response.status_code
            message = f"{what}: uploading a file failed ({status}); try again later, {again}"
            raise PublishError.at("publish", _hide(message + done, token)) from None
        raise
    except ValueError as exc:
        if "metadata" not in str(exc).lower():
            raise
        message = f"{what}: the Hub rejected the card metadata: {' '.join(str(exc).split())[:200]}"
        raise PublishError.at("publish", _hide(message + done, token)) from None
    except (OSError, TimeoutError) as exc:
        message = f"{what}: could not reach {endpoint} ({type(exc).__name__}); check the network or --endpoint, {again}"
        raise PublishError.at("publish", _hide(message + done, token)) from None
    except Exception as exc:
        if not type(exc).__module__.startswith(("httpx", "httpcore")):
            raise
        message = f"{what}: could not reach {endpoint} ({type(exc).__name__}); check the network or --endpoint, {again}"
        raise PublishError.at("publish", _hide(message + done, token)) from None


def _hide(message: str, token: str | None) -> str:
    return message.replace(token, "***") if token else message


def build_and_publish(
    derived: Derived,
    space: str,
    models: bool,
    endpoint: str | None,
    token: str | None,
    dry: bool,
    create_pr: bool,
    template_dir: Path | None = None,
) -> list[str]:
    """Build the site, check the cards, then publish (or say what would be published)."""
    from govcard import site

    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    with tempfile.TemporaryDirectory(prefix="govcard-publish-") as tmp:
        built = Path(tmp) / "site"
        source = Path(tmp) / "source"
        site.generate(derived, source, template_dir)
        site.build_site(source, built)
        plan = targets(derived, built, space, models, endpoint, template_dir)
        check_cards(plan)
        if dry:
            return dry_run(plan, endpoint)
        return [outcome.summary() for outcome in publish(plan, endpoint, token, create_pr)]

"""`govcard publish`: the site to a static Space and the model cards to their repos, on the Hub.

Everything goes through huggingface_hub's `HfApi` with the given endpoint. The site is one atomic
commit (`create_commit`) that adds and updates only the files whose content differs from the
Space's and deletes the files the site no longer has, so running it again converges to the same
remote state and moves nothing when nothing changed. Nothing is published unless the site builds
cleanly and every model card passes `govcard check`.

Every HTTP request huggingface_hub makes while publishing waits at most `timeout` seconds to
connect, to send, for each read of the answer and for a free connection (`hub_timeout`). Any
failure, whatever the Hub answers or does not answer, ends as one line that says what was already
published (`_hub_errors`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govcard.errors import GovcardError

if TYPE_CHECKING:
    from huggingface_hub import HfApi

    from govcard.derive import Derived

# The rendering modules are imported where they are used: `govcard check --base-card hub:...`
# shares `hub_timeout` and should not pay for them.

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_TIMEOUT_S = 60.0
# A day: sockets overflow on much larger timeouts.
MAX_TIMEOUT_S = 86_400.0
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
class LastAnswer:
    """The last answer received from the Hub: which request, and its status (0: none yet)."""

    method: str = ""
    path: str = ""
    status: int = 0


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

    from govcard import render

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
    """The Space with the built site, and with `models` each model repo with its card. The
    marker that says govcard wrote the local folder (`.govcard.json`) stays local."""
    from govcard import render
    from govcard.output import MARKER

    files = {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for path in sorted(site_dir.rglob("*"))
        if path.is_file() and path != site_dir / MARKER
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
        count = len(target.files)
        files = f"{count} file{'' if count == 1 else 's'}"
        lines.append(f"  would add or change, where the content differs: {files}")
        lines.extend(f"    {path}" for path in sorted(target.files))
        if target.delete_stale:
            lines.append("  would delete every other file of the Space except .gitattributes")
    lines.append("dry run: nothing was contacted or changed")
    return lines


def quiet_hub() -> None:
    """huggingface_hub as govcard uses it (publish, check --base-card hub:...): talking to the
    given endpoint only, without progress bars or warnings of its own."""
    from huggingface_hub import constants
    from huggingface_hub.utils import disable_progress_bars  # type: ignore[attr-defined]

    # huggingface_hub reads HF_HUB_DISABLE_TELEMETRY once, at import; without it, requests fetch an
    # agent registry from the default endpoint. govcard talks to --endpoint only, and its
    # output is a line per repository or per finding, without progress bars.
    constants.HF_HUB_DISABLE_TELEMETRY = True
    disable_progress_bars()
    # huggingface_hub logs each retry as a warning; a failure is reported once, by govcard.
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)


@contextmanager
def hub_timeout(seconds: float) -> Iterator[LastAnswer]:
    """Bound every HTTP request huggingface_hub makes inside the block to `seconds` (connect,
    send, each read of the answer, wait for a free connection).

    huggingface_hub sends every request through one shared httpx client made by a factory that
    `set_client_factory` replaces; its default client has no timeout. A client timeout alone is not
    enough: huggingface_hub passes `timeout=None` explicitly on some calls (repo info, the tree
    listing), which in httpx means "no timeout" for that request. So the client made here also
    sets the bound on each request it sends, in a request event hook. A response hook keeps the
    last answer (yielded), which names the request when an answer cannot be read. On leaving,
    huggingface_hub's default factory is back (and the bounded client closed).
    """
    import httpx2
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils import _http

    if not 0 < seconds <= MAX_TIMEOUT_S:
        raise ValueError(
            f"a timeout must be above 0 and at most {MAX_TIMEOUT_S:g} s, not {seconds}"
        )
    bound = httpx2.Timeout(seconds)
    # huggingface_hub's own factory adds its request hook (offline mode, request ids, debug log).
    default: Callable[[], httpx2.Client] = getattr(
        _http, "default_client_factory", lambda: httpx2.Client(follow_redirects=True)
    )

    last = LastAnswer()

    def bound_request(request: httpx2.Request) -> None:
        request.extensions["timeout"] = bound.as_dict()

    def remember(response: httpx2.Response) -> None:
        last.method, last.path = response.request.method, response.request.url.path
        last.status = response.status_code

    def factory() -> httpx2.Client:
        client = default()
        client.timeout = bound
        hooks = client.event_hooks
        client.event_hooks = {
            "request": [*hooks.get("request", []), bound_request],
            "response": [*hooks.get("response", []), remember],
        }
        return client

    set_client_factory(factory)
    try:
        yield last
    finally:
        set_client_factory(default)


def publish(
    targets_: list[Target],
    endpoint: str,
    token: str | None,
    create_pr: bool,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> list[Outcome]:
    """Create the Space if missing and commit each target's changed and stale files, atomically,
    with every request to the Hub bounded by `timeout` seconds."""
    from huggingface_hub import HfApi

    quiet_hub()
    api = HfApi(endpoint=endpoint, token=token)
    outcomes: list[Outcome] = []
    with hub_timeout(timeout) as last:
        for target in targets_:
            outcome = _publish_one(api, target, endpoint, token, create_pr, timeout, last, outcomes)
            outcomes.append(outcome)
    return outcomes


def _publish_one(
    api: HfApi,
    target: Target,
    endpoint: str,
    token: str | None,
    create_pr: bool,
    timeout: float,
    last: LastAnswer,
    outcomes: list[Outcome],
) -> Outcome:
    """Publish one target; a failure names the `outcomes` already published."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete
    from huggingface_hub.hf_api import RepoFile

    outcome = Outcome(target.repo_id, target.repo_type)
    published = "; ".join(o.summary() for o in outcomes)
    done = f" (already published: {published})" if published else ""
    what = f"{target.repo_type} {target.repo_id}"
    with _hub_errors(what, endpoint, token, done, timeout, last):
        # Asking first spares a token that may not create repos: huggingface_hub 2.4's
        # create_repo(exist_ok=True) mishandles a refusal on a custom endpoint.
        if target.repo_type == "space" and not api.repo_exists(target.repo_id, repo_type="space"):
            api.create_repo(target.repo_id, repo_type="space", space_sdk="static", exist_ok=True)
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
    return outcome


@contextmanager
def _hub_errors(
    what: str,
    endpoint: str,
    token: str | None,
    done: str = "",
    timeout: float = DEFAULT_TIMEOUT_S,
    last: LastAnswer | None = None,
) -> Iterator[None]:
    """Turn whatever goes wrong while talking to the Hub into one line that says what to do: an
    error status, no answer in time, a network error, or an answer that cannot be read (not JSON,
    JSON of another shape). `done` says what was published before the failure; `last` is the last
    answer received, to name the request whose answer could not be read."""
    try:
        yield
    except Exception as exc:
        message = f"{what}: {_explain(exc, endpoint, timeout, last)}{done}"
        raise PublishError.at("publish", _hide(message, token)) from None


def _explain(exc: Exception, endpoint: str, timeout: float, last: LastAnswer | None) -> str:
    """What went wrong and what to do, for `_hub_errors`."""
    import json

    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    again = "publishing again is safe"
    # huggingface_hub wraps a failed upload in RuntimeError (its cause is the real error).
    chain: list[BaseException] = [exc]
    while (cause := chain[-1].__cause__) is not None and len(chain) < 10:
        chain.append(cause)
    for error in chain:
        if isinstance(error, HfHubHTTPError) and error.response is not None:
            status = error.response.status_code
            if error is not exc:
                return f"uploading a file failed ({status}); try again later, {again}"
            return _status_advice(status)
        if isinstance(error, httpx2.TimeoutException | TimeoutError):
            return (
                f"the Hub did not answer within {timeout:g} s (--timeout); try again later "
                f"or allow more time with --timeout, {again}"
            )
        if isinstance(error, httpx2.ConnectError | httpx2.UnsupportedProtocol | OSError):
            return (
                f"could not reach {endpoint} ({type(error).__name__}); check the network or "
                f"--endpoint, {again}"
            )
        if isinstance(error, httpx2.TransportError):
            return (
                f"lost the connection to {endpoint} ({type(error).__name__}); check the network "
                f"or --endpoint, {again}"
            )
        if isinstance(error, ValueError) and "metadata" in str(error).lower():
            return f"the Hub rejected the card metadata: {_printable(str(error), 200)}"
    # Anything else is an answer huggingface_hub could not use: not JSON, JSON of another shape.
    # (It reads some answers before it looks at their status: an error page is such an answer.)
    if last is not None and last.status >= 400:
        return _status_advice(last.status)
    decoding = next((e for e in chain if isinstance(e, json.JSONDecodeError)), None)
    if decoding is not None:
        problem = "is empty" if not decoding.doc.strip() else "is not JSON"
    else:
        problem = f"is not what a Hub answers ({_printable(f'{type(exc).__name__}: {exc}', 120)})"
    answer = "the answer"
    if last is not None and last.status:
        answer = f"the answer to {_printable(f'{last.method} {last.path}', 120)} ({last.status})"
    return f"{answer} {problem}; check that --endpoint ({endpoint}) is a Hugging Face Hub, {again}"


def _status_advice(status: int) -> str:
    """What an HTTP error status means for the user."""
    advice = {
        401: "authentication failed: pass --token, set HF_TOKEN or log in with `hf auth login`",
        403: "permission denied: use a token with write access to this repository",
        404: "not found: check the repository id and --endpoint (model repos must exist)",
    }.get(status)
    if advice is not None:
        return advice
    if status >= 500:
        return f"the Hub failed ({status}); try again later, publishing again is safe"
    return f"the Hub refused the request ({status})"


def _printable(text: str, limit: int) -> str:
    """`text` on one line, without control characters (a body or a message can hold terminal
    escape sequences), at most `limit` characters."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    timeout: float = DEFAULT_TIMEOUT_S,
) -> list[str]:
    """Build the site, check the cards, then publish (or say what would be published), waiting at
    most `timeout` seconds for each request to the Hub."""
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
        outcomes = publish(plan, endpoint, token, create_pr, timeout)
        return [outcome.summary() for outcome in outcomes]

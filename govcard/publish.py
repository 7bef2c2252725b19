"""`govcard publish`: the site to a static Space, and the model and dataset cards to their repos,
on the Hub.

Everything goes through huggingface_hub's `HfApi` with the given endpoint. Publishing first reads
every target repo (its head commit and files), and only when none of them refuses does it write:
each repo gets one atomic commit (`create_commit`, on top of the head commit it read) that adds and
updates only the files whose content differs and, in the Space, deletes the files the site no
longer has; so running it again converges to the same remote state and moves nothing when nothing
changed. A model or dataset repo's README.md or GOVERNANCE.md that govcard did not write
(`render.is_generated`) is replaced only when asked (`replace_cards`); otherwise publishing stops
before writing anything and says how each such file differs from what govcard would write. Nothing is published unless the site builds cleanly
and every model card passes `govcard check`. A dry run reads the repos the same way and writes
nothing.

Every HTTP request huggingface_hub makes while publishing waits at most `timeout` seconds to
connect, to send, for each read of the answer and for a free connection (`hub_timeout`). Any
failure, whatever the Hub answers or does not answer, ends as one line that says what was already
published (`_hub_errors`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govcard.errors import GovcardError, Problem, printable

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
# The files of a model or dataset repo that someone may have written by hand.
GUARDED = ("README.md", "GOVERNANCE.md")


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
    owned: frozenset[str] = frozenset()
    """Files govcard writes into a repo that keeps the others: deleted when the facts no longer
    give them (a model's `.eval_results/govcard.yaml`, never the results others added)."""

    @property
    def guarded(self) -> tuple[str, ...]:
        """The files that stop publishing when govcard did not write them: the cards of a model
        or dataset repo (the Space is govcard's)."""
        return () if self.repo_type == "space" else GUARDED

    @property
    def name(self) -> str:
        """`model org/name`, as the output names it."""
        return f"{self.repo_type} {self.repo_id}"


@dataclass
class Remote:
    """A repository as publishing found it on the Hub."""

    exists: bool
    head: str | None = None
    """The commit the files were read at; publishing commits on top of it or not at all."""
    files: dict[str, str] = field(default_factory=dict)
    """Path -> the git blob id, or for a file in LFS its sha256."""
    guarded: dict[str, str] = field(default_factory=dict)
    """The guarded files (`Target.guarded`) that govcard would change, as the repo holds them."""


@dataclass
class Plan:
    """What publishing one target changes in its repository."""

    target: Target
    remote: Remote
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def foreign(self) -> list[str]:
        """The guarded files it replaces that govcard did not write."""
        from govcard import render

        return [
            path
            for path, text in self.remote.guarded.items()
            if path in self.changed and not render.is_generated(text)
        ]

    def operations(self) -> list[Any]:
        """The commit's operations: add the added and changed files, delete the deleted ones."""
        from huggingface_hub import CommitOperationAdd, CommitOperationDelete

        files = self.target.files
        adds = [
            CommitOperationAdd(path_in_repo=path, path_or_fileobj=files[path])
            for path in sorted(self.added + self.changed)
        ]
        return adds + [CommitOperationDelete(path_in_repo=path) for path in self.deleted]


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
    created: bool = False

    def summary(self) -> str:
        """One line for the user."""
        what = f"{self.repo_type} {self.repo_id}: " + ("created, " if self.created else "")
        if not (self.added or self.changed or self.deleted):
            return what + "up to date"
        counts = (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.deleted)} deleted"
        )
        return what + counts + (f" ({self.url})" if self.url else "")


class Refusal(PublishError):
    """Publishing stopped before writing anything; `report` says what it would have done (the
    lines the CLI prints on stdout before the one-line error)."""

    def __init__(self, message: str, report: list[str]) -> None:
        super().__init__([Problem("publish", 0, 0, message)])
        self.report = report


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
    datasets: bool = False,
) -> list[Target]:
    """The Space with the built site; with `models` each model repo with its card, and with
    `datasets` each dataset repo with its card, beside the Governance Card (models and datasets
    without a Hub id have no repo: see `skipped`). The marker that says govcard wrote the local
    folder (`.govcard.json`) stays local."""
    from govcard import render
    from govcard.output import MARKER

    files = {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for path in sorted(site_dir.rglob("*"))
        if path.is_file() and path != site_dir / MARKER
    }
    files["README.md"] = space_readme(derived).encode("utf-8")
    result = [Target(space, "space", files, delete_stale=True)]
    if not (models or datasets):
        return result
    # In a model or dataset repo, the Governance Card sits beside the card and links the models'
    # repos on the Hub (or their pages in the Space when they have no repo).
    links = {
        v.model.id: f"{endpoint}/{v.model.hub_id}"
        if v.model.hub_id
        else f"{endpoint}/spaces/{space}"
        for v in derived.models
    }
    outputs = render.render(
        derived, template_dir, governance_link=render.GOVERNANCE_CARD, model_links=links
    )
    governance = outputs[render.GOVERNANCE_CARD].encode("utf-8")
    # Each card's repo, the card's path in the output, and the output's other files for the repo.
    cards: list[tuple[str, str | None, str, dict[str, str]]] = []
    results = f".eval_results/{render.EVAL_RESULTS_FILE}"
    if models:
        cards += [
            (
                "model",
                v.model.hub_id,
                render.MODEL_CARD_PATH.format(id=v.model.id),
                {results: render.EVAL_RESULTS_PATH.format(id=v.model.id)},
            )
            for v in derived.models
        ]
    if datasets:
        cards += [
            ("dataset", d.hub_id, f"datasets/{d.id}/README.md", {})
            for d in derived.project.facts.datasets
        ]
    for repo_type, hub_id, card, beside in cards:
        if hub_id is not None:
            repo_files = {
                "README.md": outputs[card].encode("utf-8"),
                render.GOVERNANCE_CARD: governance,
            }
            for path, rendered in beside.items():
                if rendered in outputs:
                    repo_files[path] = outputs[rendered].encode("utf-8")
            result.append(
                Target(hub_id, repo_type, repo_files, delete_stale=False, owned=frozenset(beside))
            )
    return result


def skipped(derived: Derived, models: bool, datasets: bool) -> list[str]:
    """A line for each model (with `models`) and dataset (with `datasets`) that has no Hub id,
    so no repo to publish to."""
    lines = []
    if models:
        lines += [
            f"model {v.model.id}: skipped, its facts give no hub_id"
            for v in derived.models
            if v.model.hub_id is None
        ]
    if datasets:
        lines += [
            f"dataset {d.id}: skipped, its facts give no hub_id"
            for d in derived.project.facts.datasets
            if d.hub_id is None
        ]
    return lines


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


# Files of the built site that MkDocs and its theme generate, by kind: a dry run counts them in
# one line instead of listing each (the pages, the chart and README.md are listed).
SITE_ASSETS = {
    "search/": "search index",
    "assets/javascripts/": "JavaScript",
    "assets/stylesheets/": "CSS",
    "assets/fonts/": "fonts",
    "assets/images/": "images",
    "sitemap.xml": "sitemap",
}


def site_asset(path: str) -> str | None:
    """The kind of generated site asset `path` is (`SITE_ASSETS`), or None for a page."""
    return next((kind for prefix, kind in SITE_ASSETS.items() if path.startswith(prefix)), None)


def describe(plans: list[Plan], replace_cards: bool) -> list[str]:
    """What publishing does to each repository, file by file (the Space's generated assets in one
    line); a card that govcard did not write with how govcard's differs from it."""
    lines = []
    for plan in plans:
        target = plan.target
        lines.append(_headline(plan))
        assets: dict[str, list[str]] = {}
        moves = (("add", plan.added), ("change", plan.changed), ("delete", plan.deleted))
        for verb, paths in moves:
            for path in paths:
                kind = site_asset(path) if target.repo_type == "space" else None
                if kind is not None:
                    assets.setdefault(kind, []).append(verb)
                    continue
                line = f"  {verb} {printable(path)}"
                if path in plan.foreign:
                    how = (
                        "replaced, as --replace-cards asks"
                        if replace_cards
                        else "pass --replace-cards to replace it"
                    )
                    lines.append(f"{line} (not written by govcard: {how})")
                    card = target.files[path].decode("utf-8")
                    lines += [
                        f"    {change}" for change in card_changes(plan.remote.guarded[path], card)
                    ]
                else:
                    lines.append(line)
        if assets:
            verbs = [verb for kind in assets.values() for verb in kind]
            counts = ", ".join(f"{verbs.count(v)} to {v}" for v, _ in moves if v in verbs)
            kinds = ", ".join(kind for kind in SITE_ASSETS.values() if kind in assets)
            lines.append(f"  site assets ({kinds}): {counts}")
    return lines


def _headline(plan: Plan) -> str:
    """`model org/name: 1 to add, 1 to change, 0 unchanged`, for `describe`."""
    target = plan.target
    if not plan.remote.exists:
        sdk = " (sdk: static)" if target.repo_type == "space" else ""
        return f"{target.name}: to create{sdk}, {len(plan.added)} to add"
    if not (plan.added or plan.changed or plan.deleted):
        return f"{target.name}: up to date, {len(plan.unchanged)} unchanged"
    counts = f"{len(plan.added)} to add, {len(plan.changed)} to change"
    if target.delete_stale:
        counts += f", {len(plan.deleted)} to delete"
    return f"{target.name}: {counts}, {len(plan.unchanged)} unchanged"


def card_changes(old: str, new: str, shown: int = 3) -> list[str]:
    """How replacing the card `old` with govcard's `new` changes it, in at most three short
    lines: lines added and removed, metadata keys (when either has metadata), and headings (the
    first `shown` of each)."""
    import difflib

    old_lines, new_lines = old.splitlines(), new.splitlines()
    added = removed = kept = 0
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            kept += i2 - i1
        else:
            removed += i2 - i1
            added += j2 - j1
    lines = [f"lines: {added} added, {removed} removed, {kept} kept"]
    old_meta, new_meta = _metadata(old), _metadata(new)
    if old_meta == new_meta == {}:
        pass  # a Governance Card and its hand-written predecessor: no metadata to compare
    elif old_meta is None:
        lines.append("metadata: the current front matter is not a YAML mapping")
    else:
        assert new_meta is not None
        parts = [
            _listed(label, keys, shown)
            for label, keys in (
                ("added", [k for k in new_meta if k not in old_meta]),
                ("removed", [k for k in old_meta if k not in new_meta]),
                ("changed", [k for k in new_meta if k in old_meta and old_meta[k] != new_meta[k]]),
            )
            if keys
        ]
        lines.append("metadata: " + ("; ".join(parts) if parts else "the same"))
    old_heads, new_heads = _headings(old), _headings(new)
    parts = [
        _listed(label, heads, shown)
        for label, heads in (
            ("removed", [h for h in old_heads if h not in new_heads]),
            ("added", [h for h in new_heads if h not in old_heads]),
        )
        if heads
    ]
    lines.append("headings: " + ("; ".join(parts) if parts else "the same"))
    return lines


def _metadata(card: str) -> dict[str, Any] | None:
    """A card's front matter as a mapping ({} without one), or None when it is not one."""
    import yaml

    from govcard import render

    head = render.split_front_matter(card.replace("\r\n", "\n"))[0]
    if not head:
        return {}
    try:
        data = yaml.load(
            head.strip().strip("-"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except yaml.YAMLError:
        return None
    if data is None:
        return {}
    return {str(key): value for key, value in data.items()} if isinstance(data, dict) else None


def _headings(card: str) -> list[str]:
    """The Markdown headings of a card's text (`## Use`), outside code blocks."""
    from govcard import render

    body = render.split_front_matter(card.replace("\r\n", "\n"))[1]
    headings, fence = [], ""
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = "" if fence == marker else fence or marker
        elif not fence and re.match(r"#{1,6}\s", stripped):
            headings.append(" ".join(stripped.rstrip("#").split()))
    return headings


def _listed(label: str, items: list[str], shown: int) -> str:
    """`added a, b, c (and 2 more)`, each item on one line and short."""
    names = ", ".join(_printable(item, 60) for item in items[:shown])
    more = f" (and {len(items) - shown} more)" if len(items) > shown else ""
    return f"{label} {names}{more}"


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
    replace_cards: bool = False,
    dry: bool = False,
) -> list[str]:
    """Read every target repo, then, unless one refuses or `dry`, create the missing ones and
    commit each target's changed and stale files, atomically; every request to the Hub is bounded
    by `timeout` seconds. Returns a line per repo (with `dry`, what would be done, file by file).

    A guarded file that govcard did not write refuses (`Refusal`, nothing written) unless
    `replace_cards`."""
    from huggingface_hub import HfApi

    quiet_hub()
    api = HfApi(endpoint=endpoint, token=token)
    with (
        tempfile.TemporaryDirectory(prefix="govcard-cards-") as downloads,
        hub_timeout(timeout) as last,
    ):
        hub = _Hub(api, endpoint, token, timeout, last, Path(downloads))
        plans = []
        for target in targets_:
            with hub.errors(target.name):
                plans.append(_plan(target, hub.read(target)))
        foreign = [] if replace_cards else [p for p in plans if p.foreign]
        if foreign:
            names = "; ".join(f"{', '.join(p.foreign)} in {p.target.name}" for p in foreign)
            them = "it" if sum(len(p.foreign) for p in foreign) == 1 else "them"
            raise Refusal(
                f"not replacing what govcard did not write: {names}; nothing was published; "
                f"pass --replace-cards to replace {them}",
                describe(plans if dry else foreign, replace_cards),
            )
        if dry:
            return [*describe(plans, replace_cards), f"dry run: nothing was changed on {endpoint}"]
        outcomes: list[Outcome] = []
        for plan in plans:
            outcomes.append(hub.commit(plan, create_pr, replace_cards, outcomes))
    return [outcome.summary() for outcome in outcomes]


@dataclass
class _Hub:
    """The Hub as one publish talks to it."""

    api: HfApi
    endpoint: str
    token: str | None
    timeout: float
    last: LastAnswer
    downloads: Path
    """Where guarded files are downloaded to (not the Hugging Face cache)."""

    def errors(self, what: str, done: str = "") -> AbstractContextManager[None]:
        """`_hub_errors` for this Hub."""
        return _hub_errors(what, self.endpoint, self.token, done, self.timeout, self.last)

    def read(self, target: Target) -> Remote:
        """The target's repo: whether it exists, its head commit, its files, and the guarded
        files that govcard would change."""
        from huggingface_hub.errors import RepositoryNotFoundError
        from huggingface_hub.hf_api import RepoFile, RepoFolder

        try:
            info = self.api.repo_info(target.repo_id, repo_type=target.repo_type)
        except RepositoryNotFoundError:
            return Remote(exists=False)

        def listed(folder: str | None = None) -> list[Any]:
            return list(
                self.api.list_repo_tree(
                    target.repo_id,
                    path_in_repo=folder,
                    repo_type=target.repo_type,
                    revision=info.sha,
                    recursive=target.delete_stale,
                )
            )

        tree = listed()
        if not target.delete_stale:
            # A model repo is listed at its top only (it may hold thousands of files), and in
            # the folders govcard writes into (.eval_results/).
            folders = {p.rsplit("/", 1)[0] for p in {*target.files, *target.owned} if "/" in p}
            for item in list(tree):
                if isinstance(item, RepoFolder) and item.path in folders:
                    tree += listed(item.path)
        files = {
            item.path: item.lfs.sha256 if item.lfs else item.blob_id
            for item in tree
            if isinstance(item, RepoFile)
        }
        remote = Remote(exists=True, head=info.sha, files=files)
        for name in target.guarded:
            ours = target.files.get(name)
            theirs = files.get(name)
            if ours is not None and theirs and not _same(theirs, ours):
                path = self.api.hf_hub_download(
                    target.repo_id,
                    name,
                    repo_type=target.repo_type,
                    revision=info.sha,
                    cache_dir=self.downloads,
                )
                assert isinstance(path, str)  # not huggingface_hub's dry run
                remote.guarded[name] = Path(path).read_bytes().decode("utf-8", "replace")
        return remote

    def commit(
        self, plan: Plan, create_pr: bool, replace_cards: bool, outcomes: list[Outcome]
    ) -> Outcome:
        """Create the plan's repo if it is missing, then commit its changes on top of the head
        commit that was read; a failure names the `outcomes` already published."""
        target = plan.target
        outcome = Outcome(target.repo_id, target.repo_type, created=not plan.remote.exists)
        published = "; ".join(o.summary() for o in outcomes)
        done = f" (already published: {published})" if published else ""
        with self.errors(target.name, done):
            if not plan.remote.exists:
                # Asking first (`read`) spares a token that may not create repos: huggingface_hub
                # 2.4's create_repo(exist_ok=True) mishandles a refusal on a custom endpoint.
                sdk = "static" if target.repo_type == "space" else None
                self.api.create_repo(
                    target.repo_id, repo_type=target.repo_type, space_sdk=sdk, exist_ok=True
                )
                # The Hub puts files into a new repo (.gitattributes; a Space's README.md), and
                # someone may have created it meanwhile.
                plan = _plan(target, self.read(target))
                if plan.foreign and not replace_cards:
                    raise PublishError.at(
                        "publish",
                        f"{target.name}: created meanwhile by someone else, with "
                        f"{' and '.join(plan.foreign)} that govcard did not write; publish again "
                        f"to see how it differs{done}",
                    )
            outcome.added, outcome.changed, outcome.deleted = plan.added, plan.changed, plan.deleted
            operations = plan.operations()
            if operations:
                info = self.api.create_commit(
                    target.repo_id,
                    operations,
                    commit_message="Update governance documentation (govcard)",
                    repo_type=target.repo_type,
                    create_pr=create_pr,
                    parent_commit=plan.remote.head,
                )
                outcome.url = str(info.pr_url or info.commit_url)
        return outcome


def _same(remote_id: str | None, data: bytes) -> bool:
    """Whether a file the Hub lists (by git blob id, or sha256 in LFS) holds `data`."""
    return remote_id in (git_blob_id(data), hashlib.sha256(data).hexdigest())


def _plan(target: Target, remote: Remote) -> Plan:
    """Which of the target's files are added, changed, unchanged, and deleted (stale, in the
    Space), against what the repo holds."""
    plan = Plan(target, remote)
    for path, data in sorted(target.files.items()):
        if path not in remote.files:
            plan.added.append(path)
        elif _same(remote.files[path], data):
            plan.unchanged.append(path)
        else:
            plan.changed.append(path)
    if target.delete_stale:
        plan.deleted = sorted(set(remote.files) - set(target.files) - KEEP_REMOTE)
    else:
        plan.deleted = sorted((target.owned & set(remote.files)) - set(target.files))
    return plan


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
    except PublishError:
        raise
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
        404: "not found: check the repository id and --endpoint",
        412: "the repository changed while publishing, so nothing was committed to it; "
        "publish again",
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
    datasets: bool = False,
    replace_cards: bool = False,
) -> list[str]:
    """Build the site, check the cards, then publish (or say what would be published), waiting at
    most `timeout` seconds for each request to the Hub. The lines to print: a note for each model
    or dataset without a Hub id, then a line per repo (file by file for a dry run)."""
    from govcard import site

    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    with tempfile.TemporaryDirectory(prefix="govcard-publish-") as tmp:
        built = Path(tmp) / "site"
        source = Path(tmp) / "source"
        site.generate(derived, source, template_dir)
        site.build_site(source, built)
        plan = targets(derived, built, space, models, endpoint, template_dir, datasets)
        check_cards(plan)
        notes = skipped(derived, models, datasets)
        try:
            return notes + publish(plan, endpoint, token, create_pr, timeout, replace_cards, dry)
        except Refusal as refusal:
            refusal.report[:0] = notes
            raise

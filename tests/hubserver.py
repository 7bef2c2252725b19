"""A loopback stand-in for the Hugging Face Hub's HTTP API, for the publishing tests.

It speaks the endpoints huggingface_hub 2.x calls to create a repo and commit to it: repo create,
repo info, tree listing, validate-yaml, preupload, commit (ndjson; with a `parentCommit` that is
no longer the branch's head it answers 412, as the Hub does), the LFS batch API and the
agent-harness registry the client fetches for telemetry; and those `hf_hub_download` calls to
download a file: `HEAD` and `GET /[spaces/|datasets/]ORG/NAME/resolve/REVISION/PATH` ("resolve").
Every revision may be a branch, a pull request ref or a commit id. It keeps each repo's files (path -> bytes, per
branch and pull request ref), a log of every request and a log of the commits, requires
`Authorization: Bearer <token>` on every request but the public ones (the registry, presigned LFS
upload URLs, downloads from repos that are neither private nor gated), and can be told to
misbehave on an endpoint: answer another status, or any body (HTML, empty, JSON of the wrong
shape) with any status, send only part of the answer, close or reset the connection without
answering, or answer late or never (see `fail`).

    with HubServer(token="hf_x") as hub:
        hub.create_repo("org/model", files={"model.safetensors": b"..."})
        ...  # point HfApi(endpoint=hub.url, token="hf_x") at it
        hub.files("space", "org/site")

A download answers as the Hub does: the file with `X-Repo-Commit` (the commit of the revision),
`ETag` (the git blob id, or for a file in LFS the sha256, also as `X-Linked-Etag` with
`X-Linked-Size`) and `Content-Length`, for `HEAD` without the body; 404 with `X-Error-Code`
RepoNotFound, RevisionNotFound or EntryNotFound (the last with `X-Repo-Commit`, which
huggingface_hub caches); for a private repo without the token 401 RepoNotFound, for a gated repo
401 GatedRepo without the token and 403 GatedRepo with it when access was not granted; and 401
"Invalid credentials" for a wrong token, whatever the repo.

Only 127.0.0.1 is bound; `stop()` (or leaving the `with` block) shuts it down and joins its thread.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import http.server
import json
import math
import re
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

REPO_TYPES = {"models": "model", "spaces": "space", "datasets": "dataset"}
URL_PREFIXES = {"model": "", "space": "spaces/", "dataset": "datasets/"}
# A subset of the .gitattributes the Hub puts into a new repo: the files it stores in LFS.
LFS_PATTERNS = ("*.bin", "*.gz", "*.pt", "*.safetensors", "*.tar", "*.zip", "*.zst")
GITATTRIBUTES = b"".join(
    f"{pattern} filter=lfs diff=lfs merge=lfs -text\n".encode() for pattern in LFS_PATTERNS
)
LFS_MIN_SIZE = 10 * 1024 * 1024
# Answered without a token: the registry is public, and an LFS upload URL is presigned. A download
# ("resolve") checks the token itself: public repos need none.
PUBLIC = {"telemetry", "lfs-upload"}
TIMEOUT_S = 10.0

_NAME = r"([A-Za-z0-9][\w.-]*)"
# A file of a repo at a revision, as hf_hub_download asks for it (HEAD, then GET).
_RESOLVE = re.compile(rf"/(?:(spaces|datasets)/)?{_NAME}/{_NAME}/resolve/([^/]+)/(.+)")
ROUTES = [
    ("create", "POST", re.compile(r"/api/repos/create")),
    ("validate-yaml", "POST", re.compile(r"/api/validate-yaml")),
    ("telemetry", "GET", re.compile(r"/api/agent-harnesses")),
    (
        "tree",
        "GET",
        re.compile(rf"/api/(models|spaces|datasets)/{_NAME}/{_NAME}/tree/([^/]+)(?:/(.+))?"),
    ),
    (
        "preupload",
        "POST",
        re.compile(rf"/api/(models|spaces|datasets)/{_NAME}/{_NAME}/preupload/([^/]+)"),
    ),
    (
        "commit",
        "POST",
        re.compile(rf"/api/(models|spaces|datasets)/{_NAME}/{_NAME}/commit/([^/]+)"),
    ),
    (
        "info",
        "GET",
        re.compile(rf"/api/(models|spaces|datasets)/{_NAME}/{_NAME}(?:/revision/([^/]+))?"),
    ),
    (
        "lfs-batch",
        "POST",
        re.compile(rf"/(?:(spaces|datasets)/)?{_NAME}/{_NAME}\.git/info/lfs/objects/batch"),
    ),
    ("lfs-upload", "PUT", re.compile(r"/lfs-upload/([0-9a-f]{64})")),
    ("resolve", "HEAD", _RESOLVE),
    ("resolve", "GET", _RESOLVE),
]


def git_blob_id(data: bytes) -> str:
    """The git blob id of some content: what the Hub reports as a file's `oid`."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def lfs_pointer(data: bytes) -> bytes:
    """The Git LFS pointer file that git stores in place of an LFS file."""
    sha = hashlib.sha256(data).hexdigest()
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {len(data)}\n".encode()
    )


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str
    endpoint: str
    query: dict[str, str]


@dataclass
class Commit:
    """One commit made through the commit endpoint."""

    repo_type: str
    repo_id: str
    revision: str
    summary: str
    added: list[str]
    changed: list[str]
    deleted: list[str]
    unchanged: list[str]
    pr_num: int | None = None
    parent_commit: str | None = None
    """The head commit the client said it committed on top of, if it said."""


@dataclass
class Failure:
    """What to answer instead of the real thing, `times` times (None: every time), once `skip`
    requests to the endpoint have been answered normally. See `HubServer.fail`."""

    status: int | None
    body: bytes | None
    drop: bool
    reset: bool
    truncate: bool
    delay: float | None
    after: bool
    times: int | None
    skip: int = 0


@dataclass
class Repo:
    """A repo's files at each branch or pull request ref, which of them are in LFS, and heads."""

    repo_type: str
    repo_id: str
    sdk: str | None
    refs: dict[str, dict[str, bytes]] = field(default_factory=lambda: {"main": {}})
    lfs: dict[str, set[str]] = field(default_factory=lambda: {"main": set()})
    heads: dict[str, str] = field(default_factory=lambda: {"main": "0" * 40})
    pull_requests: int = 0
    private: bool = False
    gated: bool = False
    granted: bool = True
    """For a gated repo: whether the token's user was granted access."""


class _Drop(Exception):
    """Close the connection without answering."""


class _Reset(Exception):
    """Reset the connection (TCP RST) without answering."""


class _Answer(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


@dataclass
class _File:
    """A file to send as it is (a download), with its headers."""

    data: bytes
    headers: dict[str, str]


class HubServer:
    """The loopback Hub. `url` is its endpoint; the logs are `requests` and `commits`."""

    def __init__(self, token: str, *, lfs: bool = False, page_size: int = 1000) -> None:
        """`lfs`: keep binary files, files of 10 MB or more and the .gitattributes LFS patterns in
        LFS, as the Hub does (off: every file is a regular git file). `page_size`: tree entries
        per page (the Hub's is 1000)."""
        self.token = token
        self.lfs = lfs
        self.page_size = page_size
        self.repos: dict[tuple[str, str], Repo] = {}
        self.requests: list[Request] = []
        self.commits: list[Commit] = []
        self.lfs_store: dict[str, bytes] = {}
        self.failures: dict[str, Failure] = {}
        self.actions: dict[str, tuple[int, Callable[[], object]]] = {}
        self.lock = threading.Lock()
        # Set by `stop()`: a request told to wait (`fail(..., delay=...)`) stops waiting.
        self.stopping = threading.Event()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> HubServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(TIMEOUT_S)

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what a test sets up and looks at ---------------------------------------------------

    def create_repo(
        self,
        repo_id: str,
        repo_type: str = "model",
        files: dict[str, bytes] | None = None,
        sdk: str | None = None,
        *,
        private: bool = False,
        gated: bool = False,
        granted: bool = True,
    ) -> Repo:
        """A repo as the Hub creates it (.gitattributes; a Space also gets a README.md), plus `files`.
        Its files download without the token unless it is `private` or `gated` (with the token, a
        gated repo's files download if access was `granted`)."""
        with self.lock:
            repo = self._create(repo_type, repo_id, sdk, files or {})
            repo.private, repo.gated, repo.granted = private, gated, granted
            return repo

    def create_branch(
        self, repo_id: str, branch: str, files: dict[str, bytes], repo_type: str = "model"
    ) -> str:
        """Another branch (or tag) of an existing repo with these files (beside .gitattributes);
        returns its commit id."""
        with self.lock:
            repo = self.repos[(repo_type, repo_id)]
            repo.refs[branch] = {".gitattributes": GITATTRIBUTES, **files}
            repo.lfs[branch] = {path for path, data in files.items() if self._is_lfs(path, data)}
            for path in repo.lfs[branch]:
                self.lfs_store[hashlib.sha256(files[path]).hexdigest()] = files[path]
            head = hashlib.sha1(repr((branch, sorted(files.items()))).encode()).hexdigest()
            repo.heads[branch] = head
            return head

    def fail(
        self,
        endpoint: str,
        status: int | None = None,
        *,
        body: bytes | None = None,
        drop: bool = False,
        reset: bool = False,
        truncate: bool = False,
        delay: float | None = None,
        after: bool = False,
        times: int | None = None,
        skip: int = 0,
    ) -> None:
        """Misbehave on `endpoint`, in one of these ways:

        - `status`: answer it, with `body` (sent as it is: HTML, empty, any JSON) or else a JSON
          error (`fail("tree", 500)`, `fail("commit", 200, body=b"<html>")`);
        - `drop`: close the connection without answering;
        - `reset`: reset the connection (TCP RST) without answering;
        - `truncate`: send the real answer's status and headers but only half its body, then
          close (the request has taken effect);
        - `delay`: answer late, after `delay` seconds, or never with `math.inf` (the connection
          stays open, silent, until the server stops).

        With `after`, the request takes effect first. It happens `times` times (None: every time),
        once the first `skip` requests to the endpoint have been answered normally."""
        assert endpoint in {name for name, _, _ in ROUTES}, endpoint
        assert body is None or status is not None, "a body goes with a status"
        modes = [status is not None, drop, reset, truncate, delay is not None]
        assert sum(modes) == 1, "one way of failing at a time"
        assert delay is None or delay > 0
        self.failures[endpoint] = Failure(
            status, body, drop, reset, truncate, delay, after, times, skip
        )

    def when(self, endpoint: str, action: Callable[[], object], *, skip: int = 0) -> None:
        """Run `action` once, before answering a request to `endpoint`, once the first `skip`
        requests to it have been answered: what someone else does on the Hub meanwhile
        (`when("preupload", lambda: hub.create_branch(...))`)."""
        assert endpoint in {name for name, _, _ in ROUTES}, endpoint
        self.actions[endpoint] = (skip, action)

    def heal(self) -> None:
        """Stop failing."""
        with self.lock:
            self.failures.clear()

    def _take_failure(self, endpoint: str) -> Failure | None:
        """The failure for this request to `endpoint`, if any, counting it (under the lock)."""
        failure = self.failures.get(endpoint)
        if failure is None:
            return None
        if failure.skip > 0:
            failure.skip -= 1
            return None
        if failure.times is not None:
            failure.times -= 1
            if failure.times <= 0:
                del self.failures[endpoint]
        return failure

    def _take_action(self, endpoint: str) -> Callable[[], object] | None:
        """The action to run before answering this request to `endpoint`, if any, counting the
        request (under the lock)."""
        if endpoint not in self.actions:
            return None
        skip, action = self.actions.pop(endpoint)
        if skip > 0:
            self.actions[endpoint] = (skip - 1, action)
            return None
        return action

    def wait(self, delay: float) -> bool:
        """Wait `delay` seconds (math.inf: until the server stops); False when it stops."""
        return not self.stopping.wait(None if math.isinf(delay) else delay)

    def repo(self, repo_type: str, repo_id: str) -> Repo:
        return self.repos[(repo_type, repo_id)]

    def files(self, repo_type: str, repo_id: str, revision: str = "main") -> dict[str, bytes]:
        """The repo's files at a branch or ref, by path."""
        with self.lock:
            return dict(self.repos[(repo_type, repo_id)].refs[revision])

    def endpoints(self) -> list[str]:
        """The endpoint of each request, in order."""
        return [request.endpoint for request in self.requests]

    # --- the API ------------------------------------------------------------------------------

    def _create(
        self, repo_type: str, repo_id: str, sdk: str | None, files: dict[str, bytes]
    ) -> Repo:
        repo = Repo(repo_type, repo_id, sdk)
        main = repo.refs["main"]
        main[".gitattributes"] = GITATTRIBUTES
        if repo_type == "space":
            title = repo_id.split("/")[1]
            main["README.md"] = (
                f"---\ntitle: {title}\nemoji: 🚀\ncolorFrom: gray\ncolorTo: blue\nsdk: {sdk}\n"
                f"pinned: false\n---\n\nCheck out the configuration reference at "
                "https://huggingface.co/docs/hub/spaces-config-reference\n"
            ).encode()
        for path, data in files.items():
            main[path] = data
            if self._is_lfs(path, data):
                repo.lfs["main"].add(path)
                self.lfs_store[hashlib.sha256(data).hexdigest()] = data
        repo.heads["main"] = hashlib.sha1(repr(sorted(main.items())).encode()).hexdigest()
        self.repos[(repo_type, repo_id)] = repo
        return repo

    def _is_lfs(self, path: str, data: bytes) -> bool:
        if not self.lfs:
            return False
        name = path.rsplit("/", 1)[-1]
        return (
            any(fnmatch.fnmatch(name, pattern) for pattern in LFS_PATTERNS)
            or len(data) >= LFS_MIN_SIZE
            or b"\x00" in data[:512]
        )

    def _find(self, kind: str, namespace: str, name: str) -> Repo:
        repo = self.repos.get((REPO_TYPES[kind], f"{namespace}/{name}"))
        if repo is None:
            raise _Answer(
                404,
                {"error": "Repository not found"},
                {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"},
            )
        return repo

    def _ref(self, repo: Repo, quoted: str) -> str:
        """The branch or ref a revision names: itself, or the ref whose head commit it is."""
        revision = unquote(quoted)
        if revision not in repo.refs:
            revision = next((r for r, head in repo.heads.items() if head == revision), revision)
        if revision not in repo.refs:
            raise _Answer(
                404,
                {"error": f"Invalid rev id: {revision}"},
                {"X-Error-Code": "RevisionNotFound", "X-Error-Message": "Invalid rev id"},
            )
        return revision

    def _repo_url(self, repo: Repo) -> str:
        return f"{self.url}/{URL_PREFIXES[repo.repo_type]}{repo.repo_id}"

    def handle(
        self,
        endpoint: str,
        groups: tuple[str | None, ...],
        query: dict[str, str],
        body: bytes,
        authorized: bool = True,
    ) -> Any:
        """The JSON answer of one request (a `_File` for a download), or `_Answer` for another
        status. `authorized`: the request carries the token (a download may come without)."""
        if endpoint == "resolve":
            return self._resolve(groups, authorized)
        if endpoint == "create":
            payload = json.loads(body)
            repo_type = payload.get("type") or "model"
            repo_id = f"{payload['organization']}/{payload['name']}"
            existing = self.repos.get((repo_type, repo_id))
            if existing is not None:
                # The Hub names the existing repo: create_repo(exist_ok=True) returns its URL.
                raise _Answer(
                    409,
                    {
                        "error": f"You already created this {repo_type} repo",
                        "url": self._repo_url(existing),
                    },
                    {"X-Error-Message": f"You already created this {repo_type} repo"},
                )
            repo = self._create(repo_type, repo_id, payload.get("sdk"), {})
            return {"url": self._repo_url(repo), "name": repo_id, "id": repo_id}
        if endpoint == "validate-yaml":
            return {"errors": [], "warnings": []}
        if endpoint == "telemetry":
            return {"standardEnvVars": [], "harnesses": {}}
        if endpoint == "lfs-batch":
            return self._lfs_batch(json.loads(body))
        if endpoint == "lfs-upload":
            oid = groups[0] or ""
            if hashlib.sha256(body).hexdigest() != oid:
                raise _Answer(400, {"error": "sha256 does not match"})
            self.lfs_store[oid] = body
            return {}
        kind, namespace, name = groups[0] or "", groups[1] or "", groups[2] or ""
        repo = self._find(kind, namespace, name)
        if endpoint == "info":
            revision = self._ref(repo, groups[3] or "main")
            info: dict[str, Any] = {
                "id": repo.repo_id,
                "sha": repo.heads[revision],
                "private": False,
                "siblings": [{"rfilename": path} for path in sorted(repo.refs[revision])],
            }
            if repo.sdk:
                info["sdk"] = repo.sdk
            return info
        revision = self._ref(repo, groups[3] or "")
        if endpoint == "tree":
            return self._tree(repo, revision, unquote(groups[4] or ""), query)
        if endpoint == "preupload":
            return self._preupload(repo, revision, json.loads(body))
        return self._commit(repo, revision, body, create_pr=query.get("create_pr") == "1")

    def _resolve(self, groups: tuple[str | None, ...], authorized: bool) -> _File:
        """A file of a repo at a branch, ref or commit id, as `hf_hub_download` reads it."""
        kind = groups[0] or "models"
        repo = self._find(kind, groups[1] or "", groups[2] or "")
        what = f"{repo.repo_type} {repo.repo_id}"
        if repo.private and not authorized:
            raise _Answer(
                401,
                {"error": "Invalid username or password."},
                {
                    "X-Error-Code": "RepoNotFound",
                    "X-Error-Message": "Invalid username or password.",
                },
            )
        if repo.gated and not (authorized and repo.granted):
            message = (
                f"Access to {what} is restricted and you are not in the authorized list."
                if authorized
                else f"Access to {what} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in."
            )
            raise _Answer(
                403 if authorized else 401,
                {"error": message},
                {"X-Error-Code": "GatedRepo", "X-Error-Message": message},
            )
        revision = self._ref(repo, groups[3] or "")
        commit = repo.heads[revision]
        path = unquote(groups[4] or "")
        files = repo.refs[revision]
        if path not in files:
            raise _Answer(
                404,
                {"error": "Entry not found"},
                {
                    "X-Error-Code": "EntryNotFound",
                    "X-Error-Message": "Entry not found",
                    "X-Repo-Commit": commit,
                },
            )
        data = files[path]
        headers = {"Content-Type": "application/octet-stream", "X-Repo-Commit": commit}
        if path in repo.lfs[revision]:
            sha256 = hashlib.sha256(data).hexdigest()
            headers.update(
                {
                    "ETag": f'"{sha256}"',
                    "X-Linked-Etag": f'"{sha256}"',
                    "X-Linked-Size": str(len(data)),
                }
            )
        else:
            headers["ETag"] = f'"{git_blob_id(data)}"'
        return _File(data, headers)

    def _entry(self, repo: Repo, revision: str, path: str) -> dict[str, Any]:
        data = repo.refs[revision][path]
        if path in repo.lfs[revision]:
            pointer = lfs_pointer(data)
            return {
                "type": "file",
                "path": path,
                "oid": git_blob_id(pointer),
                "size": len(data),
                "lfs": {
                    "oid": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "pointerSize": len(pointer),
                },
            }
        return {"type": "file", "path": path, "oid": git_blob_id(data), "size": len(data)}

    def _tree(
        self, repo: Repo, revision: str, folder: str, query: dict[str, str]
    ) -> tuple[list[dict[str, Any]], str | None]:
        files = repo.refs[revision]
        prefix = f"{folder}/" if folder else ""
        inside = sorted(path for path in files if path.startswith(prefix))
        if folder and not inside:
            raise _Answer(404, {"error": "Entry not found"}, {"X-Error-Code": "EntryNotFound"})
        recursive = query.get("recursive", "").lower() in {"true", "1"}
        entries: dict[str, dict[str, Any]] = {}
        for path in inside:
            parts = path[len(prefix) :].split("/")
            for depth in range(1, len(parts)):
                directory = prefix + "/".join(parts[:depth])
                if depth == 1 or recursive:
                    entries.setdefault(
                        directory,
                        {
                            "type": "directory",
                            "path": directory,
                            "oid": hashlib.sha1(directory.encode()).hexdigest(),
                            "size": 0,
                        },
                    )
            if len(parts) == 1 or recursive:
                entries[path] = self._entry(repo, revision, path)
        listing = [entries[path] for path in sorted(entries)]
        cursor = int(query.get("cursor", "0"))
        page = listing[cursor : cursor + self.page_size]
        following = cursor + self.page_size
        if following >= len(listing):
            return page, None
        kind = {"model": "models", "space": "spaces", "dataset": "datasets"}[repo.repo_type]
        link = (
            f"{self.url}/api/{kind}/{repo.repo_id}/tree/{revision.replace('/', '%2F')}"
            f"{'/' + folder.replace('/', '%2F') if folder else ''}"
            f"?recursive={'true' if recursive else 'false'}&cursor={following}"
        )
        return page, link

    def _preupload(self, repo: Repo, revision: str, payload: dict[str, Any]) -> dict[str, Any]:
        files = repo.refs[revision]
        answer = []
        for item in payload["files"]:
            path = item["path"]
            sample = base64.b64decode(item["sample"])
            lfs = self._is_lfs(path, sample) or (self.lfs and item["size"] >= LFS_MIN_SIZE)
            oid = None
            if path in files:
                data = files[path]
                oid = hashlib.sha256(data).hexdigest() if lfs else git_blob_id(data)
            answer.append(
                {
                    "path": path,
                    "uploadMode": "lfs" if lfs else "regular",
                    "shouldIgnore": False,
                    "oid": oid,
                }
            )
        return {"files": answer, "commitOid": repo.heads[revision]}

    def _lfs_batch(self, payload: dict[str, Any]) -> dict[str, Any]:
        objects = []
        for item in payload["objects"]:
            entry: dict[str, Any] = {"oid": item["oid"], "size": item["size"]}
            if item["oid"] not in self.lfs_store:
                entry["actions"] = {"upload": {"href": f"{self.url}/lfs-upload/{item['oid']}"}}
            objects.append(entry)
        return {"transfer": "basic", "objects": objects}

    def _commit(self, repo: Repo, revision: str, body: bytes, create_pr: bool) -> dict[str, Any]:
        lines = [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise _Answer(400, {"error": "the first line must be the header"})
        parent = lines[0]["value"].get("parentCommit")
        if parent is not None and parent != repo.heads[revision]:
            # The Hub's compare-and-swap: the branch moved since the client read it.
            raise _Answer(
                412, {"error": "A commit has happened since. Please refresh and try again."}
            )
        target = revision
        pr_num = None
        if create_pr:
            repo.pull_requests += 1
            pr_num = repo.pull_requests
            target = f"refs/pr/{pr_num}"
        before = repo.refs[revision]
        files = dict(before)
        lfs = set(repo.lfs[revision])
        touched: list[str] = []
        deleted: list[str] = []
        for line in lines[1:]:
            key, value = line["key"], line["value"]
            path = value["path"]
            if key == "file":
                if value.get("encoding") != "base64":
                    raise _Answer(400, {"error": "unsupported encoding"})
                files[path] = base64.b64decode(value["content"])
                lfs.discard(path)
                touched.append(path)
            elif key == "lfsFile":
                data = self.lfs_store.get(value["oid"])
                if data is None:
                    raise _Answer(400, {"error": f"LFS object {value['oid']} was not uploaded"})
                files[path] = data
                lfs.add(path)
                touched.append(path)
            elif key == "deletedFile":
                if path not in files:
                    raise _Answer(
                        404,
                        {"error": "A file with this name doesn't exist"},
                        {"X-Error-Code": "EntryNotFound"},
                    )
                del files[path]
                lfs.discard(path)
                deleted.append(path)
            elif key == "deletedFolder":
                folder = path.rstrip("/") + "/"
                for existing in [p for p in files if p.startswith(folder)]:
                    del files[existing]
                    lfs.discard(existing)
                    deleted.append(existing)
            else:
                raise _Answer(400, {"error": f"unknown operation {key!r}"})
        oid = hashlib.sha1(
            repr((repo.heads[revision], target, sorted(files.items()))).encode()
        ).hexdigest()
        repo.refs[target] = files
        repo.lfs[target] = lfs
        repo.heads[target] = oid
        self.commits.append(
            Commit(
                repo_type=repo.repo_type,
                repo_id=repo.repo_id,
                revision=target,
                summary=lines[0]["value"].get("summary", ""),
                added=sorted(p for p in touched if p not in before),
                changed=sorted(p for p in touched if p in before and before[p] != files[p]),
                deleted=sorted(deleted),
                unchanged=sorted(p for p in touched if p in before and before[p] == files[p]),
                pr_num=pr_num,
                parent_commit=parent,
            )
        )
        answer: dict[str, Any] = {
            "success": True,
            "commitOid": oid,
            "commitUrl": f"{self._repo_url(repo)}/commit/{oid}",
            "hookOutput": "",
        }
        if pr_num is not None:
            answer["pullRequestUrl"] = f"{self._repo_url(repo)}/discussions/{pr_num}"
        return answer


def _handler(hub: HubServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = TIMEOUT_S

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads `hub.requests` instead."""

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def do_HEAD(self) -> None:
            self._serve()

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                for _ in range(1_000_000):
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _serve(self) -> None:
            url = urlsplit(self.path)
            query = {key: values[-1] for key, values in parse_qs(url.query).items()}
            body = self._body()
            route = next(
                (
                    (name, match)
                    for name, method, pattern in ROUTES
                    if method == self.command and (match := pattern.fullmatch(url.path))
                ),
                None,
            )
            endpoint = route[0] if route else "unknown"
            with hub.lock:
                hub.requests.append(Request(self.command, url.path, endpoint, query))
                failure = hub._take_failure(endpoint)
                action = hub._take_action(endpoint)
            if action is not None:
                action()
            # A late answer waits outside the lock, so the other requests go on meanwhile.
            if failure is not None and failure.delay is not None and not failure.after:
                if not hub.wait(failure.delay):
                    self.close_connection = True
                    return
                failure = None
            try:
                with hub.lock:
                    status, answer, headers = self._answer(failure, endpoint, route, query, body)
                # A late answer after the request took effect (`after`).
                if (
                    failure is not None
                    and failure.delay is not None
                    and not hub.wait(failure.delay)
                ):
                    raise _Drop
                self._send(
                    status, answer, headers, truncate=failure is not None and failure.truncate
                )
            except (_Drop, ConnectionError):
                # ConnectionError: the client gave up before a late answer (it timed out).
                self.close_connection = True
            except _Reset:
                # SO_LINGER with a zero timeout: closing sends RST instead of FIN.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                self.close_connection = True

        def _answer(
            self,
            failure: Failure | None,
            endpoint: str,
            route: tuple[str, re.Match[str]] | None,
            query: dict[str, str],
            body: bytes,
        ) -> tuple[int, Any, dict[str, str]]:
            """The status, body and headers to send (under the lock), or `_Drop` or `_Reset`."""
            try:
                authorization = self.headers.get("Authorization")
                authorized = authorization == f"Bearer {hub.token}"
                # A download needs no token, but a wrong one is refused, as on the Hub.
                anonymous = endpoint == "resolve" and authorization is None
                if endpoint not in PUBLIC and not authorized and not anonymous:
                    raise _Answer(
                        401,
                        {"error": "Invalid credentials in Authorization header"},
                        {"X-Error-Message": "Invalid credentials in Authorization header"},
                    )
                early = failure is not None and not failure.after
                if failure is not None and early:
                    self._fail(failure)
                if route is None:
                    raise _Answer(
                        404, {"error": "Sorry, we can't find the page you are looking for."}
                    )
                answer = hub.handle(endpoint, route[1].groups(), query, body, authorized)
                if failure is not None and not early:
                    self._fail(failure)
            except _Answer as exc:
                return exc.status, exc.body, exc.headers
            if isinstance(answer, _File):
                return 200, answer.data, answer.headers
            if isinstance(answer, tuple):
                page, link = answer
                return 200, page, {"Link": f'<{link}>; rel="next"'} if link else {}
            return 200, answer, {}

        def _fail(self, failure: Failure) -> None:
            """Raise what `failure` answers instead; a truncated or late answer is the real one."""
            if failure.drop:
                raise _Drop
            if failure.reset:
                raise _Reset
            if failure.status is None:
                return
            if failure.body is not None:
                raise _Answer(failure.status, failure.body)
            headers = {}
            if failure.status == 404:
                headers = {
                    "X-Error-Code": "RepoNotFound",
                    "X-Error-Message": "Repository not found",
                }
            message = f"injected failure {failure.status}"
            # validate-yaml lists its errors; the other endpoints say what went wrong in `error`.
            body = {"error": message, "errors": [{"message": message}], "warnings": []}
            raise _Answer(failure.status, body, headers)

        def _send(
            self, status: int, body: Any, headers: dict[str, str], truncate: bool = False
        ) -> None:
            """Send JSON, or bytes as they are (HTML when they are not JSON, unless `headers` give
            the Content-Type); with `truncate`, only the first half of the body, then close the
            connection. The answer to HEAD has the headers of the body, not the body."""
            if isinstance(body, bytes):
                data = body
                try:
                    json.loads(data)
                    kind = "application/json"
                except ValueError:
                    kind = "text/html"
            else:
                data = json.dumps(body).encode("utf-8")
                kind = "application/json"
            self.send_response(status)
            if "Content-Type" not in headers:
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if self.command == "HEAD":
                return
            if truncate:
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
                raise _Drop
            self.wfile.write(data)

    return Handler

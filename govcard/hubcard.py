"""`govcard check --base-card hub:ORG/NAME[@REVISION]`: the parent model's card, from the Hub.

The card (the repo's README.md) is downloaded with huggingface_hub's `hf_hub_download`, so it
lands in, and is read again from, the Hugging Face cache (HF_HOME, HF_HUB_CACHE), with the usual
token (HF_TOKEN, else the stored login) and offline mode (HF_HUB_OFFLINE=1: the cached copy or
nothing). Every request waits at most `timeout` seconds (`govcard.publish.hub_timeout`).

`hf_hub_download` tries its HEAD request again, five times over about 23 seconds, when the Hub
does not answer, answers 5xx, or times out and no copy is cached. So the HEAD is made first
(`get_hf_file_metadata`, tried once): if it fails, a cached copy is used as `hf_hub_download`
would use it, else the failure is reported at once; if it succeeds, `hf_hub_download` fetches the
file. Whatever goes wrong ends as one line that says what happened and how to give the card as a
file instead. huggingface_hub is imported only for a `hub:` spec.
"""

from __future__ import annotations

import os
from pathlib import Path

from govcard.errors import GovcardError

PREFIX = "hub:"
FILENAME = "README.md"
INSTEAD = "download the parent's README.md and give it as --base-card PATH"


def is_hub_spec(spec: str) -> bool:
    """Whether a --base-card value names a Hub repo (`hub:ORG/NAME[@REVISION]`)."""
    return spec.startswith(PREFIX)


def parse(spec: str) -> tuple[str, str | None]:
    """`hub:ORG/NAME@REVISION` -> (repo id, revision or None), or a GovcardError that says why
    the spec is not one."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id  # type: ignore[attr-defined]

    where = f"--base-card {spec}"
    repo_id, at, revision = spec.removeprefix(PREFIX).partition("@")
    if at and not revision:
        raise GovcardError.at(where, f"no revision after @; {_FORM}")
    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        reason = str(exc).rstrip(".") if repo_id else "no repository id"
        raise GovcardError.at(where, f"{reason}; {_FORM}") from None
    if any(c.isspace() or not c.isprintable() for c in revision):
        raise GovcardError.at(where, f"the revision {revision!r} is not a git revision; {_FORM}")
    return repo_id, revision or None


_FORM = "give a Hub model id as hub:ORG/NAME or hub:ORG/NAME@REVISION"


def fetch_card(spec: str, endpoint: str | None, timeout: float) -> Path:
    """The local path of the README.md of the model repo `spec` names (`hub:ORG/NAME[@REVISION]`),
    downloaded from `endpoint` (default: HF_ENDPOINT, else the public Hub) into the Hugging Face
    cache or found there. Every request waits at most `timeout` seconds."""
    from huggingface_hub import constants

    from govcard.publish import DEFAULT_ENDPOINT, hub_timeout, quiet_hub

    repo_id, revision = parse(spec)
    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    quiet_hub()
    try:
        with hub_timeout(timeout):
            return Path(_download(repo_id, revision, endpoint))
    except Exception as exc:
        source = "" if constants.is_offline_mode() else f" from {endpoint}"
        reason = _explain(exc, timeout)
        raise GovcardError.at(
            f"--base-card {spec}", f"cannot fetch its {FILENAME}{source} ({reason}); {INSTEAD}"
        ) from None


def _download(repo_id: str, revision: str | None, endpoint: str) -> str:
    """The cached file, downloaded first if need be; huggingface_hub's error otherwise."""
    from huggingface_hub import constants, get_hf_file_metadata, hf_hub_download, hf_hub_url
    from huggingface_hub.errors import (
        LocalEntryNotFoundError,
        RemoteEntryNotFoundError,
        RevisionNotFoundError,
    )

    def download(local_files_only: bool = False) -> str:
        path = hf_hub_download(
            repo_id,
            FILENAME,
            revision=revision,
            endpoint=endpoint,
            local_files_only=local_files_only,
        )
        assert isinstance(path, str)  # not a dry run
        return path

    if constants.is_offline_mode():
        return download()
    try:
        get_hf_file_metadata(hf_hub_url(repo_id, FILENAME, revision=revision, endpoint=endpoint))
    except (RemoteEntryNotFoundError, RevisionNotFoundError):
        # The repo answered: no README.md, or no such revision (a cached copy would be stale).
        raise
    except Exception as error:
        # As hf_hub_download: when the Hub cannot be asked (or refuses), a cached copy serves.
        try:
            return download(local_files_only=True)
        except LocalEntryNotFoundError:
            raise error from None
    return download()


def _explain(exc: Exception, timeout: float) -> str:
    """What went wrong, in a few words, for `fetch_card`'s line."""
    import httpx2
    from huggingface_hub import constants
    from huggingface_hub.errors import (
        FileMetadataError,
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    from govcard.publish import _printable

    login = "set HF_TOKEN or log in with `hf auth login`"
    chain: list[BaseException] = [exc]
    while (cause := chain[-1].__cause__ or chain[-1].__context__) is not None and len(chain) < 10:
        chain.append(cause)
    for error in chain:
        if isinstance(error, OfflineModeIsEnabled) or (
            isinstance(error, LocalEntryNotFoundError) and constants.is_offline_mode()
        ):
            return "HF_HUB_OFFLINE is set and the Hugging Face cache has no copy of it"
        if isinstance(error, RemoteEntryNotFoundError):
            return f"the repository has no {FILENAME}"
        if isinstance(error, RevisionNotFoundError):
            return "the repository has no such revision"
        if isinstance(error, GatedRepoError):
            status = error.response.status_code if error.response is not None else 0
            if status == 403:
                return "a gated model: this token's account has not been granted access (403)"
            return f"a gated model: {login} with an account that has access ({status or 401})"
        if isinstance(error, RepositoryNotFoundError):
            return f"no such model repository, or a private one: check the id, or {login}"
        if isinstance(error, HfHubHTTPError) and error.response is not None:
            status = error.response.status_code
            if status == 401:
                return "the token was refused (401): check HF_TOKEN or the stored login"
            if status == 403:
                return "access denied (403)"
            if status >= 500:
                return f"the Hub failed ({status}); try again later"
            return f"the Hub answered {status}"
        if isinstance(error, httpx2.TimeoutException | TimeoutError):
            return f"no answer within {timeout:g} s, see --timeout"
        if isinstance(error, ConnectionRefusedError):
            return "connection refused"
        if isinstance(error, httpx2.ConnectError):
            if "refused" in str(error).lower():
                return "connection refused"
            return f"cannot connect: {_printable(str(error), 100) or type(error).__name__}"
        if isinstance(error, httpx2.UnsupportedProtocol):
            return "not an http:// or https:// address, check --endpoint"
        if isinstance(error, httpx2.TransportError):
            return f"the connection failed: {type(error).__name__}"
        if isinstance(error, FileMetadataError):
            return "the answer does not come from a Hugging Face Hub, check --endpoint"
    return _printable(f"{type(exc).__name__}: {exc}", 160)

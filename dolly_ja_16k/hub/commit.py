"""Carrying out a publish plan: per repo, create it if needed, upload, one commit (or none), the tag.

Each repo gets a single ``create_commit`` holding every changed file and every deletion,
with ``parent_commit`` set to the head the plan was made against: the Hub applies all of
it or none of it, and refuses (HTTP 412) if someone else committed in between. Retries are
left to ``huggingface_hub``: it retries the idempotent calls (preupload, the LFS batch,
uploads and their verification, listings) on 429/5xx, timeouts and dropped connections, with
exponential backoff; it never retries repo creation or the commit. Ctrl-C at any point says
what is known about the remote.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dolly_ja_16k.errors import HubError
from dolly_ja_16k.hub.addresses import is_commit
from dolly_ja_16k.hub.errors import Interrupted, head_after_failure, hub_errors, interrupted
from dolly_ja_16k.hub.plan import Log, Plan, RepoPlan, call, match_remote
from dolly_ja_16k.hub.printout import size_text
from dolly_ja_16k.hub.remote import read_head, read_remote
from dolly_ja_16k.layout import REPO_TYPE
from dolly_ja_16k.options import PublishOptions

if TYPE_CHECKING:
    from huggingface_hub import CommitInfo, HfApi


@dataclass
class Result:
    repo_id: str
    url: str
    commit: str
    changed: bool
    pr_url: str | None = None
    tagged: bool = False


class _Upload(io.BytesIO):
    """A data file for the commit, from the bytes the plan hashed (the folder is never opened
    again), that draws its upload progress while the client reads it.

    ``huggingface_hub`` reads it once to hash it (not counted) and then to send it; the
    bar belongs to this publish, so it is always closed before an error is printed.
    """

    def __init__(self, data: bytes, name: str, bars: _Bars) -> None:
        super().__init__(data)
        self.name_in_repo, self.bars = name, bars
        self.total = len(data)

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bars.advance(self, len(data))
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        position = super().seek(offset, whence)
        self.bars.restart(self, position)
        return position


class _Bars:
    """The upload bars of one commit (``huggingface_hub``'s own ``tqdm``, which honours
    ``HF_HUB_DISABLE_PROGRESS_BARS``); counting starts with ``armed``."""

    def __init__(self) -> None:
        self.armed = False
        self.lock = threading.Lock()
        self.open: dict[int, Any] = {}

    def _bar(self, f: _Upload) -> Any:
        from huggingface_hub.utils import tqdm

        if id(f) not in self.open:
            self.open[id(f)] = tqdm(total=f.total, desc=f.name_in_repo, unit="B", unit_scale=True)
        return self.open[id(f)]

    def advance(self, f: _Upload, n: int) -> None:
        if self.armed and n:
            with self.lock:
                self._bar(f).update(n)

    def restart(self, f: _Upload, position: int) -> None:
        if self.armed and id(f) in self.open:  # a retry sends the file again
            with self.lock:
                bar = self.open[id(f)]
                bar.n = position
                bar.refresh()

    def close(self) -> None:
        with self.lock:
            for bar in self.open.values():
                bar.close()
            self.open.clear()


@contextmanager
def _operations(rp: RepoPlan) -> Iterator[list[Any]]:
    """The commit's operations; the data files draw their upload bars, closed when the commit ends."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    bars = _Bars()
    files: list[_Upload] = []
    try:
        ops: list[Any] = []
        for f in rp.uploads:
            files.append(_Upload(f.data, f.path, bars))
            ops.append(CommitOperationAdd(f.path, files[-1]))
        ops += [CommitOperationDelete(path) for path in rp.deletions]
        bars.armed = True
        yield ops
    finally:
        bars.close()
        for upload in files:
            upload.close()


def _repo_url(endpoint: str, repo_id: str) -> str:
    return f"{endpoint}/datasets/{repo_id}"


def _tag(api: HfApi, rp: RepoPlan, commit: str, options: PublishOptions, log: Log) -> bool:
    """Tag ``commit`` (a no-op when the tag already names it); True if a tag was created.

    The plan saw no such tag; one that exists now was made by someone else meanwhile (the Hub
    answers 409). The commit stands, so the message says it went through and only the tag failed.
    """
    from huggingface_hub.errors import HfHubHTTPError

    if rp.tag is None or rp.tag_target == commit:
        return False
    doing = f"{rp.repo_id}: committed at {commit}, but tagging it {rp.tag} failed"
    with hub_errors(call(doing, rp.repo_id, api, options, retry=False)):
        try:
            api.create_tag(rp.repo_id, tag=rp.tag, revision=commit, repo_type=REPO_TYPE)
        except HfHubHTTPError as err:
            if err.response is None or err.response.status_code != 409:
                raise
            raise HubError(f"{doing} because tag {rp.tag} now exists (someone else created it during the "
                           f"publish{_named(api, rp)}); the commit stays: tag it with another name") from None
    log(f"{rp.repo_id}: tagged commit {commit} as {rp.tag}")
    return True


def _named(api: HfApi, rp: RepoPlan) -> str:
    """``, on commit X``: what the tag someone else made names, if the Hub says."""
    try:
        target = read_remote(api, rp.repo_id, rp.revision, tags=True).tags.get(str(rp.tag))
    except Exception:  # the message is about the tag; where it points is only a detail
        return ""
    return f", on commit {target[:12]}" if target else ""


def _read_back(api: HfApi, rp: RepoPlan) -> Callable[[], tuple[str, bool]]:
    """After a failed upload or commit: read the branch back to say whether the remote changed."""
    return lambda: head_after_failure(lambda: read_head(api, rp.repo_id, rp.revision), rp.repo_id, rp.head,
                                      created=rp.created)


def _commit(api: HfApi, plan: Plan, rp: RepoPlan, log: Log) -> CommitInfo:
    """Upload, then the one commit; Ctrl-C says what is known about the remote."""
    from huggingface_hub import CommitOperationAdd

    opts = plan.options
    publishing = call(f"publishing to {rp.repo_id}", rp.repo_id, api, opts)
    with _operations(rp) as ops:
        try:
            with hub_errors(publishing, after=_read_back(api, rp)):
                api.preupload_lfs_files(rp.repo_id, [op for op in ops if isinstance(op, CommitOperationAdd)],
                                        repo_type=REPO_TYPE, revision=rp.revision,
                                        create_pr=opts.create_pr)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted while uploading to {rp.repo_id}, before the commit: nothing was "
                              f"committed, {rp.revision} is still at {str(rp.head)[:12]}") from None
        try:
            with hub_errors(publishing, after=_read_back(api, rp)):
                return api.create_commit(
                    rp.repo_id, ops, commit_message=rp.message, commit_description=plan.description,
                    repo_type=REPO_TYPE, revision=rp.revision, create_pr=opts.create_pr, parent_commit=rp.head)
        except KeyboardInterrupt:
            log(f"interrupted: reading {rp.repo_id} back to see whether the commit went through "
                "(Ctrl-C again to stop waiting)")
            raise interrupted(lambda: read_head(api, rp.repo_id, rp.revision), rp.repo_id, rp.head,
                              rp.revision, publishing.token) from None


def _create_target(api: HfApi, rp: RepoPlan, opts: PublishOptions) -> None:
    """Create the repo and the branch a commit needs, then plan again against what they hold."""
    if rp.changed and not rp.exists:
        with hub_errors(call(f"creating {rp.repo_id}", rp.repo_id, api, opts)):
            api.create_repo(rp.repo_id, repo_type=REPO_TYPE, exist_ok=True, private=opts.private)
            rp.created = True
            match_remote(rp, read_remote(api, rp.repo_id, rp.revision))
    if rp.changed and not rp.branch_exists:
        with hub_errors(call(f"creating branch {rp.revision} in {rp.repo_id}", rp.repo_id, api, opts)):
            api.create_branch(rp.repo_id, branch=rp.revision, repo_type=REPO_TYPE, exist_ok=True)
            match_remote(rp, read_remote(api, rp.repo_id, rp.revision))


def execute(plan: Plan, api: HfApi, log: Log) -> list[Result]:
    """Carry out the plan: per repo, create it if needed, then one commit (or none), then the tag."""
    opts = plan.options
    results = []
    for rp in plan.repos:
        try:
            results.append(_publish_repo(api, plan, rp, log))
        except HubError as err:  # the per-part layout: say which repos this run published before
            done = [f"{r.repo_id}" + (f" (tagged {opts.tag})" if r.tagged else "")
                    for r in results if r.changed or r.tagged]
            if done:
                raise type(err)(f"{err}; published before that in this run: {', '.join(done)}") from None
            raise
    return results


def _publish_repo(api: HfApi, plan: Plan, rp: RepoPlan, log: Log) -> Result:
    """One repo: create it if needed, then one commit (or none), then the tag."""
    opts = plan.options
    url = _repo_url(api.endpoint, rp.repo_id)
    _create_target(api, rp, opts)
    if not rp.changed:  # also: a new repo or branch can already hold the files (a concurrent publish)
        log(f"{rp.repo_id}: up to date at commit {rp.head}; nothing to publish, nothing uploaded")
        tagged = _tag(api, rp, str(rp.head), opts, log)
        return Result(rp.repo_id, url, str(rp.head), changed=False, tagged=tagged)
    log(f"{rp.repo_id}: uploading {len(rp.uploads)} file(s) ({size_text(sum(f.size for f in rp.uploads))}), "
        f"deleting {len(rp.deletions)}, in one commit on top of {str(rp.head)[:12]}")
    info = _commit(api, plan, rp, log)
    oid = getattr(info, "oid", None)
    if not isinstance(oid, str) or not is_commit(oid):
        raise HubError(f"publishing to {rp.repo_id}: the Hub at {api.endpoint} accepted the commit but did not "
                       "say which commit it made; run `dolly-ja-16k publish --dry-run` to compare")
    tagged = _tag(api, rp, oid, opts, log)
    return Result(rp.repo_id, url, oid, changed=True, pr_url=info.pr_url, tagged=tagged)

"""The publish plan as lines of text: what ``--dry-run`` prints, and a real publish before it commits."""

from __future__ import annotations

from dolly_ja_16k.hub.configs import config_paths
from dolly_ja_16k.hub.plan import Plan, RepoPlan
from dolly_ja_16k.layout import MANIFEST_FILE
from dolly_ja_16k.options import PublishOptions


def size_text(n: int) -> str:
    """A byte count the way people read it (B, KiB, MiB)."""
    return f"{n:,} B" if n < 1024 else f"{n / 1024:,.1f} KiB" if n < 1024**2 else f"{n / 1024**2:,.1f} MiB"


def plan_lines(plan: Plan) -> list[str]:
    """The plan as lines of text (the same for --dry-run and a real publish)."""
    return [line for rp in plan.repos for line in _repo_lines(rp, plan.options, plan.endpoint)]


_MARKS = {"new": "+", "changed": "~", "unchanged": "=", "unknown": "?"}


def _repo_lines(rp: RepoPlan, opts: PublishOptions, endpoint: str) -> list[str]:
    """One repo: where it stands, every file and deletion, the kept configs, the commit, the tag."""
    state = ("remote not read" if rp.unread
             else "new repo" + (", private" if opts.private else "") if not rp.exists
             else f"new branch {rp.revision}" if not rp.branch_exists
             else f"at {rp.head[:12] if rp.head else '?'}")
    target = f"a pull request against {rp.revision}" if opts.create_pr else f"branch {rp.revision}"
    lines = [f"{endpoint}/datasets/{rp.repo_id} ({state}) -> {target}:"]
    if rp.unread:
        lines.append(f"  the remote could not be read ({rp.unread}); this is the plan from the folder alone")
    if opts.private and rp.exists:
        lines.append("  note: --private applies to new repos only; this one keeps its visibility")
    width = max(len(path) for path in [*(f.path for f in rp.files), *rp.deletions, ""])  # columns line up
    for f in rp.files:
        status = "upload unless the remote has it" if f.status == "unknown" else f.status
        lines.append(f"  {_MARKS[f.status]} {f.path:<{width}} {size_text(f.size):>12}  sha256 {f.sha256}  {status}")
    for path in rp.deletions:
        lines.append(f"  - {path:<{width}} {'':>12}  delete (an earlier build's file, not in this one)")
    for config in rp.foreign_configs:
        lines.append(f"  kept: config {config.get('config_name', 'default')} "
                     f"({', '.join(config_paths(config)) or 'no data files'}), not made by this build")
    lines.append(_commit_line(rp))
    if rp.tag is not None:
        lines.append(f"  tag {rp.tag}: " + ("already on this commit, nothing to do" if rp.tag_target
                                             else "new, on the commit published"))
    return lines


def _commit_line(rp: RepoPlan) -> str:
    if rp.unread:
        total = size_text(sum(f.size for f in rp.files))
        return (f"  one commit: up to {len(rp.files)} file(s) to upload ({total});"
                f" files an earlier build published (listed by the remote's {MANIFEST_FILE}) that this "
                f"build lacks would be deleted; message: {rp.message!r}")
    if rp.changed:
        upload = sum(f.size for f in rp.uploads)
        return (f"  one commit: {len(rp.uploads)} file(s) to upload ({size_text(upload)}), "
                f"{len(rp.deletions)} to delete; message: {rp.message!r}")
    return "  up to date: nothing to commit"

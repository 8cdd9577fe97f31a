"""Publish a built folder to the Hugging Face Hub: one atomic commit per repo, or nothing.

The folder is checked by ``verify`` first; then ``plan.make_plan`` reads the remote and
decides what each repo needs, ``printout.plan_lines`` shows it (all a ``--dry-run`` does),
and ``commit.execute`` carries it out. What the Hub's errors mean is said by
``errors.hub_errors``. The token is never printed, logged or put in an error message or commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dolly_ja_16k.errors import HubError
from dolly_ja_16k.hub.client import configure_http, get_token, make_api
from dolly_ja_16k.hub.commit import Result, execute
from dolly_ja_16k.hub.errors import Interrupted, UnexpectedAnswer, hub_errors
from dolly_ja_16k.hub.plan import Log, call, check_folder, make_plan
from dolly_ja_16k.hub.printout import plan_lines
from dolly_ja_16k.options import PublishOptions

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def publish(options: PublishOptions, log: Log = print) -> list[Result]:
    """Check the folder, plan, print the plan, and (unless dry-run) carry it out."""
    options.check()
    try:
        build = check_folder(options.folder)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted while checking {options.folder}, before any request to the Hub: "
                          "nothing was sent") from None
    token = get_token()
    if token is None and not options.dry_run:
        raise HubError("no Hugging Face token: set HF_TOKEN or run `hf auth login` (a token with write access)")
    configure_http(options.timeout)
    api = make_api(token)
    if token is not None and not options.dry_run:
        log(f"logged in to {api.endpoint} as {_user(api, options)}")
    try:
        plan = make_plan(options, api, build)
    except KeyboardInterrupt:
        raise Interrupted("interrupted while reading the remote: nothing was changed on the Hub") from None
    for line in plan_lines(plan):
        log(line)
    if options.dry_run:
        log("dry run: nothing was changed on the Hub")
        return []
    results = execute(plan, api, log)
    for r in results:
        what = "up to date" if not r.changed else "published"
        where = f"{r.url} (pull request {r.pr_url})" if r.pr_url else r.url
        log(f"{what}: {where} at commit {r.commit}" + (f", tagged {options.tag}" if r.tagged else ""))
    return results


def _user(api: HfApi, options: PublishOptions) -> str:
    """Who the token belongs to: checked before anything is planned, so a bad token fails first."""
    with hub_errors(call("checking the token", options.repo_id, api, options)):
        who = api.whoami()
        user = who.get("name") if isinstance(who, dict) else None
        if not isinstance(user, str):
            raise UnexpectedAnswer("an account without a name")
    return user

"""Command line: argument parsing and exit codes only.

Exit codes: 0 success, 1 a check or the Hub failed, 2 bad input or options.
Heavy modules (datasets, huggingface_hub, pyarrow) are imported by the commands that
need them, so ``--help`` and ``build`` start fast.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other bad input
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _add_build(sub: argparse._SubParsersAction) -> None:
    from .layout import DEFAULT_OUT, DEFAULT_SOURCE

    p = sub.add_parser("build", help="build the parts, manifest and card into a folder")
    p.add_argument("--source", default=DEFAULT_SOURCE,
                   help="JSON array or JSON Lines file, or hf://datasets/OWNER/NAME@REV/PATH (default: %(default)s)")
    p.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help="output folder (default: %(default)s)")
    p.add_argument("--parts", type=_positive, default=4, help="number of parts (default: %(default)s)")
    p.add_argument("--strategy", choices=["stratified", "contiguous", "shuffle"], default="stratified",
                   help="how records are assigned to parts (default: %(default)s)")
    p.add_argument("--seed", type=int, default=42, help="seed for stratified and shuffle (default: %(default)s)")
    p.add_argument("--supplement", action="append", default=[], metavar="FILE",
                   help="your own records (JSON or JSON Lines, same fields); repeatable")
    p.add_argument("--target-size", type=_positive, metavar="N",
                   help="make the total exactly N records (error if fewer are available)")
    p.add_argument("--repo-id", metavar="OWNER/NAME", help="Hub repo the card's usage snippets name")
    _add_review_options(p)
    p.add_argument("--style", choices=["keitai", "jotai"],
                   help="build from records of one speech style only: keitai (です・ます) or jotai (だ・である)")
    p.set_defaults(run=_run_build)


def _add_review_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--drop", metavar="RULE[,RULE…]",
                   help="review checks whose records are dropped, replacing the defaults (input_equals_output,"
                        "output_in_instruction,duplicate); '' drops none")
    p.add_argument("--keep-all", action="store_true",
                   help="review reports only: nothing is changed or dropped and there is no style column")
    p.add_argument("--no-style", dest="tag_style", action="store_false",
                   help="do not add the style column (faster)")


def _drop(args: argparse.Namespace) -> frozenset[str] | None:
    from .review import parse_drop

    return None if args.drop is None else parse_drop(args.drop)


def _run_build(args: argparse.Namespace) -> int:
    from .pipeline import BuildOptions, build

    options = BuildOptions(source=args.source, out=args.out, parts=args.parts, strategy=args.strategy,
                           seed=args.seed, supplements=args.supplement, target_size=args.target_size,
                           repo_id=args.repo_id, keep_all=args.keep_all, drop=_drop(args), style=args.style,
                           tag_style=args.tag_style)
    manifest = build(options)
    sizes = " / ".join(f"{p['records']:,}" for p in manifest["parts"])
    print(f"built {manifest['records']:,} records in {len(manifest['parts'])} parts ({sizes}) -> {args.out}")
    global _skip_teardown
    _skip_teardown = True
    return EXIT_OK


def _add_verify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="check a built folder the way the Hub's dataset viewer would")
    p.add_argument("dir", type=Path, help="a folder written by `build`")
    p.add_argument("--rows", type=int, default=5, help="rows to stream from each split (default: %(default)s)")
    p.set_defaults(run=_run_verify)


def _run_verify(args: argparse.Namespace) -> int:
    from .verify import verify

    report = verify(args.dir, rows=args.rows, log=print)
    return EXIT_OK if report.ok else EXIT_FAILED


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dolly-ja-16k", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in COMMANDS:
        add(sub)
    return parser


def _add_review(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="print the review report of a source without building")
    p.add_argument("src", help="JSON array or JSON Lines file, or hf://datasets/OWNER/NAME@REV/PATH")
    _add_review_options(p)
    p.set_defaults(run=_run_review)


def _run_review(args: argparse.Namespace) -> int:
    from .review import review_source

    print(review_source(args.src, _drop(args), args.keep_all, args.tag_style))
    return EXIT_OK


COMMANDS = [_add_build, _add_verify, _add_review]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _add_publish(sub: argparse._SubParsersAction) -> None:
    from .layout import DEFAULT_BRANCH, DEFAULT_OUT, LAYOUT_SINGLE, LAYOUTS

    p = sub.add_parser("publish", help="upload a built folder to the Hugging Face Hub, one commit per repo")
    p.add_argument("--repo-id", required=True, metavar="OWNER/NAME", help="dataset repo to publish to")
    p.add_argument("--dir", type=Path, default=Path(DEFAULT_OUT), help="built folder (default: %(default)s)")
    p.add_argument("--layout", choices=LAYOUTS, default=LAYOUT_SINGLE,
                   help="single: one repo with every config; per-part: repos OWNER/NAME-1_of_4 … "
                        "(default: %(default)s)")
    p.add_argument("--private", action="store_true", help="create new repos as private")
    p.add_argument("--revision", default=DEFAULT_BRANCH, metavar="BRANCH",
                   help="branch to commit to, created if missing (default: %(default)s)")
    p.add_argument("--create-pr", action="store_true", help="open a pull request instead of committing to the branch")
    p.add_argument("--message", metavar="TEXT", help="commit message (default: says what was built)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    p.add_argument("--timeout", type=_seconds, default=60.0, metavar="SECONDS",
                   help="give up when the Hub does not answer for this long (default: %(default)s)")
    p.set_defaults(run=_run_publish)


def _run_publish(args: argparse.Namespace) -> int:
    from .publish import PublishOptions, publish

    publish(PublishOptions(repo_id=args.repo_id, folder=args.dir, layout=args.layout, private=args.private,
                           revision=args.revision, create_pr=args.create_pr, message=args.message,
                           dry_run=args.dry_run, timeout=args.timeout), log=lambda line: print(line, flush=True))
    return EXIT_OK


COMMANDS.append(_add_publish)


def _add_diff(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="compare two builds record by record (added, removed, changed, moved)")
    p.add_argument("old", help="the earlier build: a folder written by `build` or hf://datasets/OWNER/NAME@REV")
    p.add_argument("new", help="the later build, the same way")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    p.set_defaults(run=_run_diff)


def _run_diff(args: argparse.Namespace) -> int:
    import json

    from .diff import diff_builds

    result = diff_builds(args.old, args.new)
    print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.summary())
    return EXIT_OK


COMMANDS.append(_add_diff)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwind so staging folders are cleaned up


#: Set by a finished build: ``run`` may then end the process without tearing it down.
_skip_teardown = False


def run() -> None:
    """The ``dolly-ja-16k`` command: ``main``, then exit with its code.

    After a finished build the process ends with ``os._exit``: everything is on disk and
    every child process is gone, and freeing the records one object at a time would only
    add time (0.02 s at 15k records, about 0.3 s at 100k). Other commands exit normally,
    so the libraries they load can clean up after themselves.
    """
    code = main()
    if _skip_teardown and code == EXIT_OK:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    from .errors import DollyError

    try:  # from the first moment on: Ctrl-C while parsing is no traceback either
        signal.signal(signal.SIGTERM, _terminate)
        args = make_parser().parse_args(argv)
        return args.run(args)
    except DollyError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("error: interrupted; the output folder was left as it was", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_FAILED
    except OSError as err:  # the system refused: disk full, no permission, ...
        name = f"{err.filename}: " if err.filename else ""
        print(f"error: {name}{err.strerror or err}", file=sys.stderr)
        return EXIT_FAILED

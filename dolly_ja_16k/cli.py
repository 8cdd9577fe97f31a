"""The dolly-ja-16k command line: arguments and exit codes only.

Exit codes: 0 success, 1 a check, the Hub or the system failed, 2 bad input or options.
"""

from __future__ import annotations

# Ctrl-C from the first instruction on is exit 130 without a traceback: until ``main``
# takes over, an interrupt ends the process quietly (``SystemExit`` prints nothing).
import signal


def _quiet_interrupt(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when started with SIGINT ignored
    signal.signal(signal.SIGINT, _quiet_interrupt)


def _import_uninterrupted() -> None:
    """Import the JSON libraries every command uses with Ctrl-C held back until they are loaded.

    An interrupt that lands while orjson's native module is initialising makes the process
    crash (SIGSEGV) instead of exiting; held back, it is handled right after the import.
    """
    mask = getattr(signal, "pthread_sigmask", None)  # not on Windows
    held = mask(signal.SIG_BLOCK, {signal.SIGINT}) if mask else None
    try:
        import msgspec  # noqa: F401
        import orjson  # noqa: F401
    finally:
        if mask and held is not None:
            mask(signal.SIG_SETMASK, held)


_import_uninterrupted()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

from dolly_ja_16k import __version__  # noqa: E402
from dolly_ja_16k.errors import DollyError, one_line  # noqa: E402
from dolly_ja_16k.layout import DEFAULT_BRANCH, DEFAULT_OUT, DEFAULT_SOURCE  # noqa: E402
from dolly_ja_16k.options import (  # noqa: E402
    DEFAULT_TIMEOUT,
    DEFAULT_USER_TEMPLATE,
    DEFAULT_USER_TEMPLATE_NO_INPUT,
    LAYOUTS,
    STRATEGIES,
    STYLE_FILTERS,
    SYSTEM_PROMPT_MODES,
)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
DESCRIPTION = ("Build, check and publish databricks-dolly-15k-ja as named parts (1_of_4 … 4_of_4) "
               "for the Hugging Face Hub.")
#: Option names (of BuildOptions / PublishOptions) whose flag is not ``--`` + the name with dashes.
FLAGS = {"supplements": "--supplement", "tag_style": "--no-style", "folder": "--dir", "source": "--source"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # one line, exit 2, like every bad input
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {one_line(message)} (see --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _add_review_options(p: argparse.ArgumentParser) -> None:
    from dolly_ja_16k.review.rules import drop_help

    p.add_argument("--drop", metavar="RULE[,RULE…]", help=drop_help())
    p.add_argument("--keep-all", action="store_true",
                   help="review reports only: nothing is changed or dropped and there is no style column")
    p.add_argument("--no-style", dest="tag_style", action="store_false",
                   help="do not add the style column (faster)")


def _drop(args: argparse.Namespace) -> frozenset[str] | None:
    from dolly_ja_16k.review.run import parse_drop

    return None if args.drop is None else parse_drop(args.drop)


# -- build ------------------------------------------------------------------------------------

def _strategy_help() -> str:
    """How records are assigned to parts: each strategy's own sentence (``split.py``)."""
    from dolly_ja_16k.split import SPLIT_STRATEGIES

    ways = "; ".join(f"{s.name}: {s.sentence('the seed (--seed)')}" for s in SPLIT_STRATEGIES.values())
    return f"how records are assigned to parts (default: %(default)s). {ways.replace('%', '%%')}"


def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build the parts, manifest and card into a folder")
    p.add_argument("--source", default=DEFAULT_SOURCE,
                   help="JSON array or JSON Lines file, or hf://datasets/OWNER/NAME@REV/PATH (default: %(default)s)")
    p.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help="output folder (default: %(default)s)")
    p.add_argument("--parts", type=_positive, default=4, help="number of parts (default: %(default)s)")
    p.add_argument("--strategy", choices=STRATEGIES, default="stratified", help=_strategy_help())
    p.add_argument("--seed", type=_whole, default=42, help="seed for stratified and shuffle (default: %(default)s)")
    p.add_argument("--supplement", action="append", default=[], metavar="FILE",
                   help="your own records (JSON or JSON Lines, same fields); repeatable")
    p.add_argument("--target-size", type=_positive, metavar="N",
                   help="make the total exactly N records (error if fewer are available)")
    p.add_argument("--repo-id", metavar="OWNER/NAME", help="Hub repo the card's usage snippets name")
    p.add_argument("--previous", metavar="DIR|hf://datasets/OWNER/NAME@REV",
                   help="the release this build follows: adds changes.jsonl and a 'Changes since' section")
    _add_review_options(p)
    p.add_argument("--style", choices=STYLE_FILTERS,
                   help="build from records of one speech style only: keitai (です・ます) or jotai (だ・である)")
    t = p.add_argument_group("training configs (messages, prompt/completion)")
    t.add_argument("--user-template", default=DEFAULT_USER_TEMPLATE, metavar="TEMPLATE",
                   help="the user turn of a record with input, with {instruction} and {input}; \\n is a line "
                        "break (default: the instruction, a blank line, the input)")
    t.add_argument("--user-template-no-input", default=DEFAULT_USER_TEMPLATE_NO_INPUT, metavar="TEMPLATE",
                   help="the user turn of a record without input, with {instruction} (default: the instruction)")
    t.add_argument("--system-prompts", choices=SYSTEM_PROMPT_MODES, default="off",
                   help="style: a system message asking for the answer's style (です・ます for keitai records, "
                        "だ・である for jotai records, none for mixed and none) (default: %(default)s)")
    p.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from dolly_ja_16k.build import build
    from dolly_ja_16k.options import BuildOptions
    from dolly_ja_16k.write.formats import decode_cli_template

    options = BuildOptions(source=args.source, out=args.out, parts=args.parts, strategy=args.strategy,
                           seed=args.seed, supplements=args.supplement, target_size=args.target_size,
                           repo_id=args.repo_id, keep_all=args.keep_all, drop=_drop(args), style=args.style,
                           tag_style=args.tag_style, user_template=decode_cli_template(args.user_template),
                           user_template_no_input=decode_cli_template(args.user_template_no_input),
                           system_prompts=args.system_prompts, previous=args.previous)
    manifest = build(options)
    sizes = " / ".join(f"{p.records:,}" for p in manifest.parts)
    print(f"built {manifest.records:,} records in {len(manifest.parts)} parts ({sizes}) -> {args.out}")
    return EXIT_OK


# -- verify, review -----------------------------------------------------------------------------

def _add_verify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="check a built folder the way the Hub's dataset viewer would")
    p.add_argument("dir", type=Path, help="a folder written by `build`")
    p.add_argument("--rows", type=_positive, default=5, help="rows to stream from each split (default: %(default)s)")
    p.set_defaults(run=_run_verify)


def _run_verify(args: argparse.Namespace) -> int:
    from dolly_ja_16k.verify import verify

    report = verify(args.dir, rows=args.rows, log=print)
    return EXIT_OK if report.ok else EXIT_FAILED


def _add_review(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="print the review report of a source without building")
    p.add_argument("src", help="JSON array or JSON Lines file, or hf://datasets/OWNER/NAME@REV/PATH")
    _add_review_options(p)
    p.add_argument("--examples", type=int, default=0, metavar="N", help="print N example findings per rule")
    p.set_defaults(run=_run_review)


def _run_review(args: argparse.Namespace) -> int:
    from dolly_ja_16k.review.run import review_source

    print(review_source(args.src, _drop(args), args.keep_all, args.tag_style, args.examples))
    return EXIT_OK


# -- publish ------------------------------------------------------------------------------------

def _add_publish(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="upload a built folder to the Hugging Face Hub, one commit per repo")
    p.add_argument("--repo-id", required=True, metavar="OWNER/NAME", help="dataset repo to publish to")
    p.add_argument("--dir", type=Path, default=Path(DEFAULT_OUT), help="built folder (default: %(default)s)")
    p.add_argument("--layout", choices=LAYOUTS, default="single",
                   help="single: one repo with every config; per-part: repos OWNER/NAME-1_of_4 … "
                        "(default: %(default)s)")
    p.add_argument("--private", action="store_true", help="create new repos as private")
    p.add_argument("--revision", default=DEFAULT_BRANCH, metavar="BRANCH",
                   help="branch to commit to, created if missing (default: %(default)s)")
    p.add_argument("--create-pr", action="store_true", help="open a pull request instead of committing to the branch")
    p.add_argument("--message", metavar="TEXT", help="commit message (default: says what was built)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="give up when the Hub does not answer for this long (default: %(default)s)")
    p.add_argument("--tag", metavar="NAME", help="tag the published commit (e.g. v1); never moves an existing tag")
    p.add_argument("--force", action="store_true",
                   help="publish even if the repo holds configs in another format (they are kept)")
    p.set_defaults(run=_run_publish)


def _run_publish(args: argparse.Namespace) -> int:
    from dolly_ja_16k.hub.publish import publish
    from dolly_ja_16k.options import PublishOptions

    publish(PublishOptions(repo_id=args.repo_id, folder=args.dir, layout=args.layout, private=args.private,
                           revision=args.revision, create_pr=args.create_pr, message=args.message,
                           dry_run=args.dry_run, timeout=args.timeout, tag=args.tag, force=args.force),
            log=lambda line: print(line, flush=True))
    return EXIT_OK


COMMANDS = [_add_build, _add_verify, _add_review, _add_publish]


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dolly-ja-16k", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in COMMANDS:
        add(sub)
    return parser


def flag(option: str) -> str:
    """The command-line flag of a library option name (``target_size`` → ``--target-size``)."""
    return FLAGS.get(option, "--" + option.replace("_", "-"))


def _add_diff(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="compare two builds record by record (added, removed, changed, moved)")
    p.add_argument("old", help="the earlier build: a folder written by `build` or hf://datasets/OWNER/NAME@REV")
    p.add_argument("new", help="the later build, the same way")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    p.set_defaults(run=_run_diff)


def _run_diff(args: argparse.Namespace) -> int:
    import json

    from dolly_ja_16k.diff import diff_builds

    result = diff_builds(args.old, args.new)
    print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.summary())
    return EXIT_OK


COMMANDS.append(_add_diff)


class _WarningLines(logging.Handler):
    """The package's log warnings as ``warning: …`` lines on stderr, one line each.

    ``sys.stderr`` is looked up on every line, not kept, so a replaced stderr (a test's
    capture, a redirect made after start-up) gets the lines.
    """

    def emit(self, record: logging.LogRecord) -> None:
        print(f"warning: {one_line(record.getMessage())}", file=sys.stderr)


@contextlib.contextmanager
def _warnings_on_stderr() -> Iterator[None]:
    """The package's warnings as ``warning:`` lines for the length of one command, and only
    there: not passed on to the root logger, which may have a handler of its own."""
    logger = logging.getLogger("dolly_ja_16k")
    handler = _WarningLines(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwind, so staging folders are cleaned up


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure is one line on stderr and an exit code."""
    from dolly_ja_16k.options import OptionError

    command = None
    try:
        if signal.getsignal(signal.SIGINT) is _quiet_interrupt:
            signal.signal(signal.SIGINT, signal.default_int_handler)  # KeyboardInterrupt unwinds the work
        signal.signal(signal.SIGTERM, _terminate)
        args = make_parser().parse_args(argv)
        command = args.command
        with _warnings_on_stderr():
            return int(args.run(args))
    except OptionError as err:
        print(f"error: {flag(err.option)}: {one_line(err.problem)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DollyError as err:
        print(f"error: {one_line(str(err))}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        where = ("the remote's state is unknown: run `dolly-ja-16k publish --dry-run` to compare it with the "
                 "folder" if command == "publish" else "the output folder was left as it was")
        print(f"error: interrupted; {where}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_FAILED
    except OSError as err:  # the system refused: disk full, no permission, ...
        name = f"{err.filename}: " if err.filename else ""
        print(f"error: {one_line(name + str(err.strerror or err))}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _quiet_interrupt)  # and quiet again until the process ends


def run() -> None:
    """The ``dolly-ja-16k`` command: ``main``, then exit with its code."""
    sys.exit(main())

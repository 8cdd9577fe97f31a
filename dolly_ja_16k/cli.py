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
from collections.abc import (  # noqa: E402
    Callable,
    Iterable,
    Iterator,
)
from dataclasses import MISSING, Field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from dolly_ja_16k import __version__  # noqa: E402
from dolly_ja_16k.errors import DollyError, Opt, one_line  # noqa: E402
from dolly_ja_16k.options import (  # noqa: E402
    BuildOptions,
    Option,
    PublishOptions,
    RestyleOptions,
    at_least_zero,
    declared,
    default_of,
    flag_of,
    positive,
)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
DESCRIPTION = ("Build, check and publish databricks-dolly-15k-ja as named parts (1_of_4 … 4_of_4) "
               "for the Hugging Face Hub.")
#: The options of the review step, which ``review`` shares with ``build``.
REVIEW_OPTIONS = ("keep_all", "drop", "tag_style")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # one line, exit 2, like every bad input
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {one_line(message)} (see --help)\n")


# -- options: flags and parsers from their declarations (options.py) ------------------------------

def _declaration(name: str) -> tuple[Field[Any], Option] | None:
    for cls in (BuildOptions, PublishOptions, RestyleOptions):
        for f, d in declared(cls):
            if f.name == name:
                return f, d
    return None


def flag(option: str) -> str:
    """The command-line flag of a library option name (``target_size`` → ``--target-size``)."""
    found = _declaration(option)
    return flag_of(*found) if found else "--" + option.replace("_", "-")


def shown(opt: Opt) -> str:
    """An option named in a message, as the command line spells it (``--keep-all``, ``--seed 5``)."""
    found = _declaration(opt.name)
    text = flag(opt.name)
    if found is None:
        return text
    f, d = found
    if opt.metavar and d.metavar:
        return f"{text} {d.metavar}"
    if not opt.has_value:
        return text
    if isinstance(opt.value, bool):  # the flag sets the value that is not the default
        return text if opt.value is not default_of(f) else f"without {text}"
    return f"{text} {opt.value}"


def _from_text(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """``parse`` as argparse's ``type``: its ``ValueError`` becomes argparse's one-line usage error."""
    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
    return convert


def _argument(f: Field[Any], d: Option) -> dict[str, Any]:
    """``add_argument``'s keywords for one declared option."""
    default = default_of(f)
    if isinstance(default, bool):
        return {"action": "store_false" if default else "store_true"}
    spec: dict[str, Any] = {"metavar": d.metavar}
    if default is MISSING:
        spec["required"] = True
    else:
        spec["default"] = default
    if isinstance(default, list):
        spec["action"] = "append"
    if d.choices:
        spec["choices"] = d.choices
    if d.parse is not None:
        spec["type"] = _from_text(d.parse)
    return spec


def add_options(parser: argparse.ArgumentParser, cls: type, only: Iterable[str] | None = None) -> None:
    """One argument per declared option of ``cls`` (or of those named in ``only``), in the order declared."""
    groups: dict[str, Any] = {}
    for f, d in declared(cls):
        if only is not None and f.name not in only:
            continue
        where = parser if d.group is None else groups.setdefault(d.group, parser.add_argument_group(d.group))
        where.add_argument(flag(f.name), dest=f.name, help=d.help, **_argument(f, d))


def options_from(cls: type, args: argparse.Namespace) -> Any:
    """The options object of the command's arguments (each declared option is an attribute)."""
    return cls(**{f.name: getattr(args, f.name) for f, _ in declared(cls)})


# -- build ------------------------------------------------------------------------------------

def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build the parts, manifest and card into a folder")
    add_options(p, BuildOptions)
    p.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from dolly_ja_16k.build import build

    manifest = build(options_from(BuildOptions, args))
    sizes = " / ".join(f"{p.records:,}" for p in manifest.parts)
    held = f" and {manifest.validation.records:,} held out for validation" if manifest.validation else ""
    print(f"built {manifest.records:,} records in {len(manifest.parts)} parts ({sizes}){held} -> {args.out}")
    return EXIT_OK


# -- verify, review -----------------------------------------------------------------------------

def _add_verify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="check a built folder the way the Hub's dataset viewer would")
    p.add_argument("dir", type=Path, help="a folder written by `build`")
    p.add_argument("--rows", type=_from_text(positive), default=5,
                   help="rows to stream from each split (default: %(default)s)")
    p.set_defaults(run=_run_verify)


def _run_verify(args: argparse.Namespace) -> int:
    from dolly_ja_16k.verify import verify

    report = verify(args.dir, rows=args.rows, log=print)
    return EXIT_OK if report.ok else EXIT_FAILED


def _add_review(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="print the review report of a source without building")
    p.add_argument("src", help="JSON array or JSON Lines file, or hf://datasets/OWNER/NAME@REV/PATH")
    add_options(p, BuildOptions, REVIEW_OPTIONS)
    p.add_argument("--examples", type=_from_text(at_least_zero), default=0, metavar="N",
                   help="print N example findings per rule (default: 0)")
    p.set_defaults(run=_run_review)


def _run_review(args: argparse.Namespace) -> int:
    from dolly_ja_16k.review.run import review_source

    print(review_source(args.src, args.drop, args.keep_all, args.tag_style, args.examples))
    return EXIT_OK


# -- publish ------------------------------------------------------------------------------------

def _add_publish(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="upload a built folder to the Hugging Face Hub, one commit per repo")
    add_options(p, PublishOptions)
    p.set_defaults(run=_run_publish)


def _run_publish(args: argparse.Namespace) -> int:
    from dolly_ja_16k.hub.publish import publish

    publish(options_from(PublishOptions, args), log=lambda line: print(line, flush=True))
    return EXIT_OK


COMMANDS = [_add_build, _add_verify, _add_review, _add_publish]


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dolly-ja-16k", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in COMMANDS:
        add(sub)
    return parser


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


# -- restyle ------------------------------------------------------------------------------------

def _add_restyle(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restyle", help="rewrite a source's answers in です・ます or だ・である, to a JSON Lines file")
    p.add_argument("source", help=dict((f.name, d.help) for f, d in declared(RestyleOptions))["source"])
    add_options(p, RestyleOptions, ("to", "out", "examples"))
    add_options(p, BuildOptions, ("copula",))
    p.set_defaults(run=_run_restyle)


def _run_restyle(args: argparse.Namespace) -> int:
    from dolly_ja_16k.restyle_file import restyle_file
    from dolly_ja_16k.review.restyle_run import summary_lines

    run = restyle_file(options_from(RestyleOptions, args), args.copula)
    print(f"restyled {run.records:,} records -> {args.out}")
    for line in summary_lines(run):
        print(line)
    for example in run.examples(args.examples):
        print("  " + example.line())
    return EXIT_OK


COMMANDS.append(_add_restyle)


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


def _left_as(args: argparse.Namespace | None) -> str:
    """What an interrupted command leaves behind: only `build` writes a folder, only `publish` the Hub."""
    command = getattr(args, "command", None)
    if command == "build":
        return "the output folder was left as it was"
    if command == "restyle":
        return "the output file was left as it was"
    if command == "publish" and args is not None and args.dry_run:
        return "a dry run sends nothing: nothing was changed on the Hub"
    if command == "publish":
        return "the remote's state is unknown: run `dolly-ja-16k publish --dry-run` to compare it with the folder"
    return "nothing was written"


def _drop_values(argv: list[str]) -> list[str]:
    """``--drop -duplicate`` as ``--drop=-duplicate``: argparse would read ``-duplicate`` as an unknown flag."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] == "--drop" and arg.startswith("-") and arg != "--":
            out[-1] = f"--drop={arg}"
        else:
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure is one line on stderr and an exit code."""
    args = None
    sigterm = signal.getsignal(signal.SIGTERM)
    try:
        if signal.getsignal(signal.SIGINT) is _quiet_interrupt:
            signal.signal(signal.SIGINT, signal.default_int_handler)  # KeyboardInterrupt unwinds the work
        signal.signal(signal.SIGTERM, _terminate)
        args = make_parser().parse_args(_drop_values(sys.argv[1:] if argv is None else argv))
        with _warnings_on_stderr():
            return int(args.run(args))
    except DollyError as err:  # the options it names are shown as their flags
        print(f"error: {err.render(shown)}", file=sys.stderr)
        return err.exit_code
    except (KeyboardInterrupt, RuntimeError) as err:
        # Python 3.11 wraps an interrupt that lands in a class's __set_name__ (during a lazy import)
        if isinstance(err, RuntimeError) and not isinstance(err.__cause__, KeyboardInterrupt):
            raise
        print(f"error: interrupted; {_left_as(args)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_FAILED
    except OSError as err:  # the system refused: disk full, no permission, ...
        name = f"{err.filename}: " if err.filename else ""
        print(f"error: {one_line(name + str(err.strerror or err))}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        signal.signal(signal.SIGTERM, sigterm)  # a caller's own handler (main() called in-process) comes back
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _quiet_interrupt)  # and quiet again until the process ends


def run() -> None:
    """The ``dolly-ja-16k`` command: ``main``, then exit with its code.

    Once ``main`` has returned, the work is done (or refused, with its line): a Ctrl-C while the
    interpreter shuts down would only turn that outcome into a silent 130, so it is ignored."""
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)

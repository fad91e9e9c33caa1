"""argparse wiring shared by the command groups: usage errors become UsageError (exit 2)."""

import argparse
import os

from jit.errors import UsageError


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Help formatter that knows its width up front: argparse builds one per add_argument, and
    without a width each build imports shutil (with bz2, lzma, locale): 2 ms on every call."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        if width is None:
            try:
                width = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
            except (ValueError, OSError):
                width = 100
            width = max(width - 2, 40)
        super().__init__(prog, indent_increment, max_help_position, width)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        raise UsageError(f"{message} (see `{self.prog} --help`)", {"usage": self.format_usage().strip()})


def build_root(group: str, module) -> Parser:
    root = Parser(prog="jit", add_help=True)
    subs = root.add_subparsers(dest="group", parser_class=Parser)
    module.register(subs, group)
    return root


def command(subs, name, help_text, example, handler, *, needs_repo=True, aliases=()):
    """Add one command with its help text and an example shown in `--help`."""
    p = subs.add_parser(
        name, help=help_text, description=help_text, aliases=list(aliases),
        epilog=f"example:\n  {example}", formatter_class=Formatter,
    )
    p.set_defaults(handler=handler, needs_repo=needs_repo)
    return p


def group(subs, name, help_text, example):
    p = subs.add_parser(name, help=help_text, description=help_text, epilog=f"example:\n  {example}",
                        formatter_class=Formatter)
    return p.add_subparsers(dest="command", parser_class=Parser, metavar="<command>", required=True)


def positive_number(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return int(value) if value.is_integer() else value

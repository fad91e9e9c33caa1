"""argparse wiring shared by the command groups: usage errors become UsageError (exit 2)."""

import os
import sys

from jit.errors import UsageError


def _untranslated(message):
    return message


def _untranslated_plural(singular, plural, n):
    return singular if n == 1 else plural


def _argparse_without_gettext():
    """jit speaks English. argparse imports gettext (1.5 ms: locale, catalogue look-ups) only for
    `from gettext import gettext, ngettext`; it gets two untranslating functions instead, and a
    later `import gettext` anywhere else still finds the real module."""
    if "argparse" in sys.modules or "gettext" in sys.modules:
        import argparse
    else:
        stand_in = type(sys)("gettext")
        stand_in.gettext, stand_in.ngettext = _untranslated, _untranslated_plural
        sys.modules["gettext"] = stand_in
        try:
            import argparse
        finally:
            del sys.modules["gettext"]
    # Also when argparse came first: every message it builds would look up a catalogue.
    argparse._, argparse.ngettext = _untranslated, _untranslated_plural
    return argparse


argparse = _argparse_without_gettext()


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


class _Wanted:
    """Which subcommand of a group to build. Building every subcommand's parser costs about
    0.3 ms each (argparse and gettext work per parser); an agent's call needs only one."""

    name = None
    built = False


class _Unbuilt:
    """Stands in for the parser of a subcommand this call does not need."""

    def add_argument(self, *args, **kwargs):
        return None

    def set_defaults(self, **kwargs):
        return None


def build_root(group: str, module, args=()) -> Parser:
    """The parser for one command group; within the group only the subcommand named in `args`
    is built, unless it is unknown (then all are, so argparse can list the choices)."""
    wanted = args[1] if len(args) > 1 and not args[1].startswith("-") else None
    for attempt in (wanted, None) if wanted else (None,):
        _Wanted.name, _Wanted.built = attempt, False
        root = Parser(prog="jit", add_help=True)
        subs = root.add_subparsers(dest="group", parser_class=Parser)
        module.register(subs, group)
        if attempt is None or _Wanted.built:
            break
    _Wanted.name = None
    return root


def single_values_only(parser, ns) -> None:
    """argparse (3.11) turns `ID -- --` into an empty list for a one-value positional;
    refuse it as a usage error instead of passing a list on. Raises UsageError."""
    stack = [parser]
    while stack:
        p = stack.pop()
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
            elif not action.option_strings and action.nargs is None and isinstance(getattr(ns, action.dest, None), list):
                raise UsageError(f"argument {action.dest}: expected one value (see `{p.prog} --help`)",
                                 {"argument": action.dest})


def command(subs, name, help_text, example, handler, *, needs_repo=True, aliases=()):
    """Add one command with its help text and an example shown in `--help`."""
    if getattr(subs, "jit_group", False) and _Wanted.name is not None:
        if _Wanted.name != name and _Wanted.name not in aliases:
            return _Unbuilt()
        _Wanted.built = True
    p = subs.add_parser(
        name, help=help_text, description=help_text, aliases=list(aliases),
        epilog=f"example:\n  {example}", formatter_class=Formatter,
    )
    p.set_defaults(handler=handler, needs_repo=needs_repo)
    return p


def group(subs, name, help_text, example):
    p = subs.add_parser(name, help=help_text, description=help_text, epilog=f"example:\n  {example}",
                        formatter_class=Formatter)
    subs = p.add_subparsers(dest="command", parser_class=Parser, metavar="<command>", required=True)
    subs.jit_group = True
    return subs


def positive_number(text):
    """A number of seconds from the command line: finite, positive, at most ten years
    (`--ttl 1e308`, `inf` and `nan` are usage errors, not overflows deep in the clock code)."""
    from jit.domain.durations import check_seconds

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    try:
        return check_seconds(value, "it")
    except UsageError as exc:
        raise argparse.ArgumentTypeError(f"{exc.message} (given {text!r})") from None

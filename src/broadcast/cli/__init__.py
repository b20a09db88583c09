"""The ``broadcast`` command: a click group; one thin module per command.

Every command parses its options and calls one domain function. The group's ``main`` is the one
place that catches ``BroadcastError``: a one-line message in the user's language and the right
exit code, with the traceback only under ``--debug``. The console script's ``main`` also makes
Ctrl-C and SIGTERM stop the process cleanly and any console able to print Vietnamese.
"""

from __future__ import annotations

import sys

from broadcast import i18n
from broadcast.operations import interrupts


def _language_from_argv(argv: list[str]) -> str | None:
    """``--lang`` read before click parses, so help texts are built in the asked language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _install_click_translation() -> None:
    """click builds its own sentences with gettext; route them through our catalogs."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting,
                   click.parser, click.types):
        if hasattr(module, "_"):
            module._ = i18n.translate_msgid
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.translate_plural


i18n.set_language(_language_from_argv(sys.argv) or i18n.detect_language())
_install_click_translation()

from broadcast.cli.app import cli  # noqa: E402  (the language must be set before help texts are built

VIETNAMESE_SAMPLE = "Đài truyền thanh xã Đắk Pơ: Ủy ban nhân dân"


def _holds_vietnamese(encoding: str | None) -> bool:
    try:
        VIETNAMESE_SAMPLE.encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _console_for_vietnamese(json_output: bool) -> None:
    """Output redirected on Windows gets the console code page (cp1252, cp1258), which cannot
    encode precomposed Vietnamese: such streams become UTF-8, and JSON is always UTF-8. Where
    even UTF-8 cannot encode a character (a lone surrogate from an undecodable file name), it
    is replaced: nothing printed may crash the program."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        changes = {}
        if (name == "stdout" and json_output) or not _holds_vietnamese(getattr(stream, "encoding", None)):
            changes["encoding"] = "utf-8"
        if getattr(stream, "errors", "strict") == "strict":
            changes["errors"] = "replace"
        if changes and hasattr(stream, "reconfigure"):
            stream.reconfigure(**changes)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``broadcast`` console script."""
    interrupts.install()
    try:
        args = sys.argv[1:] if argv is None else argv
        _console_for_vietnamese("--json" in args)
        cli.main(args=argv, prog_name="broadcast")
    except interrupts.Stopped as stopped:  # reported, once, by the group's main
        interrupts.leave(int(stopped.code))
    except SystemExit:
        # The command has finished and said so: a Ctrl-C now, while the interpreter shuts
        # down, would end the process killed by SIGINT, without a word.
        interrupts.ignore_further()
        raise
    except KeyboardInterrupt as exc:  # before click's main took over, or after it returned
        interrupts.ignore_further()
        sys.stderr.write(i18n.t("cli.interrupted") + "\n")
        interrupts.leave(interrupts.exit_code(exc))

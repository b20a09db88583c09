"""The ``broadcast`` command: a click group; one thin module per command.

Every command parses its options and calls one domain function. ``main`` is the one place that
catches ``BroadcastError``: a one-line message in the user's language and the right exit code,
with the traceback only under ``--debug``.
"""

from __future__ import annotations

import sys

from broadcast import i18n


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


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``broadcast`` console script."""
    cli.main(args=argv, prog_name="broadcast")

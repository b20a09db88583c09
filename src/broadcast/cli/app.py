"""The command group, its global options, and the one place errors become exit codes."""

from __future__ import annotations

import errno
import importlib
import os
import sys
from dataclasses import dataclass, field

import click

from broadcast import __version__, i18n
from broadcast.errors import EXIT_FAILURE, BroadcastError
from broadcast.i18n import t
from broadcast.operations import interrupts


@dataclass
class State:
    """What the global options say; commands open the campaign through it, once."""

    workspace_option: str | None = None
    debug: bool = False
    _campaign: object = field(default=None, repr=False)

    def campaign(self):  # -> operations.campaign.Campaign
        if self._campaign is None:
            from broadcast.operations import campaign

            self._campaign = campaign.find(self.workspace_option)
        return self._campaign


COMMANDS = ("init", "check", "spoken", "render", "tags", "schedule", "build", "usb", "image", "verify",
            "publish", "share", "pull", "keys", "report", "asrun", "ui")
"""One module per command, ``broadcast.cli.<name>``, imported only when that command runs: an
officer's ``broadcast check`` does not wait for the speech engines and the cloud library."""


class _Interrupted(BaseException):
    """Ctrl-C or SIGTERM carried past click, which would print "Aborted!" and exit 1."""


class BroadcastGroup(click.Group):
    """A group whose ``main`` turns every ``BroadcastError`` into one line and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return importlib.import_module(f"broadcast.cli.{name}").command

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:  # Terminated (SIGTERM) too
            raise _Interrupted() from exc

    def main(self, args=None, prog_name=None, **extra):  # type: ignore[override]
        args = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in args
        try:
            # Not standalone: click returns the exit code of --help/--version, or the command's.
            code = super().main(args=args, prog_name=prog_name or "broadcast",
                                standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except (_Interrupted, KeyboardInterrupt, click.Abort) as exc:  # Abort: Ctrl-C at a prompt
            _stopped(exc.__cause__ or exc)
        except BroadcastError as exc:
            if debug:
                raise
            click.echo(exc.message(), err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            if debug:
                raise
            click.echo(_os_message(exc), err=True)
            sys.exit(EXIT_FAILURE)
        except Exception as exc:  # a bug: say so in one line, keep the details for --debug
            if debug:
                raise
            click.echo(t("cli.internal_error", detail=f"{type(exc).__name__}: {exc}"), err=True)
            sys.exit(EXIT_FAILURE)
        sys.exit(code if isinstance(code, int) else 0)


_OS_KEYS = {errno.EROFS: "cli.os_read_only", errno.ENOSPC: "cli.os_full",
            errno.EACCES: "cli.os_denied", errno.EPERM: "cli.os_denied"}


def _os_message(exc: OSError) -> str:
    """The disk's failure in the user's words, naming the user's folder rather than one of
    broadcast's own hidden temporary names in it (``.x.img.ab12cd34.part``)."""
    path = exc.filename or ""
    name = os.path.basename(str(path))
    if name.startswith(".") and (name.endswith(".part") or ".broadcast-" in name):
        path = os.path.dirname(str(path)) or "."
    key = _OS_KEYS.get(exc.errno or 0)
    if key is None:
        return t("cli.os_error", path=path, reason=exc.strerror or exc)
    return t(key, path=path)


def _stopped(cause: BaseException) -> None:
    """One line in the user's language, then 130 (Ctrl-C) or 143 (SIGTERM)."""
    interrupts.ignore_further()
    click.echo(t("cli.interrupted"), err=True)
    raise interrupts.Stopped(interrupts.exit_code(cause))


@click.group(cls=BroadcastGroup, help=t("cli.help"))
@click.option("-w", "--workspace", "workspace", metavar=t("cli.dir_metavar"),
              help=t("cli.workspace_help"))
@click.option("--lang", type=click.Choice(i18n.LANGUAGES), help=t("cli.lang_help"))
@click.option("--debug", is_flag=True, help=t("cli.debug_help"))
@click.version_option(__version__, prog_name="broadcast")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None, lang: str | None, debug: bool) -> None:
    i18n.set_language(lang or i18n.detect_language())
    ctx.obj = State(workspace_option=workspace, debug=debug)

"""``broadcast`` and ``python -m broadcast``: the command line, with Ctrl-C and SIGTERM caught
from the first line. Importing the command line takes a few hundred milliseconds (click, YAML, the catalogs);
a signal in that window would otherwise end the process with a traceback, or killed by SIGINT,
instead of the project's one line and 130 (143 for SIGTERM)."""

import _signal as signal  # built in, no import time: ``signal`` itself pulls in enum
import sys


class _StoppedEarly(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop_early(signum: int, _frame: object) -> None:
    raise _StoppedEarly(signum)


_stop_early.broadcast_early = True  # interrupts.install replaces it with the real handlers


def _guard() -> None:
    for signum, default in ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, signal.SIG_DFL)):
        if signal.getsignal(signum) is default:  # a signal the parent ignores stays ignored
            signal.signal(signum, _stop_early)


def _stopped_early(stop: _StoppedEarly, imported_before: set[str]) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    for name in set(sys.modules) - imported_before:  # half imported when the signal came
        del sys.modules[name]
    from broadcast import i18n

    argv = sys.argv[1:]
    asked = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--lang"), None)
    i18n.set_language(asked if asked in i18n.LANGUAGES else i18n.detect_language())
    line = i18n.t("cli.interrupted") + "\n"
    try:
        sys.stderr.write(line)
        sys.stderr.flush()
    except UnicodeEncodeError:  # a console code page that cannot hold Vietnamese
        sys.stderr.buffer.write(line.encode("utf-8"))
        sys.stderr.flush()
    sys.exit(143 if stop.signum == signal.SIGTERM else 130)


def run() -> None:
    """The ``broadcast`` command: the guard first, then the command line. The installed console
    script starts here too, so it imports only this small module before the guard is up."""
    _guard()
    imported = set(sys.modules)
    try:
        from broadcast.cli import main
    except _StoppedEarly as stop:
        _stopped_early(stop, imported)
    main()


if __name__ == "__main__":
    run()

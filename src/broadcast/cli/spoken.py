"""broadcast spoken [--explain] [TEXT]: print a script exactly as it will be spoken."""

import sys

import click

from broadcast import textprep
from broadcast.errors import InputError
from broadcast.i18n import t


@click.command("spoken", help=t("cli.spoken.help"))
@click.argument("text", required=False)
@click.option("--explain", is_flag=True, help=t("textprep.explain_help"))
@click.pass_obj
def command(state, text: str | None, explain: bool) -> None:
    if text is None:
        text = sys.stdin.read()
    lexicon = textprep.builtin_lexicon()
    try:
        ws, _ = state.workspace()
        lexicon = lexicon.extended(ws.lexicon_abbreviations, ws.lexicon_words)
    except InputError:
        if state.workspace_option:
            raise
        # Outside a workspace the built-in lexicon still lets an editor check a script.
    if not explain:
        click.echo(textprep.prepare(text, lexicon))
        return
    for line in textprep.explanation_lines(textprep.explain(text, lexicon), lexicon):
        click.echo(line)

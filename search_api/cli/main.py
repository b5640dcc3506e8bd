"""The ``policy-search`` command: one group, errors mapped to stderr and exit status once."""

from __future__ import annotations

import sys

import click

from models.errors import PolicySearchError
from search_api.cli import (
    fetch_command,
    index_commands,
    query_commands,
    theme_commands,
    watch_command,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policy-search")
def cli() -> None:
    """Semantic search over policy meeting minutes.

    Index minutes (Diet/Kokkai JSON, 議事要旨 summaries, council transcripts, English minutes),
    then search them from the command line or over HTTP.
    """


for _command in (
    *index_commands.COMMANDS,
    *query_commands.COMMANDS,
    *fetch_command.COMMANDS,
    *watch_command.COMMANDS,
    *theme_commands.COMMANDS,
):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; any PolicySearchError becomes a message on stderr and exit status 1."""
    try:
        status = cli.main(args=argv, prog_name="policy-search", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except PolicySearchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    # Without standalone mode, click returns the status given to ctx.exit() instead of exiting.
    if isinstance(status, int) and status != 0:
        sys.exit(status)


if __name__ == "__main__":
    main()

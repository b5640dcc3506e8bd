"""CLI commands (index side); registered by search_api.cli.main."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []

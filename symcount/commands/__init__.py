"""CLI commands beyond summary, explain and layers; see symcount.cli.COMMAND_MODULES."""

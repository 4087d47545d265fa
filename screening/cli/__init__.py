"""`flask --app screening.app ...` commands, a module per group; each a thin wrapper
over the services and the core, its docstring its help."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from screening.cli import (
        bank,
        exports,
        jobs,
        outbox,
        outcomes,
        reports,
        results,
        retention,
        setup,
        users,
    )

    for command in (
        setup.setup_command,
        setup.demo_command,
        bank.bank_group,
        users.users_group,
        users.api_tokens_group,
        results.rescore_command,
        exports.export_command,
        retention.purge_command,
        retention.erase_command,
        reports.report_command,
        outbox.outbox_group,
        jobs.jobs_group,
        outcomes.outcomes_group,
    ):
        app.cli.add_command(command)

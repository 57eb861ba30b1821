"""The `migrate` group, and the one place where errors become messages and exit codes."""

from __future__ import annotations

import sys
import traceback

import click
from sqlalchemy.exc import SQLAlchemyError

from migrate import __version__
from migrate.cli.context import AppContext
from migrate.errors import ExitCode, MigrateError


class _Interrupted(Exception):
    """Ctrl-C while a command ran, carried past click (which would print a blank line first) to `main`."""


class _Group(click.Group):
    """The top-level group: commands listed in the order of the work (not alphabetically), each with the whole
    first line of its help."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order _register_commands adds them

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, command.get_short_help_str(limit=1_000)) for name in self.list_commands(ctx)
                if not (command := self.commands[name]).hidden]
        with formatter.section("Commands, in the order of the work"):
            formatter.write_dl(rows)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option("--db", "db_url", metavar="URL", envvar="MIGRATE_DB",
              help="Inventory database: sqlite:///file.db (default: migrate.db here) or "
                   "postgresql+psycopg://user@host/db. Env: MIGRATE_DB.")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or messages on stderr.")
@click.version_option(__version__, prog_name="migrate")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, debug: bool, quiet: bool) -> None:
    """Move a VMware vSphere estate to Proxmox VE: discover, assess, plan and migrate it.

    \b
    Example:
      migrate db upgrade
      migrate source add prod-vc --vcenter vc.example.com --user administrator@vsphere.local
      migrate discover
      migrate inventory list
    """
    app = ctx.ensure_object(AppContext)
    app.db_url, app.debug, app.quiet = db_url, debug, quiet
    ctx.call_on_close(app.dispose)


def _register_commands() -> None:
    from migrate.cli import (cutover, db, discover, finalize, inventory, mapping, plan, readiness, rehearse, report,
                             run, runbook, source, sync, target, wave)

    cli.add_command(db.db)
    cli.add_command(source.source)
    cli.add_command(discover.discover)
    cli.add_command(inventory.inventory)
    cli.add_command(mapping.mapping)
    cli.add_command(mapping.map_group)
    cli.add_command(readiness.readiness)
    cli.add_command(target.target)
    cli.add_command(wave.wave)
    cli.add_command(plan.plan)
    cli.add_command(runbook.runbook)
    cli.add_command(sync.sync)
    cli.add_command(rehearse.test)
    cli.add_command(run.run)
    cli.add_command(cutover.cutover)
    cli.add_command(run.status)
    cli.add_command(run.rollback)
    cli.add_command(finalize.finalize)
    cli.add_command(report.report)


_register_commands()


def main(argv: list[str] | None = None, app: AppContext | None = None) -> int:
    """Run the command line; returns (and as a script exits with) the exit code."""
    app = app or AppContext()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, obj=app, standalone_mode=False, prog_name="migrate")
        return ExitCode.OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show(file=app.stderr)
        return ExitCode.USAGE if isinstance(exc, click.UsageError) else ExitCode.ERROR
    except click.exceptions.Abort:
        print("migrate: interrupted", file=app.stderr)
        return ExitCode.INTERRUPTED
    except (KeyboardInterrupt, _Interrupted):
        print("migrate: interrupted", file=app.stderr)
        return ExitCode.INTERRUPTED
    except MigrateError as exc:
        return _fail(app, debug, str(exc), exc.exit_code)
    except SQLAlchemyError as exc:
        message = f"the database refused the operation ({type(exc).__name__}: {getattr(exc, 'orig', exc)})"
        return _fail(app, debug, message + ": check --db, or run `migrate db upgrade`", ExitCode.DATABASE)


def _fail(app: AppContext, debug: bool, message: str, code: int) -> int:
    if debug:
        traceback.print_exc(file=app.stderr)
    # One line, even if a library's message has several (psycopg adds an indented hint).
    print(f"migrate: error: {' '.join(part.strip() for part in message.splitlines())}", file=app.stderr)
    return code


def run() -> None:
    sys.exit(main())

"""Run a wave of the tracing itinerary in its own process (killed by failpoints in the crash tests)."""

import sys
from pathlib import Path

from migrate.db.execution_models import RunStatus
from migrate.db.session import make_engine, session_factory
from migrate.execution import journal
from migrate.execution.engine import Limits, WorkItem, run_wave
from migrate.execution.locks import VmLocker
from tests.execution.engine_support import StubServices, tracing_itinerary, tracing_plan

db_url, trace, *names = sys.argv[1:]
engine = make_engine(db_url)
sessions = session_factory(engine)
with sessions() as session:
    from sqlalchemy import select

    from migrate.db.models import VmRecord

    vms = session.execute(select(VmRecord.id, VmRecord.name).where(VmRecord.name.in_(names)).order_by(VmRecord.id)).all()
    migrations = journal.ensure_vm_migrations(session, 1, vms)
    run = journal.begin_run(session, 1, {})
work = [WorkItem(m.id, m.vm_name, tracing_plan("disk-0", "disk-1"), ("node:pve1",)) for m in migrations
        if m.vm_name in names]
outcome = run_wave(sessions, VmLocker(engine), run.id, work, tracing_itinerary(Path(trace)), StubServices(),
                   Limits(total=1))
with sessions() as session:
    journal.end_run(session, run.id, RunStatus.FAILED if outcome.failed else RunStatus.SUCCEEDED)
print(f"done={len(outcome.done)} failed={len(outcome.failed)}")

"""Run `execute_wave` in a process of its own (the crash tests kill it with a failpoint): db_url bed.json [VM...],
the VMs to migrate again after a rollback, and `only=NAME` for each VM the run is limited to."""

import json
import sys

from migrate.db.session import make_engine, session_factory
from migrate.execution.wave import execute_wave
from tests.execution.wave_bed import options_of, services_factory

db_url, bed_file = sys.argv[1:3]
bed = json.loads(open(bed_file).read())
sessions = session_factory(make_engine(db_url))
names = sys.argv[3:]
only = [name.removeprefix("only=") for name in names if name.startswith("only=")]
again = [name for name in names if not name.startswith("only=")]
result = execute_wave(sessions, 1, options_of(bed, parallel=1), services_factory(bed), again=again, only=only)
print(json.dumps({"done": result.outcome.done, "failed": result.outcome.failed}))
sys.exit(1 if result.outcome.failed else 0)

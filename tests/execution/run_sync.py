"""Run `sync_wave` in a process of its own (the crash drill kills it with a failpoint): db_url bed.json VM."""

import json
import sys

from migrate.db.session import make_engine, session_factory
from migrate.execution.sync import sync_wave
from tests.execution.wave_bed import options_of, services_factory

db_url, bed_file, vm = sys.argv[1:4]
bed = json.loads(open(bed_file).read())
result = sync_wave(session_factory(make_engine(db_url)), 1, options_of(bed, parallel=1), services_factory(bed),
                   only=[vm])
print(json.dumps({"passes": [p.number for p in result.passes], "failed": result.failed}))
sys.exit(1 if result.failed else 0)

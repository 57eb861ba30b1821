"""Every readiness rule, one per module named `<id>_<what>.py`, found here in id order.

Bump RULES_VERSION whenever a rule is added, removed, or changes what it finds: it is stored with
every result so that two reports can be compared only when they were judged by the same rules.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType

from migrate.inventory.model import Vm
from migrate.readiness.context import RuleContext
from migrate.readiness.rule import Outcome, Rule

RULES_VERSION = 5  # 5: CNV-01/02/03, the conversion's support matrix; DRV-01/02 and the device rules follow the conversion (VirtIO at once); 2: ID-05, duplicate BIOS UUIDs; 3: DRV-02, DRV-03, NET-07; OS-01/02, FW-02 follow the config; INV-03 info; 4: DSK-08, DSK-09 blockers as preflight refuses them, DSK-11 and DEV-04 follow the config, NET-06 and DSK-17 judge the maps apart; rules name the facts they need and say "not assessed" without them, OS-02/03/04/05 read OS names, TLS-01 toolsNotRunning, NET-01/02/04 unknown without IP origins or MACs, DSK-13 counts the config's buses


@dataclass(frozen=True, slots=True)
class LoadedRule:
    rule: Rule
    check: Callable[[Vm, RuleContext], Iterable[Outcome]]
    module: str


def _load(module: ModuleType) -> LoadedRule:
    return LoadedRule(module.RULE, module.check, module.__name__.rsplit(".", 1)[-1])


ALL_RULES: tuple[LoadedRule, ...] = tuple(
    _load(importlib.import_module(f"{__name__}.{info.name}"))
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
)

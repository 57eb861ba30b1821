"""What changed in a VM between two discoveries, as a short list a consultant can read."""

from __future__ import annotations

from typing import Any

# Lists are summarised by their length and the identifying field of each item, not dumped whole.
_LIST_ITEM_NAMES = {
    "disks": "label",
    "nics": "label",
    "controllers": "model",
    "devices": "kind",
    "snapshots": "name",
    "partitions": "path",
}


def diff_facts(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields that differ between two VM documents, each as {field, old, new}, in field order."""
    changes = []
    for name in new.keys() | old.keys():
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name in _LIST_ITEM_NAMES:
            before, after = _summarise(name, before), _summarise(name, after)
            if before == after:
                before, after = f"{before} (details changed)", after
        changes.append({"field": name, "old": before, "new": after})
    order = list(new.keys())
    changes.sort(key=lambda c: order.index(c["field"]) if c["field"] in order else len(order))
    return changes


def _summarise(name: str, items: list[dict[str, Any]] | None) -> str:
    items = items or []
    key = _LIST_ITEM_NAMES[name]
    labels = ", ".join(str(item.get(key)) for item in items)
    return f"{len(items)} {name}" + (f": {labels}" if labels else "")

"""The vCenter API as a discovery source: one property-collector harvest, mapped into an `Inventory`."""

from migrate.discovery.vcenter.discover import DiscoveryOutcome, DiscoveryResult, discover_source, discover_vcenter

__all__ = ["DiscoveryOutcome", "DiscoveryResult", "discover_source", "discover_vcenter"]

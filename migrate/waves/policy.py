"""How a wave's sources are stopped: the policy agreed with the customer for the wave's change window."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SHUTDOWN_TIMEOUT = 300


@dataclass(frozen=True)
class StopPolicy:
    """Wait `shutdown_timeout` seconds for a guest shutdown through VMware Tools; then power the VM off hard
    only if `allow_power_off` (otherwise the VM fails its stop step and stays on, for an operator to look at)."""

    shutdown_timeout: int = DEFAULT_SHUTDOWN_TIMEOUT
    allow_power_off: bool = False

    def describe(self) -> str:
        then = "then powered off" if self.allow_power_off else "never powered off hard"
        return f"guest shutdown, {self.shutdown_timeout} s to go down, {then}"

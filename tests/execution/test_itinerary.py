"""Steps as data: what a step sees is typed, and the run's services give the steps all they call."""

from __future__ import annotations

from migrate.execution import itinerary, services


def test_the_run_services_have_everything_the_steps_call():
    wanted = set(itinerary.Services.__annotations__) | {
        name for name in vars(itinerary.Services) if not name.startswith("_")}
    concrete = services.Services
    assert wanted and all(hasattr(concrete, name) or name in concrete.__dataclass_fields__ for name in wanted)

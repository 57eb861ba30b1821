"""The steps of a VM's migration, one module each; `ITINERARY` (in `migrate.execution.itinerary_run`) orders them."""

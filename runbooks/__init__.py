"""The runbook templates (Jinja2), installed as `migrate.runbooks`; `migrate.runbook.render` finds them there."""

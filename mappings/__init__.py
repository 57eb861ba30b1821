"""The bundled mapping rules (guest OS table, hardware defaults) and an example source map, installed as
`migrate.mappings`; `migrate.mapping.files` finds them there. Customers' `mappings/<source>.yaml` files are
written to the working directory, never into the package."""

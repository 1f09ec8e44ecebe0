"""The Saleor host: the only subpackage that imports ``saleor`` (plugin, adapters, host, schema, tasks)."""

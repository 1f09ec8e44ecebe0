"""Management commands of the plugin (cron-friendly equivalents of its Celery beat entries)."""

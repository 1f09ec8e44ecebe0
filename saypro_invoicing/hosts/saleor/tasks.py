"""Registers the plugin's Celery tasks in Saleor's workers.

saleor/celeryconf.py autodiscovers ``<app>.tasks`` of INSTALLED_APPS and ``<plugin package>.tasks``
of settings.PLUGINS: for our plugin class that is this module. Without it a worker would refuse
``saypro_invoicing.deliver_document`` as an unregistered task.
"""

from ...tasks import delivery_tasks, sla_tasks

__all__ = ["delivery_tasks", "sla_tasks"]

from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "saypro_invoicing.hosts.sandbox"
    label = "saypro_sandbox"
    verbose_name = "SayPro Invoicing sandbox host"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The sandbox's Celery app becomes the current app, so shared tasks follow the Django
        # settings (eager without a broker) in the demo and the tests, not Celery's bare default.
        from . import worker  # noqa: F401

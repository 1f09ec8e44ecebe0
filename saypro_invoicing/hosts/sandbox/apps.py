from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "saypro_invoicing.hosts.sandbox"
    label = "saypro_sandbox"
    verbose_name = "SayPro Invoicing sandbox host"
    default_auto_field = "django.db.models.BigAutoField"

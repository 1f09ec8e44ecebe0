from __future__ import annotations

import uuid

from django.db import models


class SandboxChannel(models.Model):
    slug = models.SlugField(unique=True)
    active = models.BooleanField(default=True)
    configuration = models.JSONField(default=dict, help_text="The plugin configuration, as Saleor would store it.")


class SandboxOrder(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    number = models.CharField(max_length=32, unique=True)
    channel = models.CharField(max_length=128)
    user_id = models.CharField(max_length=64, blank=True, default="")
    data = models.JSONField(help_text="The order as an OrderSnapshot.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        permissions = [("manage_orders", "Manage orders (MANAGE_ORDERS)")]


class SandboxApp(models.Model):
    """An app token, like Saleor's apps: a Bearer token with permissions."""

    name = models.CharField(max_length=64)
    token = models.CharField(max_length=64, unique=True)
    manage_orders = models.BooleanField(default=False)

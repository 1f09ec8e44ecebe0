"""Delivery: getting issued documents to customers, and knowing that they got there.

- ``tasks``: the Celery tasks (deliver_document, deliver_sms, retry_due_deliveries, send_staff_alert,
  send_due_reminders); ``beat.BEAT_SCHEDULE`` for Celery beat.
- ``service.deliver``: one delivery (claim, send, record, status, retry or fallback).
- ``resend.resend`` / ``resend.clear_suppression``: staff and customer requests.
- ``email``, ``connection``, ``sms``: composing and handing over messages.
- ``status``, ``retry``, ``suppression``, ``fallback``: the rules.
- ``webhooks.tracking_view``: ESP tracking events through django-anymail.
- ``reminders.send_due_reminders``: unpaid invoice reminders.
"""

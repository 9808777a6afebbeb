"""What the groups app tells the apps above it, without importing them."""

from django.dispatch import Signal

group_invitation_created = Signal()
"""Sent with `invitation_id` after a new group invitation committed (notifications mail its
recipients). Receivers should only enqueue tasks."""

"""Signal receivers: they only enqueue tasks on the `small` queue (never mail in a request)."""

from typing import Any

from django.dispatch import receiver

from autograder.common.enqueue import enqueue_small_on_commit
from autograder.groups.signals import group_invitation_created
from autograder.notifications import tasks


@receiver(group_invitation_created, dispatch_uid="notifications-group-invitation")
def group_invitation_notify(sender: object, invitation_id: int, **kwargs: Any) -> None:
    enqueue_small_on_commit(tasks.send_group_invitation, invitation_id)

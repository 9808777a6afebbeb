"""Writes about courses: late-day balances (rosters and course CRUD live beside them)."""

from django.db import transaction

from autograder.accounts.models import User
from autograder.courses.models import Course, LateDayBalance


def _locked_balance(*, course: Course, user: User) -> LateDayBalance:
    LateDayBalance.objects.get_or_create(course=course, user=user)
    balance = LateDayBalance.objects.select_for_update().get(course=course, user=user)
    balance.course = course
    return balance


def late_days_charge(*, course: Course, user: User, days: int) -> bool:
    """Spends `days` of the user's late days if they have that many; returns whether it did.
    The balance row is locked, so two submissions cannot spend the same day."""
    if days <= 0:
        return True
    with transaction.atomic():
        balance = _locked_balance(course=course, user=user)
        if balance.remaining < days:
            return False
        balance.used += days
        balance.save(update_fields=["used"])
    return True


def late_days_refund(*, course: Course, user: User, days: int) -> None:
    if days <= 0:
        return
    with transaction.atomic():
        balance = _locked_balance(course=course, user=user)
        balance.used = max(0, balance.used - days)
        balance.save(update_fields=["used"])

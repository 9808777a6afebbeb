"""Each course's daily allowance of language-model calls and tokens: the site's
(`AG_LLM_DAILY_*`), or the course's own where a superuser set one (`EiplCourseLimits`).

Charged one call at a time by a conditional UPDATE, so two workers can't both spend the last
call; a day is a UTC date.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from autograder.eipl.models import EiplCourseLimits, EiplUsage


@dataclass(frozen=True)
class Budget:
    day: datetime.date
    calls_used: int
    calls_limit: int
    """0: no limit."""
    tokens_used: int
    tokens_limit: int
    """0: no limit."""

    @property
    def calls_left(self) -> int | None:
        return None if not self.calls_limit else max(self.calls_limit - self.calls_used, 0)

    def allows(self, calls: int) -> bool:
        if self.tokens_limit and self.tokens_used >= self.tokens_limit:
            return False
        left = self.calls_left
        return left is None or left >= calls

    def refusal(self) -> str:
        if self.tokens_limit and self.tokens_used >= self.tokens_limit:
            spent = f"its {self.tokens_limit} language-model tokens"
        else:
            spent = f"its {self.calls_limit} language-model calls"
        return (
            f"This course has used {spent} for today; explanations are accepted again "
            "after midnight UTC."
        )


def today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


@dataclass(frozen=True)
class Limits:
    calls: int
    """0: no limit."""
    tokens: int
    """0: no limit."""
    calls_own: bool
    """Set for this course (else the site's)."""
    tokens_own: bool


def limits_of(*, course_id: int) -> Limits:
    """The course's daily limits: its own where a superuser set them, else the site's."""
    own = EiplCourseLimits.objects.filter(course_id=course_id).first()
    calls = own.daily_calls if own else None
    tokens = own.daily_tokens if own else None
    return Limits(
        calls=settings.LLM_DAILY_CALLS_PER_COURSE if calls is None else calls,
        tokens=settings.LLM_DAILY_TOKENS_PER_COURSE if tokens is None else tokens,
        calls_own=calls is not None,
        tokens_own=tokens is not None,
    )


def limits_set(*, course_id: int, daily_calls: int | None, daily_tokens: int | None) -> Limits:
    """Gives the course limits of its own (None: the site's again). Applies at once, to the
    rest of today too."""
    if daily_calls is None and daily_tokens is None:
        EiplCourseLimits.objects.filter(course_id=course_id).delete()
    else:
        EiplCourseLimits.objects.update_or_create(
            course_id=course_id,
            defaults={"daily_calls": daily_calls, "daily_tokens": daily_tokens},
        )
    return limits_of(course_id=course_id)


def budget_of(*, course_id: int) -> Budget:
    day = today()
    usage = EiplUsage.objects.filter(course_id=course_id, day=day).first()
    limits = limits_of(course_id=course_id)
    return Budget(
        day=day,
        calls_used=usage.calls if usage else 0,
        calls_limit=limits.calls,
        tokens_used=usage.tokens if usage else 0,
        tokens_limit=limits.tokens,
    )


def _usage_row(course_id: int, day: datetime.date) -> None:
    if EiplUsage.objects.filter(course_id=course_id, day=day).exists():
        return
    try:
        with transaction.atomic():
            EiplUsage.objects.create(course_id=course_id, day=day)
    except IntegrityError:
        pass  # another worker made it


def call_charge(*, course_id: int) -> bool:
    """Spends one call of today's budget; False (and nothing spent) when it is used up."""
    day = today()
    _usage_row(course_id, day)
    rows = EiplUsage.objects.filter(course_id=course_id, day=day)
    limits = limits_of(course_id=course_id)
    if limits.calls:
        rows = rows.filter(calls__lt=limits.calls)
    if limits.tokens:
        rows = rows.filter(tokens__lt=limits.tokens)
    return rows.update(calls=F("calls") + 1) == 1


def tokens_charge(*, course_id: int, tokens: int) -> None:
    EiplUsage.objects.filter(course_id=course_id, day=today()).update(tokens=F("tokens") + tokens)

"""What invalidates the cached results and gradebook pages (`cache.py`): every write that can
change them sends a Django signal handled here, and bumps the versions they were cached under
once its transaction commits.

The test configuration's bulk reordering (`config.services.editing`) writes without signals
and bumps `cache.CONFIG` itself."""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from autograder.accounts.models import User
from autograder.common import versioned_cache as cache
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.results.models import (
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions.models import Submission
from autograder.submissions.signals import submission_status_changed

_CONFIG_MODELS = (AGTestSuite, AGTestCase, AGTestCommand, Project)


def _submission_changed(submission_id: int | None, project_id: int | None = None) -> None:
    if submission_id is None:
        return
    if project_id is None:
        project_id = (
            Submission.objects.filter(pk=submission_id).values_list("project_id", flat=True).first()
        )
    scopes = [cache.submission_scope(submission_id)]
    if project_id is not None:
        scopes.append(cache.project_scope(project_id))
    cache.bump(scopes)


def _config_changed(sender: Any, **kwargs: Any) -> None:
    cache.bump([cache.CONFIG])


for _model in _CONFIG_MODELS:
    post_save.connect(_config_changed, sender=_model, dispatch_uid=f"results-cache-{_model}")
    post_delete.connect(_config_changed, sender=_model, dispatch_uid=f"results-cache-d-{_model}")


@receiver(post_save, sender=User, dispatch_uid="results-cache-user")
def _user_saved(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """Usernames show in the gradebook; a login (which saves only `last_login`) changes
    nothing cached."""
    if update_fields is None or set(update_fields) != {"last_login"}:
        cache.bump([cache.CONFIG])


def _result_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not cache.enabled():
        return
    if isinstance(instance, AGTestSuiteResult):
        _submission_changed(instance.submission_id)
    elif isinstance(instance, AGTestCaseResult):
        suites = AGTestSuiteResult.objects.filter(pk=instance.suite_result_id)
        _submission_changed(suites.values_list("submission_id", flat=True).first())
    elif isinstance(instance, AGTestCommandResult):
        cases = AGTestCaseResult.objects.filter(pk=instance.case_result_id)
        _submission_changed(cases.values_list("suite_result__submission_id", flat=True).first())


for _result_model in (AGTestSuiteResult, AGTestCaseResult, AGTestCommandResult):
    post_save.connect(
        _result_changed, sender=_result_model, dispatch_uid=f"results-cache-{_result_model}"
    )
    post_delete.connect(
        _result_changed, sender=_result_model, dispatch_uid=f"results-cache-d-{_result_model}"
    )


_OTHER_APPS_SHOWN = {"mutation", "handgrading"}
"""Apps whose rows show in results or the gradebook without grading importing them (mutation
suites in results; handgrading points in the gradebook through its column registry)."""


def _other_app_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A row of such an app changed: what it belongs to, when it says (a submission), else
    everything (its configuration, or rows that say neither)."""
    if sender._meta.app_label not in _OTHER_APPS_SHOWN or not cache.enabled():
        return
    submission_id = getattr(instance, "submission_id", None)
    if isinstance(submission_id, int):
        _submission_changed(submission_id)
    else:
        cache.bump([cache.CONFIG])


post_save.connect(_other_app_changed, dispatch_uid="results-cache-other-apps")
post_delete.connect(_other_app_changed, dispatch_uid="results-cache-other-apps-d")


@receiver(submission_status_changed, dispatch_uid="results-cache-status")
def _status_changed(sender: Any, *, submission_id: int, **kwargs: Any) -> None:
    _submission_changed(submission_id)


@receiver(post_save, sender=Submission, dispatch_uid="results-cache-submission")
@receiver(post_delete, sender=Submission, dispatch_uid="results-cache-submission-d")
def _submission_saved(sender: Any, instance: Submission, **kwargs: Any) -> None:
    _submission_changed(instance.pk, instance.project_id)


@receiver(post_save, sender=Group, dispatch_uid="results-cache-group")
@receiver(post_delete, sender=Group, dispatch_uid="results-cache-group-d")
def _group_saved(sender: Any, instance: Group, **kwargs: Any) -> None:
    cache.bump([cache.project_scope(instance.project_id)])


@receiver(m2m_changed, sender=Group.members.through, dispatch_uid="results-cache-members")
def _members_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Group):
        cache.bump([cache.project_scope(instance.project_id)])
    else:  # changed from the user's side: which projects is not worth finding out
        cache.bump([cache.CONFIG])


@receiver(
    m2m_changed, sender=Submission.does_not_count_for.through, dispatch_uid="results-cache-dncf"
)
def _not_counted_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Submission):
        _submission_changed(instance.pk, instance.project_id)
    else:
        cache.bump([cache.CONFIG])

"""Schemathesis hooks for one role's fuzz run (loaded by `st run` via SCHEMATHESIS_HOOKS).

- Ids: generated integers alone almost never name a real row, so every operation would
  answer 404 (or 400 "no such group") and the fuzz would stay shallow. Half of the integer
  ids in a path, and half of the body fields that name rows or people (`other_group`,
  `members`, `ids` of a reorder, ...), are swapped for rows and usernames `fuzz.seed` made for
  this role's course (a seeded random choice: FUZZ_RANDOM_SEED repeats a run).
- The role's own API token is never revoked (that would turn the rest of the run into 401s).
- `bad_input_names_a_field`: a 400 that names no field is a validation check missing from
  a serializer (the database refused the value instead).
- Every response is counted by status code; the counts go to FUZZ_STATS (JSON) at exit, so
  the driver can report requests and 5xx per role.

Environment: FUZZ_SEED (the seed JSON file), FUZZ_ROLE, FUZZ_STATS, FUZZ_RANDOM_SEED.
"""

import atexit
import json
import os
import random
import threading
from collections import Counter
from typing import Any

import schemathesis

with open(os.environ["FUZZ_SEED"]) as seed_file:
    _seed = json.load(seed_file)[os.environ["FUZZ_ROLE"]]
_ids: dict[str, list[int]] = _seed["ids"]
_auth_token_id: int | None = _seed["auth_token_id"]
_usernames: list[str] = _seed["usernames"]
_random = random.Random(int(os.environ.get("FUZZ_RANDOM_SEED", "0")))
_lock = threading.Lock()
_statuses: Counter[str] = Counter()
_server_errors: list[str] = []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_BODY_IDS = {
    "other_group": "group_id",
    "target_course": "course_id",
    "target_project": "project_id",
    "suite": "suite_id",
    "stdin_instructor_file": "instructor_file_id",
    "expected_stdout_instructor_file": "instructor_file_id",
    "expected_stderr_instructor_file": "instructor_file_id",
}
"""Body fields that name one row → the path parameter whose seeded ids fit them."""
_BODY_ID_LISTS = {
    "instructor_files_needed": "instructor_file_id",
    "student_files_needed": "expected_file_id",
    "submission_ids": "submission_id",
}
_BODY_USERNAMES = ("members", "recipients", "users")
_ORDERED = {
    "/suites/order/": "suite_id",
    "/cases/order/": "case_id",
    "/commands/order/": "command_id",
}
"""Reorder endpoints want every id of their list exactly once: sometimes send just that."""


def _swap_body_ids(case: schemathesis.Case[Any]) -> None:
    body = case.body
    if not isinstance(body, dict):
        return
    for name, value in body.items():
        if _random.random() >= 0.5:
            continue
        if name in _BODY_IDS and _ids.get(_BODY_IDS[name]):
            body[name] = _random.choice(_ids[_BODY_IDS[name]])
        elif name in _BODY_ID_LISTS and isinstance(value, list):
            pool = _ids.get(_BODY_ID_LISTS[name], [])
            body[name] = _random.sample(pool, _random.randint(0, len(pool)))
        elif name in _BODY_USERNAMES and isinstance(value, list):
            body[name] = _random.sample(_usernames, _random.randint(1, 2))
        elif name == "ids" and isinstance(value, list):
            kind = next((k for suffix, k in _ORDERED.items() if case.path.endswith(suffix)), None)
            if kind:
                body[name] = _random.sample(_ids[kind], len(_ids[kind]))


@schemathesis.hook
def before_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: Any
) -> None:
    params = case.path_parameters or {}
    with _lock:
        for name, value in params.items():
            choices = _ids.get(name)
            if choices and _is_int(value) and _random.random() < 0.5:
                params[name] = _random.choice(choices)
        _swap_body_ids(case)
    if params.get("token_id") == _auth_token_id and _auth_token_id is not None:
        params["token_id"] = 0


@schemathesis.hook
def after_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], response: schemathesis.Response
) -> None:
    with _lock:
        _statuses[str(response.status_code)] += 1
        if response.status_code >= 500:
            _server_errors.append(f"{response.status_code} {case.method} {case.formatted_path}")


@schemathesis.hook
def after_network_error(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], request: Any
) -> None:
    with _lock:
        _statuses["network_error"] += 1


@schemathesis.check
def bad_input_names_a_field(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """A 400 for bad input names the field and why. A 400 with code `invalid` and no field
    is the exception handler's fallback for values the database refused: a check that is
    missing from a serializer (docs/dev/api-conventions.md, "Errors")."""
    if response.status_code != 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("code") == "invalid" and not body.get("fields"):
        raise AssertionError(f"A 400 that names no field: {body.get('message')!r}")
    return None


def _dump() -> None:
    with open(os.environ["FUZZ_STATS"], "w") as out:
        json.dump({"statuses": dict(_statuses), "server_errors": _server_errors}, out)


atexit.register(_dump)

"""The API's URL patterns are spliced flat (autograder/urls.py): the same URLs, names and
views in the same order as the nested includes they come from."""

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, resolve, reverse

from autograder.urls import api_includes, api_patterns


def _routes(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, str | None, object]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name, pattern.callback


def test_the_flat_patterns_are_the_nested_ones_in_order() -> None:
    nested = list(_routes(api_includes))
    assert len(nested) > 100
    assert list(_routes(api_patterns)) == nested
    assert not any(isinstance(p, URLResolver) and str(p.pattern) == "" for p in api_patterns), (
        "an include without a prefix is left"
    )


def test_a_results_url_resolves_and_reverses_as_before() -> None:
    match = resolve("/api/submissions/7/results/")
    assert match.url_name == "submission-results"
    assert match.kwargs == {"submission_id": 7}
    assert reverse("submission-results", kwargs={"submission_id": 7}) == (
        "/api/submissions/7/results/"
    )

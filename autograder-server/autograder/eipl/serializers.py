from typing import Any

from rest_framework import serializers

from autograder.eipl.models import Language, PassRule


class EiplTestCase(serializers.Serializer[Any]):
    args = serializers.ListField(child=serializers.JSONField())
    expected = serializers.JSONField()
    points = serializers.IntegerField(required=False, min_value=0, max_value=10_000)


class EiplQuestionInput(serializers.Serializer[Any]):
    function_name = serializers.CharField(required=False, max_length=100)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    c_signature = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="C questions: the function's prototype, e.g. int add(int a, int b).",
    )
    file_name = serializers.CharField(required=False, max_length=100)
    prompt_template = serializers.CharField(required=False, max_length=20_000)
    system_prompt = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    temperature = serializers.FloatField(required=False, min_value=0, max_value=2)
    num_generations = serializers.IntegerField(required=False, min_value=1, max_value=5)
    pass_rule = serializers.ChoiceField(choices=PassRule.choices, required=False)
    max_explanation_chars = serializers.IntegerField(required=False, min_value=1, max_value=20_000)
    test_cases = EiplTestCase(many=True, required=False, max_length=200)  # type: ignore[call-arg]  # ListSerializer takes max_length; the stubs miss it
    points_per_case = serializers.IntegerField(required=False, min_value=0, max_value=10_000)


class EiplBudgetOutput(serializers.Serializer[Any]):
    day = serializers.DateField()
    calls_used = serializers.IntegerField()
    calls_limit = serializers.IntegerField(help_text="0: no limit.")
    tokens_used = serializers.IntegerField()
    tokens_limit = serializers.IntegerField(help_text="0: no limit.")


class EiplQuestionOutput(serializers.Serializer[Any]):
    project = serializers.IntegerField(source="project_id")
    function_name = serializers.CharField()
    language = serializers.ChoiceField(choices=Language.choices)
    c_signature = serializers.CharField(help_text="Normalized; empty for Python questions.")
    file_name = serializers.CharField()
    prompt_template = serializers.CharField()
    system_prompt = serializers.CharField()
    temperature = serializers.FloatField()
    num_generations = serializers.IntegerField()
    pass_rule = serializers.ChoiceField(choices=PassRule.choices)
    max_explanation_chars = serializers.IntegerField()
    test_cases = EiplTestCase(many=True)
    points_per_case = serializers.IntegerField()
    suite = serializers.IntegerField(source="suite_id", allow_null=True)
    llm_configured = serializers.BooleanField()
    budget = EiplBudgetOutput()


class EiplQuestionStudentOutput(serializers.Serializer[Any]):
    """What a student needs to explain: never the prompt or the test cases."""

    function_name = serializers.CharField()
    language = serializers.ChoiceField(choices=Language.choices)
    c_signature = serializers.CharField(help_text="C questions: the prototype to explain.")
    max_explanation_chars = serializers.IntegerField()
    num_generations = serializers.IntegerField()


class EiplForStudentOutput(serializers.Serializer[Any]):
    """Whether the project is an EiPL question (question null: an ordinary project)."""

    question = EiplQuestionStudentOutput(allow_null=True)


class EiplExplanationInput(serializers.Serializer[Any]):
    explanation = serializers.CharField(max_length=20_000, allow_blank=True)
    honor_pledge_accepted = serializers.BooleanField(default=False)


class EiplGenerationOutput(serializers.Serializer[Any]):
    file_name = serializers.CharField()
    code = serializers.CharField()


class EiplAttemptOutput(serializers.Serializer[Any]):
    submission = serializers.IntegerField(source="submission_id")
    explanation = serializers.CharField()
    state = serializers.CharField(help_text="generating, generated or failed.")
    generations = EiplGenerationOutput(many=True)
    error = serializers.CharField()
    llm_calls = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class EiplLimitsInput(serializers.Serializer[Any]):
    daily_calls = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        max_value=1_000_000_000,
        help_text="Null: the site's; 0: none.",
    )
    daily_tokens = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        max_value=10**15,
        help_text="Null: the site's; 0: none.",
    )


class EiplLimitsOutput(serializers.Serializer[Any]):
    course = serializers.IntegerField()
    calls_limit = serializers.IntegerField(help_text="In force today; 0: no limit.")
    tokens_limit = serializers.IntegerField(help_text="In force today; 0: no limit.")
    calls_own = serializers.BooleanField(help_text="The course's own limit (else the site's).")
    tokens_own = serializers.BooleanField(help_text="The course's own limit (else the site's).")
    site_calls_limit = serializers.IntegerField()
    site_tokens_limit = serializers.IntegerField()
    budget = EiplBudgetOutput(help_text="What the course used today.")

"""Asking an OpenAI-compatible chat completions endpoint for code.

Only the Celery task on the `llm` queue calls this module: the web tier never waits on the
model, and the API key (read from `AG_LLM_API_KEY_FILE`) never leaves this process.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import openai
from django.conf import settings


class LlmNotConfiguredError(Exception):
    """AG_LLM_BASE_URL or AG_LLM_MODEL is empty."""


class LlmTransientError(Exception):
    """A timeout, a lost connection or a 5xx/429: worth another try."""


class LlmRefusedError(Exception):
    """The endpoint answered with a 4xx (a bad key, an unknown model): another try won't help."""


@dataclass(frozen=True)
class Completion:
    text: str
    tokens: int


def is_configured() -> bool:
    return bool(settings.LLM_BASE_URL and settings.LLM_MODEL)


def _api_key() -> str:
    if not settings.LLM_API_KEY_FILE:
        return "none"  # the client insists on one; local endpoints ignore it
    return Path(settings.LLM_API_KEY_FILE).read_text().strip()


def complete(*, system: str, prompt: str, temperature: float) -> Completion:
    """One chat completion. Raises LlmTransientError, LlmRefusedError or
    LlmNotConfiguredError; never retries itself (the task does, with its backoff)."""
    if not is_configured():
        raise LlmNotConfiguredError("No language model is configured (AG_LLM_BASE_URL).")
    client = openai.OpenAI(
        base_url=settings.LLM_BASE_URL,
        api_key=_api_key(),
        timeout=settings.LLM_TIMEOUT_SECONDS,
        max_retries=0,
    )
    messages: list[dict[str, str]] = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": prompt})
    try:
        response = client.chat.completions.create(
            model=settings.LLM_MODEL,
            messages=messages,  # type: ignore[arg-type]  # TypedDicts; these dicts match them
            temperature=temperature,
        )
    except openai.APITimeoutError as error:
        raise LlmTransientError(
            f"The language model did not answer within {settings.LLM_TIMEOUT_SECONDS:g} s."
        ) from error
    except openai.APIConnectionError as error:
        raise LlmTransientError("The language model's endpoint could not be reached.") from error
    except openai.RateLimitError as error:
        raise LlmTransientError("The language model's endpoint is busy (429).") from error
    except openai.InternalServerError as error:
        raise LlmTransientError(
            f"The language model's endpoint failed ({error.status_code})."
        ) from error
    except openai.APIStatusError as error:
        raise LlmRefusedError(
            f"The language model's endpoint refused the request ({error.status_code})."
        ) from error
    text = (response.choices[0].message.content or "") if response.choices else ""
    tokens = response.usage.total_tokens if response.usage else 0
    return Completion(text=text, tokens=tokens)


_FENCE = re.compile(r"```[ \t]*([\w+#-]*)[ \t]*\n(.*?)```", re.DOTALL)
_TAGS = {"python": {"python", "python3", "py"}, "c": {"c", "h"}}
"""Fence tags that mark code in a question's language (compared in lower case)."""


def code_from(text: str, language: str = "") -> str:
    """The code in a model's answer: its first fenced block tagged with the question's
    language (```c), else its first fenced block, else the whole answer (models asked for
    code only often answer with code only)."""
    blocks = _FENCE.findall(text)
    tags = _TAGS.get(language, set())
    tagged = [code for tag, code in blocks if tag.lower() in tags]
    code = tagged[0] if tagged else blocks[0][1] if blocks else text
    return code.strip() + "\n"


def prompt_render(
    template: str,
    *,
    language: str,
    function_name: str,
    explanation: str,
    signature: str | None = None,
) -> str:
    """Fills the staff-written template's placeholders: {language}, {function_name},
    {explanation}, and {signature} when given (C questions). Nothing else is replaced, so
    braces elsewhere (code in the prompt) stay as written."""
    rendered = template.replace("{language}", language).replace("{function_name}", function_name)
    if signature is not None:
        rendered = rendered.replace("{signature}", signature)
    # The explanation last: braces a student types stay as typed.
    return rendered.replace("{explanation}", explanation)

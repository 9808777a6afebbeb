"""All settings, read from AG_* environment variables with embedded defaults.

With no variables set the project runs on its embedded defaults (SQLite, a filesystem broker,
local Docker for sandboxes) so that one command starts a working demo. Production and the test
suite set AG_DATABASE_URL / AG_BROKER_URL / AG_REDIS_URL. docs/configuration.md lists every knob.
"""

import os
import warnings
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

django_stubs_ext.monkeypatch()

SERVER_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SERVER_DIR.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DATA_DIR = Path(env_str("AG_DATA_DIR", str(REPO_DIR / ".ag-data")))

DEBUG = env_bool("AG_DEBUG", False)
"""Off unless asked for: with it on, any 500 shows settings, paths and the environment.
The quickstart turns it on for itself."""
# The "django-insecure-" prefix makes `manage.py check --deploy` flag a site left on this key.
SECRET_KEY = env_str(
    "AG_SECRET_KEY", "django-insecure-development-key-set-AG_SECRET_KEY-in-production"
)
SECRET_KEY_FILE = os.environ.get("AG_SECRET_KEY_FILE")
if SECRET_KEY_FILE:
    SECRET_KEY = Path(SECRET_KEY_FILE).read_text().strip()
ALLOWED_HOSTS = env_list("AG_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("AG_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("AG_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "autograder.common",
    "autograder.accounts",
    "autograder.courses",
    "autograder.projects",
    "autograder.groups",
    "autograder.submissions",
    "autograder.grading",
    "autograder.handgrading",
    "autograder.grading.mutation",
    "autograder.demo",
    "autograder.monitor",
    "autograder.integrations.lti",
    "autograder.integrations.callbacks",
    "autograder.integrations.runner",
    "autograder.notifications",
    "autograder.exports",
    "autograder.images",
    "autograder.eipl",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "autograder.monitor.middleware.ServerErrorCountMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "autograder.common.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: under Django's own ASGI handler the chain above runs sync in one hop (see the
    # module); the web tier's handler (common/asgi_handler.py) loads it sync anyway.
    "autograder.common.sync_middleware.SyncMiddlewareChain",
]

ROOT_URLCONF = "autograder.urls"
WSGI_APPLICATION = "autograder.wsgi.application"
ASGI_APPLICATION = "autograder.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("AG_DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
DATABASES: dict[str, Any] = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
DB_POOL_SIZE = env_int("AG_DB_POOL_SIZE", 0)
"""PostgreSQL connections per process, shared by its threads (0: none, a connection per
thread opened and closed per request). The stack sets it for the web tier (deploy/README.md
says how to size it); Celery workers, which fork, keep one connection per process."""
if DB_POOL_SIZE > 0 and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_SIZE),
        "max_size": DB_POOL_SIZE,
        # A request waits this long for a free connection, then fails (503, never a pile-up).
        "timeout": env_float("AG_DB_POOL_TIMEOUT", 10.0),
    }
DB_KEEPALIVE_SECONDS = env_int("AG_DB_KEEPALIVE_SECONDS", 10)
"""Idle seconds before TCP keepalive probes on database connections (0: the kernel's two
hours). A node that dies mid-transaction never closes its connections; its session would
keep its row locks (a grading job's, which the reaper then skips) until the kernel gave up."""
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_KEEPALIVE_SECONDS:
    _interval = max(1, DB_KEEPALIVE_SECONDS // 2)
    # Keepalives probe an idle connection; the user timeout ends one whose sent data stays
    # unacknowledged that long (retransmissions alone would go on for about 15 minutes).
    _user_timeout_ms = (DB_KEEPALIVE_SECONDS + 3 * _interval) * 1000
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    # libpq's settings find a dead server; the server's (set per session, so on any
    # PostgreSQL) find a dead client and end its session, which releases what it locked.
    _db_options |= {
        "keepalives": 1,
        "keepalives_idle": DB_KEEPALIVE_SECONDS,
        "keepalives_interval": _interval,
        "keepalives_count": 3,
        "tcp_user_timeout": _user_timeout_ms,
    }
    # An explicit `options` replaces libpq's PGOPTIONS, so what the environment asks for
    # (a sysadmin's settings, the tests' deadlock_timeout of live workers) comes first.
    _db_options["options"] = " ".join(
        part
        for part in (
            os.environ.get("PGOPTIONS", ""),
            _db_options.get("options", ""),
            f"-c tcp_keepalives_idle={DB_KEEPALIVE_SECONDS}",
            f"-c tcp_keepalives_interval={_interval}",
            "-c tcp_keepalives_count=3",
            f"-c tcp_user_timeout={_user_timeout_ms}",
        )
        if part
    )
if env_int("AG_DB_CONN_MAX_AGE", 0):
    # Persistent connections leak under ASGI (each request thread, as many as requests at
    # once, keeps its connection until the server stops: PostgreSQL runs out of
    # connections); the pool above replaces them.
    warnings.warn(
        "AG_DB_CONN_MAX_AGE is ignored: use AG_DB_POOL_SIZE (deploy/README.md)", stacklevel=1
    )
WORKER_DB_CONN_MAX_AGE = env_int("AG_WORKER_DB_CONN_MAX_AGE", 300)
"""Seconds a grading worker process keeps its database connection across jobs
(grading.pipeline.receivers); 0: a new connection per job."""
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("AG_REDIS_URL", "")
CACHES: dict[str, Any] = {
    "default": (
        {"BACKEND": "autograder.common.redis_cache.SharedRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
    | {"KEY_PREFIX": env_str("AG_CACHE_KEY_PREFIX", "")}
}
"""Redis in production, so every web process shares the login throttle's counters.
`AG_CACHE_KEY_PREFIX` lets several sites (or test runs) share one Redis. One connection pool
per process (common/redis_cache.py), not one per request."""

SESSION_ENGINE = (
    "autograder.accounts.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
)
"""Sessions are read from Redis (written through to the database, which stays the record),
saving a query per request (accounts/sessions.py). Logging out and session expiry delete
the cached copy at once; a password change or deactivation is seen on the next request
because the user row is still read each time. Only with Redis: the quickstart's per-process
memory cache would keep a logged-out session alive in the other processes."""

BROKER_URL = env_str("AG_BROKER_URL", "filesystem://")
CELERY_BROKER_URL = BROKER_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
QUEUE_PREFIX = env_str("AG_QUEUE_PREFIX", "")
"""Prepended to every queue name, so several deployments (or test runs) can share a broker."""
CELERY_TASK_DEFAULT_QUEUE = f"{QUEUE_PREFIX}small"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_CREATE_MISSING_QUEUES = True
CELERY_BEAT_SCHEDULE = {
    "grading-reap": {
        "task": "grading.reap",
        "schedule": env_float("AG_REAPER_INTERVAL_SECONDS", 15.0),
        "options": {"queue": f"{QUEUE_PREFIX}small", "expires": 60},
    },
    "exports-remove-expired": {
        "task": "exports.remove_expired",
        "schedule": 3600.0,
        "options": {"queue": f"{QUEUE_PREFIX}small", "expires": 600},
    },
    "eipl-give-up-stale": {
        "task": "eipl.give_up_stale",
        "schedule": 300.0,
        "options": {"queue": f"{QUEUE_PREFIX}small", "expires": 240},
    },
    "lti-prune-nonces": {
        "task": "lti.prune_nonces",
        "schedule": 3600.0,
        "options": {"queue": f"{QUEUE_PREFIX}small", "expires": 600},
    },
    # Sends the keep list to every node with Docker (autograder/images/tasks.py).
    "images-collect-garbage": {
        "task": "images.collect_garbage_everywhere",
        "schedule": env_float("AG_IMAGE_GC_INTERVAL", 3600.0),
        "options": {"queue": f"{QUEUE_PREFIX}small", "expires": 600},
    },
}

GRADING_LEASE_SECONDS = env_float("AG_GRADING_LEASE_SECONDS", 60.0)
"""A claimed job whose worker stops renewing its lease for this long is taken back."""
GRADING_MAX_ATTEMPTS = env_int("AG_GRADING_MAX_ATTEMPTS", 3)
"""Claims of one job before the submission is marked `error` instead of retried."""
GRADING_TASK_TIME_LIMIT_SECONDS = env_int("AG_GRADING_TASK_TIME_LIMIT_SECONDS", 4 * 3600)
"""A grading task still running after this is killed; its lease then runs out and the
reaper retries or fails the job."""
GRADING_FAIR_DISPATCH = env_bool("AG_GRADING_FAIR_DISPATCH", True)

# Webhook deliveries refuse URLs resolving to loopback, link-local or private addresses (the
# stack's own services) unless this is on (tests, whose receiver listens on 127.0.0.1).
AG_CALLBACK_ALLOW_PRIVATE = env_bool("AG_CALLBACK_ALLOW_PRIVATE", False)
AG_RUNNER_MAX_PARALLEL = env_int("AG_RUNNER_MAX_PARALLEL", 16)
"""Works one machine key may have in progress per project (runner API); more are a 429."""
"""Share worker slots between projects (on) or serve strictly oldest-first (off, for comparing)."""
GRADING_FAST_QUEUE_SECONDS = env_float("AG_FAST_QUEUE_SECONDS", 600.0)
"""Submissions whose worst case (sum of time limits) is at most this go to the `fast` queue."""
GRADING_WAKEUP_RESEND_SECONDS = env_float("AG_WAKEUP_RESEND_SECONDS", 60.0)
"""Without a broker that reports queue lengths, pending jobs get a new wake-up this often."""

# Explain-in-plain-English questions (autograder.eipl): any OpenAI-compatible chat
# completions endpoint (OpenAI, a local Ollama or vLLM). Calls run on the `llm` queue.
LLM_BASE_URL = env_str("AG_LLM_BASE_URL", "")
"""E.g. http://ollama:11434/v1. Empty: EiPL submissions are refused (no model configured)."""
LLM_MODEL = env_str("AG_LLM_MODEL", "")
LLM_API_KEY_FILE = env_str("AG_LLM_API_KEY_FILE", "")
"""A file holding the API key (a Docker secret); empty for endpoints that need none."""
LLM_TIMEOUT_SECONDS = env_float("AG_LLM_TIMEOUT_SECONDS", 60.0)
LLM_MAX_TRIES = env_int("AG_LLM_MAX_TRIES", 3)
"""Tries of one generation (a timeout or a 5xx is tried again) before the submission errors."""
LLM_RETRY_DELAY_SECONDS = env_float("AG_LLM_RETRY_DELAY_SECONDS", 10.0)
"""Wait before the first retry; doubled for each later one."""
LLM_DAILY_CALLS_PER_COURSE = env_int("AG_LLM_DAILY_CALLS_PER_COURSE", 1000)
"""Language-model calls one course may make per day (UTC); 0 means no limit."""
LLM_DAILY_TOKENS_PER_COURSE = env_int("AG_LLM_DAILY_TOKENS_PER_COURSE", 0)
"""Tokens (prompt + completion, as the endpoint reports them) per course per day; 0: no limit."""
LLM_GIVE_UP_SECONDS = env_float("AG_LLM_GIVE_UP_SECONDS", 3600.0)
"""An explanation whose code is still not written after this ends in `error` (checked by beat
every 5 minutes), so a site whose llm queue nobody serves never leaves submissions waiting."""

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = env_list(
    "AG_AUTHENTICATION_BACKENDS", ["django.contrib.auth.backends.ModelBackend"]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_COOKIE_SECURE = env_bool("AG_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("AG_SESSION_AGE_SECONDS", 14 * 24 * 3600)

# Brute-force protection (accounts/throttle.py): failed logins per account and per client
# address, bad API tokens per address. Reaching a limit within the window locks the account
# or address out for the lockout time (429 with Retry-After).
LOGIN_MAX_FAILURES = env_int("AG_LOGIN_MAX_FAILURES", 10)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("AG_LOGIN_MAX_FAILURES_PER_ADDRESS", 100)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("AG_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
LOGIN_LOCKOUT_SECONDS = env_int("AG_LOGIN_LOCKOUT_SECONDS", 15 * 60)

# Email (accounts/mail.py, docs/invitations-and-email.md): invitations, password resets and
# notifications. With AG_EMAIL_HOST set, mail goes out over SMTP; without it every message is
# written as a file under AG_EMAIL_FILE_DIR (the quickstart's .ag-data/mail/), so a demo can
# follow an invitation link without a mail server.
EMAIL_HOST = env_str("AG_EMAIL_HOST", "")
EMAIL_PORT = env_int("AG_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("AG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = ""
if os.environ.get("AG_EMAIL_PASSWORD_FILE"):
    EMAIL_HOST_PASSWORD = Path(os.environ["AG_EMAIL_PASSWORD_FILE"]).read_text().strip()
EMAIL_USE_TLS = env_bool("AG_EMAIL_USE_TLS", True)
"""STARTTLS on the submission port (587); AG_EMAIL_USE_SSL instead for implicit TLS (465)."""
EMAIL_USE_SSL = env_bool("AG_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("AG_EMAIL_TIMEOUT_SECONDS", 30)
DEFAULT_FROM_EMAIL = env_str("AG_EMAIL_FROM", "Autograder <noreply@localhost>")
EMAIL_FILE_PATH = env_str("AG_EMAIL_FILE_DIR", str(DATA_DIR / "mail"))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_MAX_PER_ADDRESS = env_int("AG_EMAIL_MAX_PER_ADDRESS", 20)
"""Messages one recipient address may be sent within AG_EMAIL_WINDOW_SECONDS; past that,
mail to it is dropped (and logged) until the window ends, so no form can flood an inbox."""
EMAIL_WINDOW_SECONDS = env_int("AG_EMAIL_WINDOW_SECONDS", 3600)
EMAIL_INVITATIONS = env_bool("AG_EMAIL_INVITATIONS", True)
"""Email a set-password link to people added to a roster who have no password. Sites where
everyone logs in by single sign-on turn it off."""
PASSWORD_RESET_TIMEOUT = env_int("AG_PASSWORD_LINK_SECONDS", 3 * 24 * 3600)
"""How long an invitation or password-reset link works (each works once)."""

# --- Single sign-on (OpenID Connect): autograder/accounts/oidc/, docs/signing-in.md ---------
PASSWORD_LOGIN = env_bool("AG_PASSWORD_LOGIN", True)
"""Off: the login page shows only the single sign-on buttons and password logins are refused
(the API and the Django admin's form alike)."""

_OIDC_PRESETS: dict[str, dict[str, Any]] = {
    "google": {"issuer": "https://accounts.google.com", "label": "Google"},
    # Microsoft's id tokens carry no email_verified; within one tenant the addresses are the
    # tenant's own, so the preset trusts them (which is why a tenant id is required).
    "microsoft": {
        "issuer": "https://login.microsoftonline.com/{tenant}/v2.0",
        "label": "Microsoft",
        "trust_email": True,
    },
}


def _oidc_provider(provider_id: str) -> dict[str, Any]:
    """One provider from AG_OIDC_<ID>_* (ISSUER, CLIENT_ID, CLIENT_SECRET or
    CLIENT_SECRET_FILE, LABEL, SCOPES, TRUST_EMAIL; TENANT for microsoft)."""
    prefix = "AG_OIDC_" + provider_id.upper().replace("-", "_") + "_"
    preset = _OIDC_PRESETS.get(provider_id, {})
    secret = env_str(prefix + "CLIENT_SECRET", "")
    if os.environ.get(prefix + "CLIENT_SECRET_FILE"):
        secret = Path(os.environ[prefix + "CLIENT_SECRET_FILE"]).read_text().strip()
    issuer = env_str(prefix + "ISSUER", preset.get("issuer", ""))
    if "{tenant}" in issuer:
        tenant = env_str(prefix + "TENANT", "")
        if not tenant:
            raise ValueError(f"{prefix}TENANT: the Microsoft preset needs your tenant id.")
        issuer = issuer.format(tenant=tenant)
    provider = {
        "id": provider_id,
        "issuer": issuer.rstrip("/"),
        "client_id": env_str(prefix + "CLIENT_ID", ""),
        "client_secret": secret,
        "label": env_str(prefix + "LABEL", preset.get("label", provider_id)),
        "scopes": env_str(prefix + "SCOPES", "openid email profile"),
        "trust_email": env_bool(prefix + "TRUST_EMAIL", preset.get("trust_email", False)),
    }
    missing = [key for key in ("issuer", "client_id", "client_secret") if not provider[key]]
    if missing:
        names = ", ".join(prefix + key.upper() for key in missing)
        raise ValueError(f"Single sign-on provider {provider_id!r} is missing {names}.")
    return provider


OIDC_PROVIDERS = [_oidc_provider(pid.lower()) for pid in env_list("AG_OIDC_PROVIDERS", [])]
"""The providers on the login page, in this order: AG_OIDC_PROVIDERS=google,microsoft,..."""
AUTHENTICATION_BACKENDS += ["autograder.accounts.oidc.backend.OidcBackend"]
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_float("AG_OIDC_TIMEOUT_SECONDS", 10.0)
"""Seconds to wait for a provider (discovery, token, keys, userinfo) before refusing."""
OIDC_DISCOVERY_CACHE_SECONDS = env_int("AG_OIDC_DISCOVERY_CACHE_SECONDS", 3600)
LOGIN_REDIRECT_URL = "/"
# --- end of single sign-on ------------------------------------------------------------------

BEHIND_PROXY = env_bool("AG_BEHIND_PROXY", False)
"""Only a trusted reverse proxy reaches this server (the stack's nginx): believe the client
address it appends to X-Forwarded-For and its X-Forwarded-Proto, and let it redirect to HTTPS
and send HSTS. Without a proxy these headers come from the client and are ignored."""
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SILENCED_SYSTEM_CHECKS: list[str] = []
if BEHIND_PROXY:
    # nginx redirects every http:// request to https:// and adds Strict-Transport-Security
    # (AG_HSTS_SECONDS) to every answer; Django doing it too would only repeat the header.
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("AG_STATIC_ROOT", str(DATA_DIR / "static")))
MEDIA_ROOT = Path(env_str("AG_MEDIA_ROOT", str(DATA_DIR / "media")))
PROTECTED_MEDIA_PREFIX = env_str("AG_PROTECTED_MEDIA_PREFIX", "")
"""Behind nginx: the internal location serving MEDIA_ROOT (downloads use X-Accel-Redirect)."""
EXPORT_RETENTION_HOURS = env_float("AG_EXPORT_RETENTION_HOURS", 72.0)
"""Bulk downloads (zips and score CSVs under MEDIA_ROOT/exports/) are removed this long after
they were asked for, by an hourly beat task."""

# Upload limits. The request cap is checked before the body is read (413 with the limit).
MAX_UPLOAD_BYTES = env_int("AG_MAX_UPLOAD_BYTES", 30 * 1024 * 1024)
MAX_INSTRUCTOR_FILE_BYTES = env_int("AG_MAX_INSTRUCTOR_FILE_BYTES", 15 * 1024 * 1024)
MAX_FILES_PER_SUBMISSION = env_int("AG_MAX_FILES_PER_SUBMISSION", 500)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = MAX_FILES_PER_SUBMISSION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "autograder.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "autograder.common.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "autograder.common.schema.AutoSchema",
    "EXCEPTION_HANDLER": "autograder.common.exception_handler.handle_api_exception",
    # JSON bodies nested too deeply are a 400, not a RecursionError (common/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "autograder.common.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Autograder API",
    "DESCRIPTION": "Courses, projects, groups, submissions and grading results.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OutputFeedbackEnum": "autograder.grading.config.serializers.OUTPUT_FEEDBACK_CHOICES",
        "ExpectedOutputSourceEnum": "autograder.grading.config.models.ExpectedOutputSource",
        "ExportKindEnum": "autograder.exports.models.ExportKind",
        "ExportStateEnum": "autograder.exports.models.ExportState",
        "ImageStatusEnum": "autograder.images.models.ImageStatus",
        "SandboxRuntimeEnum": "autograder.images.models.Runtime",
        # Submission statuses keep their name beside other `status` fields (handgrading's).
        "StatusEnum": "autograder.submissions.models.SubmissionStatus",
        "HandgradingStatusEnum": "autograder.handgrading.models.HandgradingStatus",
        "WebhookEventEnum": "autograder.integrations.callbacks.models.WebhookEvent",
        "SubscribableWebhookEventEnum": (
            "autograder.integrations.callbacks.serializers.SUBSCRIBABLE_EVENT_CHOICES"
        ),
        "DeliveryStateEnum": "autograder.integrations.callbacks.models.DeliveryState",
        "MachineKeyFeedbackCategoryEnum": (
            "autograder.integrations.runner.models.KEY_FEEDBACK_CATEGORIES"
        ),
        # The feedback category of a results body keeps its name beside the keys' one.
        "FeedbackCategoryEnum": "autograder.grading.results.feedback.REQUESTABLE_CATEGORIES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("AG_LOG_LEVEL", "INFO")},
}

# Operations (autograder/monitor/, deploy/README.md "Monitoring").
RELEASE = env_str("AG_RELEASE", "")
"""The release this process runs, baked into the image by deploy/build-images. Workers claim
jobs only while it equals the release the init step recorded; empty turns the fence off."""
METRICS_TOKEN = env_str("AG_METRICS_TOKEN", "")
"""Bearer token that `/api/metrics/` accepts (besides signed-in superusers); empty: none."""
if os.environ.get("AG_METRICS_TOKEN_FILE"):
    METRICS_TOKEN = Path(os.environ["AG_METRICS_TOKEN_FILE"]).read_text().strip()
WORKER_HEARTBEAT_SECONDS = env_float("AG_WORKER_HEARTBEAT_SECONDS", 15.0)
"""How often a worker checks that it can claim and grade (0: never, no heartbeat)."""
WORKER_HEALTH_FILE = env_str("AG_WORKER_HEALTH_FILE", str(DATA_DIR / "worker-health.json"))
"""Where a worker writes its last check, for its container healthcheck."""
MONITOR_SAMPLE_SECONDS = env_float("AG_MONITOR_SAMPLE_SECONDS", 2.0)
"""How often each grading process publishes its sandboxes' CPU, memory and disk use to the live
monitor (docs/monitor.md); 0 turns the sampler off."""
MONITOR_CGROUP_ROOT = env_str("AG_MONITOR_CGROUP_ROOT", "/sys/fs/cgroup")
"""Where the sampler looks for the sandboxes' cgroup files (the cheap path); when they are not
visible there it asks Docker's stats API instead."""
SENTRY_DSN = env_str("AG_SENTRY_DSN", "")
"""Error reporting to Sentry (or GlitchTip) when set; off by default."""
SENTRY_ENVIRONMENT = env_str("AG_SENTRY_ENVIRONMENT", "production")

# LTI 1.3 (autograder/integrations/lti/, docs/lti.md).
LTI_PRIVATE_KEY_FILE = env_str("AG_LTI_PRIVATE_KEY_FILE", str(DATA_DIR / "lti-private-key.pem"))
"""Our RSA private key in PEM (a docker secret in production). Its public half is served at
/api/lti/jwks/ for LMS platforms; a missing file is made on first use (the quickstart)."""

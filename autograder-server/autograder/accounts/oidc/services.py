"""Who a verified single sign-on identity is here."""

from typing import Any

from django.db import IntegrityError, transaction

from autograder.accounts.models import User
from autograder.accounts.oidc.errors import SignInRefusedError
from autograder.accounts.oidc.providers import Provider
from autograder.courses.models import Course


def _verified_email(*, provider: Provider, claims: dict[str, Any]) -> str:
    email = str(claims.get("email") or "").strip()
    if not email or "@" not in email:
        raise SignInRefusedError(
            "no_email",
            f"{provider.label} did not tell us your email address, so we cannot find your "
            "account. Allow the site to see your email and try again.",
            status=403,
        )
    verified = claims.get("email_verified")
    if not (verified is True or str(verified).lower() == "true" or provider.trust_email):
        raise SignInRefusedError(
            "email_unverified",
            f"{provider.label} says your email address {email} is not verified yet. Verify it "
            "there, then sign in again.",
            status=403,
        )
    return email


def _guest_domain_allowed(email: str) -> bool:
    domain = email.rpartition("@")[2].lower()
    return Course.objects.filter(allowed_guest_domain=domain).exists()


def oidc_user_for_claims(*, provider: Provider, claims: dict[str, Any]) -> User:
    """The account a verified email belongs to (matched case-insensitively). Someone without
    an account gets one only if a course allows guests from their email's domain; everyone
    else is refused, since rosters (and not the provider) decide who uses the site."""
    email = _verified_email(provider=provider, claims=claims)
    matches = list(User.objects.filter(email__iexact=email).order_by("pk")[:2])
    if len(matches) > 1:
        raise SignInRefusedError(
            "ambiguous_email",
            f"More than one account here has the email {email}. Ask your administrator to "
            "merge them.",
            status=403,
        )
    if matches:
        user = matches[0]
        if not user.is_active:
            raise SignInRefusedError(
                "account_disabled", f"The account for {email} is disabled.", status=403
            )
        return user
    if _guest_domain_allowed(email):
        return _guest_account_create(email=email, claims=claims)
    raise SignInRefusedError(
        "unknown_user",
        f"No course here has {email} on its roster. If you are taking a course that uses "
        "this site, ask your instructor to add this address to the roster, then sign in "
        "again.",
        status=403,
    )


def _guest_account_create(*, email: str, claims: dict[str, Any]) -> User:
    """An account for a guest, named as the provider names them, without a usable password
    (they sign in by single sign-on only). Two first sign-ins at once make one account."""
    username = email.lower()
    try:
        with transaction.atomic():
            user = User(
                username=username,
                email=username,
                first_name=str(claims.get("given_name") or "")[:150],
                last_name=str(claims.get("family_name") or "")[:150],
            )
            user.set_unusable_password()
            user.save()
            return user
    except IntegrityError as exc:
        # Only the same email is the same person: a username taken by an account with
        # another email must not hand that account over.
        same = User.objects.filter(email__iexact=email, is_active=True).first()
        if same is None:
            raise SignInRefusedError(
                "username_taken",
                f"An account named {username} with another email exists here. Ask your "
                "administrator.",
                status=403,
            ) from exc
        return same

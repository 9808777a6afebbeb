from rest_framework import serializers


class AuthProviderOutput(serializers.Serializer[dict[str, str]]):
    id = serializers.CharField()
    # A field named like Field.label (the field's own caption); DRF keeps them apart.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="The button's text, e.g. 'Google'."
    )
    login_url = serializers.CharField(
        help_text="Where the browser goes to sign in; add ?next=<path> to come back there."
    )


class AuthProvidersOutput(serializers.Serializer[dict[str, object]]):
    password_login = serializers.BooleanField(
        help_text="Whether the username and password form works on this site."
    )
    providers = AuthProviderOutput(many=True)

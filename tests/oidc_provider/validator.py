from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    """Adds the e-mail claims (as verified, the way an institution's directory vouches for them)."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "email_verified": "email"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        return {
            "email": request.user.email,
            "email_verified": True,
            "preferred_username": request.user.username,
            "name": request.user.get_full_name() or request.user.username,
        }

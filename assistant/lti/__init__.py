"""LTI 1.3: the assistant as a standard external tool of Moodle (or any LTI platform).

OIDC login initiation, resource-link launch, the tool's JWKS and dynamic registration. A
launch ends in one of our own short-lived tokens for the course's session, never in the
platform's id_token (docs: README, "Add the assistant to a course by LTI").
"""

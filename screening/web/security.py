"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request

# No inline scripts or styles anywhere: scripts and stylesheets are our own static files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def init_app(app: Flask) -> None:
    https = str(app.config.get("BASE_URL", "")).startswith("https://")

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if https:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Pages, PDFs, downloads and the API carry personal data or tokens: no browser
            # or shared cache may keep a copy (and an applicant's page restored from the
            # cache would post an idempotency key already used). Our static files may be
            # cached; a response that sets its own policy (the public OpenAPI file) keeps it.
            headers.setdefault("Cache-Control", "no-store")
        return response

"""ASGI guards in front of the API: allowed hosts, a request body limit, HEAD on GET routes.

They run before FastAPI parses anything, so a hostile request costs little:

- ``AllowedHostsGuard`` refuses a ``Host`` header naming another server (400), which stops DNS
  rebinding against an analyst's laptop and keeps foreign names out of redirects;
- ``BodyLimitGuard`` reads at most ``max_bytes`` of a body (413 beyond, whether announced by
  ``Content-Length`` or streamed) and hands the buffered body on;
- ``HeadAsGet`` answers ``HEAD`` like ``GET`` without the body.

Errors have the API's one shape, ``{"error": code, "detail": message}``.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from search_api.settings import DEFAULT_MAX_BODY_BYTES, LOCAL_HOSTS

WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})


def default_allowed_hosts(bind_address: str) -> tuple[str, ...]:
    """The bound address and the loopback names (a wildcard address adds nothing)."""
    extra = () if bind_address in WILDCARD_ADDRESSES else (bind_address.strip("[]").lower(),)
    return tuple(dict.fromkeys((*extra, *LOCAL_HOSTS)))


def host_name(header: str) -> str:
    """The host part of a ``Host`` header, lower-case, without port or IPv6 brackets."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """``host`` matches a name, ``*`` (any) or ``*.example.org`` (that domain and below)."""
    for pattern in allowed:
        pattern = pattern.lower()
        if pattern == "*" or pattern == host:
            return True
        if pattern.startswith("*.") and (host == pattern[2:] or host.endswith(pattern[1:])):
            return True
    return False


async def _send_error(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, detail: str
) -> None:
    response = JSONResponse({"error": code, "detail": detail}, status_code=status)
    await response(scope, receive, send)


class AllowedHostsGuard:
    """Refuse requests whose ``Host`` is not one of ``allowed`` (400 ``host_not_allowed``)."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = tuple(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = host_name(headers.get(b"host", b"").decode("latin-1"))
        if not host_allowed(host, self.allowed):
            await _send_error(
                scope,
                receive,
                send,
                400,
                "host_not_allowed",
                "this server does not answer for that Host header; allowed: "
                f"{', '.join(self.allowed)} (setting POLICY_SEARCH_ALLOWED_HOSTS or "
                "`policy-search serve --allowed-host NAME`)",
            )
            return
        await self.app(scope, receive, send)


class BodyLimitGuard:
    """Read at most ``max_bytes`` of a request body before the app sees it; 413 beyond."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            text = declared.decode("latin-1").strip()
            if not text.isdigit():
                await _send_error(
                    scope, receive, send, 400, "bad_request", "invalid Content-Length header"
                )
                return
            if int(text) > self.max_bytes:
                await self._too_large(scope, receive, send, int(text))
                return
        if declared is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send, None)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, size: int | None
    ) -> None:
        told = f"is {size} bytes" if size is not None else "is larger than that"
        await _send_error(
            scope,
            receive,
            send,
            413,
            "payload_too_large",
            f"the request body {told}; at most {self.max_bytes} bytes are accepted",
        )


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the buffered body once, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class HeadAsGet:
    """Answer ``HEAD`` as ``GET`` (same status and headers), sending no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)

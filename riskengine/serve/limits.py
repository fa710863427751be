"""What every request is held to: media types, body size (read in pieces, never past the limit), the time
its computation may take, and the request id that problems and logs name."""
from __future__ import annotations

import asyncio
import json
import re
import uuid
from typing import Any, Callable

from .problems import ApiProblem, error_item, malformed_json

JSON = ("application/json",)
JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/json-lines", "application/jsonlines")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def require_media(request, allowed: tuple[str, ...]) -> None:
    given = request.headers.get("content-type", "")
    media = given.split(";", 1)[0].strip().lower()
    if media not in allowed and not (media.endswith("+json") and "application/json" in allowed):
        raise ApiProblem(415, "unsupported-media-type",
                         f"send the body as {' or '.join(allowed)}" + (f", not {media}" if media else ""),
                         headers={"Accept-Post": ", ".join(allowed)})
    charset = re.search(r"charset=([\w-]+)", given, re.I)
    if charset and charset.group(1).lower().replace("-", "") != "utf8":
        raise ApiProblem(415, "unsupported-media-type", "send the body as UTF-8")


async def read_body(request, limit: int, timeout: float) -> bytes:
    """The whole body, at most ``limit`` bytes (413 past it, as soon as it is known); 408-like slow
    bodies end as a timeout problem."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)

    async def collect() -> bytes:
        parts, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            parts.append(chunk)
        return b"".join(parts)
    try:
        async with asyncio.timeout(timeout):    # no task of its own, unlike wait_for (a cost per request)
            return await collect()
    except TimeoutError:
        raise ApiProblem(503, "timeout", f"the body did not arrive within {timeout:g} s") from None


def too_large(limit: int) -> ApiProblem:
    return ApiProblem(413, "too-large", f"the body is larger than {limit} bytes")


def parse_json(body: bytes, first_line: int = 1) -> Any:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiProblem(400, "malformed-json", f"the body is not UTF-8 (byte {exc.start})",
                         [error_item("RE203", "the body is not UTF-8", "send UTF-8 text", None)]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise malformed_json(exc, first_line) from None
    except RecursionError:
        raise ApiProblem(400, "malformed-json", "JSON nesting is too deep",
                         [error_item("RE203", "JSON nesting is too deep", "", None)]) from None


async def compute(executor, timeout: float, fn: Callable, *args) -> Any:
    """Run CPU work in the service's thread pool, answering with a timeout problem if it takes too long
    (the work itself runs to its end: a thread cannot be stopped, but nobody waits for it)."""
    loop = asyncio.get_running_loop()
    try:
        return await asyncio.wait_for(loop.run_in_executor(executor, fn, *args), timeout)
    except asyncio.TimeoutError:
        raise ApiProblem(503, "timeout", f"the answer took longer than {timeout:g} s",
                         headers={"Retry-After": "1"}) from None


def request_id(headers) -> str:
    """The caller's X-Request-ID when it is a short token, else a new UUID."""
    given = headers.get("x-request-id")
    if given and _REQUEST_ID.fullmatch(given):
        return given
    return str(uuid.uuid4())

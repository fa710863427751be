"""What routes share: the service of the app, and the scope a route needs."""
from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from .auth import check

_bearer = HTTPBearer(auto_error=False, description="an API key: `Authorization: Bearer TOKEN` "
                                                   "(or the header `X-API-Key: TOKEN`)")


def service(request: Request):
    return request.app.state.service


def scope(name: str):
    """A dependency that refuses the request (401/403) unless its key has scope ``name``."""
    async def require(request: Request, _credentials=Depends(_bearer)) -> None:
        check(request.app.state.service.keys, request.headers, name)
    require.__name__ = f"require_{name}"
    return Depends(require)

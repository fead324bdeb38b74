"""The id that ties a client request to the router's logs and the subgraph requests it causes."""

from __future__ import annotations

import os
import re

from starlette.requests import HTTPConnection

from router.config import REQUEST_ID_HEADER

# A caller's id is reused only when it cannot smuggle anything into logs or headers.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_for(request: HTTPConnection) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER)
    if incoming is not None and _SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return os.urandom(16).hex()  # 128 random bits, as a uuid4's hex but without its object

"""Connecting to the Proxmox VE API with an API token, certificates verified, a real timeout, and clear errors.

proxmoxer's traps are closed here: its default timeout is 5 s, too short for storage-bound calls, so
one is always given; its HTTPS backend verifies certificates only when told, so verification is on
unless `insecure` says otherwise. The token secret lives only in `PveEndpoint.secret`, hidden from repr.

A GET whose connection dropped is sent again, a few times with a short backoff: reading twice changes
nothing. A POST, PUT or DELETE is never sent again here, since its effect may have happened before the
answer was lost; the steps that call them look before they act, and the engine runs such a step again.
A request that timed out is not sent again either: a server that hung once is likely to hang again, and
each try would wait the whole timeout.
"""

from __future__ import annotations

import logging
import re
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
import urllib3
from proxmoxer import ProxmoxAPI
from proxmoxer.core import AuthenticationError, ResourceException

from migrate.errors import TargetApiError, TargetAuthError, TargetTlsError, TargetUnreachableError, UsageError

DEFAULT_PORT = 8006
DEFAULT_TIMEOUT = 60.0
GET_ATTEMPTS = 5
GET_BACKOFF = 0.2  # seconds before the second try, doubled before each next one
SECRET_ENV = "MIGRATE_PVE_TOKEN_SECRET"
_TOKEN_ID = re.compile(r"^(?P<user>[^@!\s]+@[^@!\s]+)!(?P<name>[A-Za-z][A-Za-z0-9._-]*)$")

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PveEndpoint:
    """Where and how to reach a Proxmox VE API. The secret is never printed (repr) nor stored."""

    host: str
    token_id: str  # user@realm!name
    secret: str = field(repr=False)
    port: int = DEFAULT_PORT
    ca_file: str | None = None
    insecure: bool = False
    timeout: float = DEFAULT_TIMEOUT

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"


def parse_token_id(token_id: str) -> tuple[str, str]:
    """`user@realm!name` split into the user and the token name; a UsageError naming the fix otherwise."""
    match = _TOKEN_ID.match(token_id or "")
    if not match:
        raise UsageError(f"token id {token_id!r} is not user@realm!name: give it as e.g. --token-id migrate@pve!plan")
    return match["user"], match["name"]


class PveClient:
    """A connected API: `get(path, **params)` answers plain data; errors arrive as the toolkit's typed errors."""

    def __init__(self, endpoint: PveEndpoint, api: Any, get_attempts: int = GET_ATTEMPTS,
                 get_backoff: float = GET_BACKOFF) -> None:
        self.endpoint = endpoint
        self._api = api
        self.get_attempts, self.get_backoff = get_attempts, get_backoff

    def get(self, resource: str, **params: Any) -> Any:
        """GET `resource` (e.g. `/nodes/pve1/status`) with query `params`; sent again if the connection dropped."""
        return self.call(lambda: self._resent(lambda: self._api(resource.strip("/")).get(**params), resource),
                         resource)

    def post(self, resource: str, **params: Any) -> Any:
        """POST `resource` with form `params` (a task's UPID for a worker, else the created object)."""
        return self.call(lambda: self._api(resource.strip("/")).post(**params), f"POST {resource}")

    def put(self, resource: str, **params: Any) -> Any:
        return self.call(lambda: self._api(resource.strip("/")).put(**params), f"PUT {resource}")

    def delete(self, resource: str, **params: Any) -> Any:
        return self.call(lambda: self._api(resource.strip("/")).delete(**params), f"DELETE {resource}")

    def call(self, request: Callable[[], T], what: str) -> T:
        with translated_errors(self.endpoint, what):
            return request()

    def _resent(self, request: Callable[[], T], what: str) -> T:
        attempt = 1
        while True:
            try:
                return request()
            except requests.exceptions.ConnectionError as exc:
                if not _dropped(exc) or attempt >= self.get_attempts:
                    raise
                log.info("%s: GET %s dropped (%s), try %d of %d", self.endpoint.url, what, type(exc).__name__,
                         attempt + 1, self.get_attempts)
                time.sleep(self.get_backoff * 2 ** (attempt - 1))
                attempt += 1


def _dropped(exc: requests.exceptions.ConnectionError) -> bool:
    """A connection reset or refused; not a TLS failure, nor a timeout (ConnectTimeout is both kinds)."""
    return not isinstance(exc, requests.exceptions.SSLError | requests.exceptions.Timeout)


def connect(endpoint: PveEndpoint) -> PveClient:
    """A client for `endpoint`, checked with one call (`GET /version`) so that a bad token or TLS fails here."""
    user, token_name = parse_token_id(endpoint.token_id)
    if not endpoint.secret:
        raise UsageError(f"no secret for API token {endpoint.token_id}: set {SECRET_ENV}")
    with translated_errors(endpoint, "/version"):
        api = ProxmoxAPI(
            endpoint.host, port=endpoint.port, user=user, token_name=token_name, token_value=endpoint.secret,
            verify_ssl=_verify(endpoint), timeout=endpoint.timeout, service="PVE",
        )
    client = PveClient(endpoint, api)
    client.get("/version")
    return client


def _verify(endpoint: PveEndpoint) -> bool | str:
    if endpoint.insecure:
        # The consultant turned verification off explicitly; urllib3 would repeat its warning on every call.
        warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
        return False
    return endpoint.ca_file or True


@contextmanager
def translated_errors(endpoint: PveEndpoint, what: str) -> Iterator[None]:
    """proxmoxer's and requests' exceptions as one-line typed errors naming the target and the fix."""
    where = f"Proxmox API {endpoint.url}"
    try:
        yield
    except requests.exceptions.SSLError:
        raise TargetTlsError(
            f"the certificate of {where} could not be verified: give its CA with --ca-file "
            "(or, on a lab only, --insecure)"
        ) from None
    except requests.exceptions.Timeout:
        raise TargetUnreachableError(
            f"{where} did not answer {what} within {endpoint.timeout:g} s: check the node and the network"
        ) from None
    except requests.exceptions.ConnectionError:
        raise TargetUnreachableError(
            f"cannot connect to {where}: check the host and port (pveproxy listens on 8006) and the firewall"
        ) from None
    except AuthenticationError:
        raise _auth_error(endpoint) from None
    except ResourceException as exc:
        if exc.status_code == 401:
            raise _auth_error(endpoint) from None
        if exc.status_code == 403:
            raise TargetApiError(
                f"{where} refused {what} to token {endpoint.token_id} (403 {_reason(exc)}): "
                "grant the role of docs/proxmox-role.md"
            ) from None
        raise TargetApiError(f"{where} answered {what} with {exc.status_code} {_reason(exc)}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise TargetApiError(f"{where} answered {what} with something unreadable ({type(exc).__name__})") from None


def _auth_error(endpoint: PveEndpoint) -> TargetAuthError:
    return TargetAuthError(
        f"Proxmox API {endpoint.url} rejected API token {endpoint.token_id} (401): "
        f"check the token id and set the right secret in {SECRET_ENV}"
    )


def _reason(exc: ResourceException) -> str:
    text = " ".join(str(part) for part in (exc.status_message, exc.content, exc.errors or "") if part)
    return " ".join(text.split())[:300]

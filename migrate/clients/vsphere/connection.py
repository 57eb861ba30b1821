"""Connecting to a vCenter with certificates verified, a timeout, and errors a consultant can act on.

Two pyvmomi traps are closed here: without an SSL context it skips certificate checks for
localhost, 127.0.0.1 and ::1, so a context is always passed; and its connection timeout defaults
to none, so a hung vCenter would hang discovery forever, so one is always set.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

from migrate.errors import (
    MigrateError,
    SourceAuthError,
    SourceProtocolError,
    SourceSessionLostError,
    SourceTlsError,
    SourceUnreachableError,
    UsageError,
)

DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True)
class VcenterEndpoint:
    """Where and how to reach a vCenter. The password is never printed (repr) nor stored."""

    host: str
    user: str
    password: str = field(repr=False)
    port: int = 443
    ca_file: str | None = None
    thumbprint: str | None = None
    insecure: bool = False
    timeout: float = DEFAULT_TIMEOUT

    @property
    def name(self) -> str:
        """The source's name in the inventory: the host as given, with the port when not 443."""
        return self.host if self.port == 443 else f"{self.host}:{self.port}"


def tls_context(endpoint: VcenterEndpoint) -> ssl.SSLContext:
    """Verified by default; a CA file narrows trust; a thumbprint pins the certificate; --insecure trusts anything."""
    if endpoint.insecure or endpoint.thumbprint:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=endpoint.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(f"cannot read the CA file {endpoint.ca_file}: {exc}: give a PEM file with --ca-file") from None


def pinned_context(endpoint: VcenterEndpoint) -> ssl.SSLContext:
    """A context that trusts exactly the certificate the thumbprint names, read from the vCenter and checked
    first: a connection to any other certificate fails its handshake, before a password is sent."""
    assert endpoint.thumbprint
    pem = ssl.get_server_certificate((endpoint.host, endpoint.port), timeout=endpoint.timeout)
    verify_thumbprint(ssl.PEM_cert_to_DER_cert(pem), endpoint.thumbprint, endpoint.name)
    context = ssl.create_default_context(cadata=pem)
    context.check_hostname = False  # the pin names the certificate, whatever host name it carries
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # the pinned certificate may be a leaf, not a CA
    return context


def verify_thumbprint(der_certificate: bytes, thumbprint: str, host: str) -> None:
    """Check a SHA-1, SHA-256 or SHA-512 fingerprint (hex, colons optional) against the server's certificate."""
    wanted = thumbprint.replace(":", "").strip().lower()
    algorithm = _thumbprint_algorithm(thumbprint)
    actual = hashlib.new(algorithm, der_certificate).hexdigest()
    if not hmac.compare_digest(actual, wanted):
        raise SourceTlsError(
            f"the certificate of vCenter {host} does not match the thumbprint given ({algorithm} {_colons(actual)}): "
            "check --thumbprint against the vCenter's certificate"
        )


@contextmanager
def _default_socket_timeout(seconds: float) -> Iterator[None]:
    """SmartConnect probes the API version over connections that ignore httpConnectionTimeout.

    Those use the process-wide default socket timeout, so it is set for the duration of the login;
    without it a vCenter that accepts the connection but never answers would hang discovery.
    """
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _thumbprint_algorithm(thumbprint: str) -> str:
    wanted = thumbprint.replace(":", "").strip().lower()
    algorithm = {40: "sha1", 64: "sha256", 128: "sha512"}.get(len(wanted))
    if algorithm is None or any(c not in "0123456789abcdef" for c in wanted):
        raise UsageError(f"thumbprint {thumbprint!r} is not a SHA-1, SHA-256 or SHA-512 fingerprint in hex")
    return algorithm


def _colons(hexdigest: str) -> str:
    return ":".join(hexdigest[i:i + 2] for i in range(0, len(hexdigest), 2)).upper()


class VsphereConnection:
    """A logged-in vCenter session: pyvmomi's service instance plus what a raw SOAP client needs."""

    def __init__(self, endpoint: VcenterEndpoint, service_instance: vim.ServiceInstance,
                 context: ssl.SSLContext | None = None) -> None:
        self.endpoint = endpoint
        self.si = service_instance
        self.content = service_instance.RetrieveContent()
        self.context = context or tls_context(endpoint)

    @property
    def api_version(self) -> str:
        return self.content.about.apiVersion

    @property
    def soap_action(self) -> str:
        return self.si._stub.versionId or '"urn:vim25"'

    @property
    def session_cookie(self) -> str:
        return self.si._stub.cookie

    def alive(self) -> bool:
        """Whether the session is still logged in: one property read, which an ended session is refused
        (or, on some vCenters, answered with no session)."""
        try:
            return self.content.sessionManager.currentSession is not None
        except vim.fault.NotAuthenticated:
            return False
        except (OSError, http.client.HTTPException) as exc:
            raise network_error(self.endpoint, exc) from None

    def session_lost(self) -> SourceSessionLostError:
        """The error for a call refused because the session ended (idle timeout, or terminated)."""
        return SourceSessionLostError(f"the session with vCenter {self.endpoint.name} ended (idle timeout or "
                                      "terminated by an administrator): the run logs in again")

    def open_http(self) -> http.client.HTTPSConnection:
        """A new HTTPS connection to the vCenter, with the same trust as the session's."""
        connection = http.client.HTTPSConnection(
            self.endpoint.host, self.endpoint.port, context=self.context, timeout=self.endpoint.timeout
        )
        try:
            connection.connect()
        except (OSError, ssl.SSLError) as exc:
            raise network_error(self.endpoint, exc) from exc
        if self.endpoint.thumbprint:
            verify_thumbprint(connection.sock.getpeercert(True), self.endpoint.thumbprint, self.endpoint.host)
        return connection

    def close(self) -> None:
        try:
            Disconnect(self.si)
        except Exception:  # noqa: BLE001  (logging out of a dead session must not hide the real error)
            pass

    def __enter__(self) -> VsphereConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def connect(endpoint: VcenterEndpoint) -> VsphereConnection:
    """Log in to the vCenter, raising a typed error that names the cause and the fix."""
    if endpoint.thumbprint:
        # A malformed thumbprint fails before anything goes over the wire.
        _thumbprint_algorithm(endpoint.thumbprint)
    try:
        with _default_socket_timeout(endpoint.timeout):
            # pyvmomi checks a thumbprint only when the certificate fails verification first, so with an
            # unverified context it would send the password to any certificate: the pin is in the context.
            context = pinned_context(endpoint) if endpoint.thumbprint else tls_context(endpoint)
            si = SmartConnect(
                host=endpoint.host,
                port=endpoint.port,
                user=endpoint.user,
                pwd=endpoint.password,
                sslContext=context,
                httpConnectionTimeout=endpoint.timeout,
            )
    except MigrateError:
        raise
    except vim.fault.InvalidLogin:
        raise SourceAuthError(
            f"vCenter {endpoint.name} rejected the login for {endpoint.user}: "
            "check the user, or set MIGRATE_VCENTER_PASSWORD to the right password"
        ) from None
    except vmodl.MethodFault as fault:
        raise SourceProtocolError(f"vCenter {endpoint.name} refused the login: {fault.msg or type(fault).__name__}") from None
    except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
        raise network_error(endpoint, exc) from None
    except Exception as exc:  # pyvmomi raises bare Exceptions for thumbprint mismatches and odd answers
        if "thumbprint" in str(exc).lower():
            raise SourceTlsError(
                f"the certificate of vCenter {endpoint.name} does not match the thumbprint given: check --thumbprint"
            ) from None
        raise SourceProtocolError(
            f"{endpoint.name} did not answer like a vCenter ({type(exc).__name__}: {exc}): check the host and port"
        ) from None
    return VsphereConnection(endpoint, si, context)


def network_error(endpoint: VcenterEndpoint, exc: BaseException) -> Exception:
    """The typed error for a failure to reach or keep talking to the vCenter."""
    name = endpoint.name
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SourceTlsError(
            f"cannot verify the certificate of vCenter {name} ({exc.verify_message}): "
            "pass --ca-file with the CA that signed it, --thumbprint to pin it, or --insecure to skip the check"
        )
    if isinstance(exc, ssl.SSLError):
        return SourceTlsError(f"TLS with vCenter {name} failed ({exc.reason}): check the host and port")
    if isinstance(exc, socket.gaierror):
        return SourceUnreachableError(f"cannot resolve the vCenter host name {endpoint.host}: check --vcenter")
    if isinstance(exc, TimeoutError | socket.timeout):
        return SourceUnreachableError(
            f"vCenter {name} did not answer within {endpoint.timeout:g} s: check the network, or raise --timeout"
        )
    if isinstance(exc, ConnectionRefusedError):
        return SourceUnreachableError(f"vCenter {name} refused the connection: check the host and port")
    if isinstance(exc, http.client.HTTPException | ConnectionError):
        return SourceUnreachableError(f"the connection to vCenter {name} was lost ({type(exc).__name__}): re-run discover")
    return SourceUnreachableError(f"cannot reach vCenter {name} ({exc}): check the host, port and network")

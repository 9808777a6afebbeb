"""POSTing to a URL someone else chose without reaching the platform's own services.

The host is resolved once; every address it has must be public (not loopback, link-local,
private — which covers Docker's and the stack's networks —, multicast, reserved or
unspecified) unless AG_CALLBACK_ALLOW_PRIVATE is on; then the connection goes to the checked
address (so a second DNS answer can't point elsewhere), with the URL's host name for the Host
header and TLS (SNI and certificate check). Redirects are not followed.
"""

import ipaddress
import socket
import urllib.parse

import urllib3
from django.conf import settings

TIMEOUT_S = 10.0
MAX_RESPONSE_BYTES = 64 * 1024


class CallbackRefusedError(Exception):
    """The URL may not be called (shown in the delivery log; not retried)."""


def _checked_address(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise OSError(f"cannot resolve {host}: {e}") from e
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise OSError(f"{host} has no address")
    if not settings.AG_CALLBACK_ALLOW_PRIVATE:
        for address in addresses:
            if not address.is_global or address.is_multicast:
                raise CallbackRefusedError(
                    f"{host} resolves to {address}, a non-public address this server won't call."
                )
    return str(addresses[0])


def check_url(url: str) -> urllib.parse.SplitResult:
    """The URL's parts, if it is one we could call (http or https, with a host)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefusedError("Only http:// and https:// URLs with a host can be called.")
    if parts.username or parts.password:
        raise CallbackRefusedError("The URL may not carry a user name or password.")
    return parts


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POSTs `body`; returns the response status. OSError-like failures raise."""
    parts = check_url(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _checked_address(host, port)
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, server_hostname=host, assert_hostname=host, timeout=TIMEOUT_S
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=TIMEOUT_S)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default_port = port == (443 if parts.scheme == "https" else 80)
    headers = {
        **headers,
        "Host": host if default_port else f"{host}:{port}",
        "User-Agent": "autograder-callbacks",
    }
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
        )
        response.read(MAX_RESPONSE_BYTES)
        response.release_conn()
        return int(response.status)
    except urllib3.exceptions.HTTPError as e:
        raise OSError(str(e)) from e
    finally:
        pool.close()

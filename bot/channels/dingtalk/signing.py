"""DingTalk signatures: robot callback headers, custom-robot webhook 加签 and event-callback msg_signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Final
from urllib.parse import quote_plus, urlsplit, urlunsplit

# PROTOCOLS.md B1/B2: a request is valid only while |now - timestamp| <= 1 h.
DEFAULT_WINDOW_MS: Final = 60 * 60 * 1000

TIMESTAMP_HEADER: Final = "timestamp"
SIGN_HEADER: Final = "sign"

# Query parameters that sign_webhook_url owns; stale values are replaced, never duplicated.
_WEBHOOK_SIGN_PARAMS: Final = frozenset({"timestamp", "sign"})


class DingTalkSignError(Exception):
    """A DingTalk request failed authentication; the message never contains a secret."""


class MissingHeaders(DingTalkSignError):
    """The `timestamp` or `sign` header is absent or empty (answer HTTP 400)."""


class MalformedHeaders(MissingHeaders):
    """The `timestamp` header is not a decimal millisecond count (answer HTTP 400)."""


class StaleTimestamp(DingTalkSignError):
    """The signed timestamp lies outside the accepted window, in the past or the future (answer HTTP 403)."""


class BadSignature(DingTalkSignError):
    """The signature does not match the one computed with our secret (answer HTTP 403)."""


def hmac_sha256_base64(key: str, message: str) -> str:
    """Return base64(HMAC-SHA256(key, message)) over the UTF-8 encodings, without URL encoding."""
    digest = hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def robot_sign(timestamp: int | str, secret: str) -> str:
    """Return the robot signature base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")) (B1 and B2)."""
    if not secret:
        raise ValueError("a DingTalk signing secret must not be empty")
    return hmac_sha256_base64(secret, f"{timestamp}\n{secret}")


def webhook_sign(timestamp_ms: int, secret: str) -> str:
    """Return the custom-robot 加签 value before URL encoding (B2)."""
    if timestamp_ms < 0:
        raise ValueError("timestamp_ms must not be negative")
    return robot_sign(timestamp_ms, secret)


def sign_webhook_url(webhook_url: str, secret: str, timestamp_ms: int) -> str:
    """Append `timestamp` and the URL-encoded `sign` to a custom-robot webhook URL (B2).

    The existing query (the access_token) is kept byte for byte; an earlier timestamp/sign pair is replaced.
    """
    parts = urlsplit(webhook_url)
    if not parts.scheme or not parts.netloc:
        raise ValueError("the webhook URL must be absolute")
    kept = [pair for pair in parts.query.split("&") if pair and pair.split("=", 1)[0] not in _WEBHOOK_SIGN_PARAMS]
    kept.append(f"timestamp={timestamp_ms}")
    kept.append(f"sign={quote_plus(webhook_sign(timestamp_ms, secret))}")
    return urlunsplit(parts._replace(query="&".join(kept)))


def verify_callback(
    timestamp: str | None,
    sign: str | None,
    *,
    app_secret: str,
    now_ms: int,
    window_ms: int = DEFAULT_WINDOW_MS,
) -> int:
    """Check the robot callback `timestamp` and `sign` header values (B1) and return the timestamp in ms.

    Both checks must pass. The signature is checked first, so StaleTimestamp means a genuine request
    that is too old or too new (a replay or clock skew), not a forgery.
    """
    if not app_secret:
        raise ValueError("app_secret must not be empty")
    if window_ms < 0:
        raise ValueError("window_ms must not be negative")
    if not timestamp or not sign:
        raise MissingHeaders("the timestamp and sign headers are both required")
    # The signature covers the header text as sent, so only plain ASCII digits are accepted:
    # int() would also take "+1", " 1" or "1_0", whose signed text differs.
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise MalformedHeaders("the timestamp header is not a decimal millisecond count")
    expected = robot_sign(timestamp, app_secret).encode("ascii")
    # Header values may hold any character; encoding first keeps compare_digest from raising on non-ASCII.
    if not hmac.compare_digest(expected, sign.encode("utf-8", "replace")):
        raise BadSignature("the sign header does not match")
    timestamp_ms = int(timestamp)
    if abs(now_ms - timestamp_ms) > window_ms:
        raise StaleTimestamp(f"the timestamp is {now_ms - timestamp_ms} ms away from now")
    return timestamp_ms


def verify_callback_headers(
    headers: Mapping[str, str],
    *,
    app_secret: str,
    now_ms: int,
    window_ms: int = DEFAULT_WINDOW_MS,
) -> int:
    """Like verify_callback, reading the values from a header mapping with case-insensitive names."""
    return verify_callback(
        _header(headers, TIMESTAMP_HEADER),
        _header(headers, SIGN_HEADER),
        app_secret=app_secret,
        now_ms=now_ms,
        window_ms=window_ms,
    )


def event_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """Return the event-callback msg_signature: sha1 hex of the four strings sorted and joined (B4 V1)."""
    joined = "".join(sorted((token, timestamp, nonce, encrypt)))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def verify_event_signature(msg_signature: str, *, token: str, timestamp: str, nonce: str, encrypt: str) -> None:
    """Raise BadSignature unless msg_signature signs this event-callback envelope (B4 V1)."""
    expected = event_signature(token, timestamp, nonce, encrypt).encode("ascii")
    if not hmac.compare_digest(expected, msg_signature.encode("utf-8", "replace")):
        raise BadSignature("the msg_signature does not match")


def event_reply_envelope(encrypt: str, *, token: str, timestamp: str, nonce: str) -> dict[str, str]:
    """Build the signed JSON reply to an event callback around an already encrypted "success" (B4 V1)."""
    return {
        "msg_signature": event_signature(token, timestamp, nonce, encrypt),
        "encrypt": encrypt,
        "timeStamp": timestamp,
        "nonce": nonce,
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Look a header up by name; aiohttp's CIMultiDictProxy is case-insensitive, a plain dict is not."""
    value = headers.get(name)
    if value is not None:
        return value
    for key, candidate in headers.items():
        if key.lower() == name:
            return candidate
    return None

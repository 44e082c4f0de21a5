"""Golden vectors D1-D3, V1 and V2 (PROTOCOLS.md B4) and negative cases for DingTalk signing."""

from __future__ import annotations

import base64
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.channels.dingtalk.signing import (
    DEFAULT_WINDOW_MS,
    BadSignature,
    DingTalkSignError,
    MalformedHeaders,
    MissingHeaders,
    StaleTimestamp,
    event_reply_envelope,
    event_signature,
    hmac_sha256_base64,
    robot_sign,
    sign_webhook_url,
    verify_callback,
    verify_callback_headers,
    verify_event_signature,
    webhook_sign,
)

D1_T = 1546084445901
D1_SECRET = "this is secret"
D1_SIGN = "iZUamRUhDrNjadIMypR3HzMCRArfP4PWgn33Azh7zVk="
D1_URL_SIGN = "iZUamRUhDrNjadIMypR3HzMCRArfP4PWgn33Azh7zVk%3D"

D2_T = 1700000000001
D2_SECRET = "SECf1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
D2_SIGN = "rZomkxn+8Xle6f/NLQaa/jHvUSAsymwRvOQbMTiuzkQ="
D2_URL_SIGN = "rZomkxn%2B8Xle6f%2FNLQaa%2FjHvUSAsymwRvOQbMTiuzkQ%3D"

D3_T = "1700000000000"
D3_SECRET = "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6A7B8C9D0E1F2"
D3_SIGN = "5l/1TSrPJ7SAQGjIXcYjeN7OXJNPntKzLn3o2IZ1Av4="

V2_T = 1546084445901
V2_SECRET = "testappSecret"
V2_SIGN = "HCbG3xNE3vzhO+u7qCUL1jS5hsu2n5r2cFhnTrtyDAE="

V1_TOKEN = "mryue"
V1_AES_KEY = "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7"
V1_KEY = "ding6ccabc44d2c8d38b"
V1_SIGNATURE = "03044561471240d4a14bb09372dfcfd4fd0e40cb"
V1_TIMESTAMP = "1608001896814"
V1_NONCE = "WL4PK6yA"
V1_ENCRYPT = (
    "0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDC"
    "YxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3"
)

WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=abc123"


# --- D1-D3: the robot signature -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timestamp", "secret", "expected"),
    [(D1_T, D1_SECRET, D1_SIGN), (D2_T, D2_SECRET, D2_SIGN), (D3_T, D3_SECRET, D3_SIGN)],
    ids=["D1", "D2", "D3"],
)
def test_robot_sign_vectors(timestamp: int | str, secret: str, expected: str) -> None:
    assert robot_sign(timestamp, secret) == expected


def test_webhook_sign_is_raw_base64() -> None:
    assert webhook_sign(D1_T, D1_SECRET) == D1_SIGN
    assert webhook_sign(D2_T, D2_SECRET) == D2_SIGN


def test_sign_webhook_url_d1() -> None:
    assert sign_webhook_url(WEBHOOK, D1_SECRET, D1_T) == f"{WEBHOOK}&timestamp={D1_T}&sign={D1_URL_SIGN}"


def test_sign_webhook_url_d2_encodes_plus_and_slash() -> None:
    assert sign_webhook_url(WEBHOOK, D2_SECRET, D2_T) == f"{WEBHOOK}&timestamp={D2_T}&sign={D2_URL_SIGN}"


def test_sign_webhook_url_replaces_an_earlier_signature() -> None:
    once = sign_webhook_url(WEBHOOK, D2_SECRET, D2_T)
    assert sign_webhook_url(once, D1_SECRET, D1_T) == f"{WEBHOOK}&timestamp={D1_T}&sign={D1_URL_SIGN}"


def test_sign_webhook_url_without_query() -> None:
    url = "https://oapi.dingtalk.com/robot/send"
    assert sign_webhook_url(url, D1_SECRET, D1_T) == f"{url}?timestamp={D1_T}&sign={D1_URL_SIGN}"


def test_sign_webhook_url_rejects_relative_url_and_empty_secret() -> None:
    with pytest.raises(ValueError):
        sign_webhook_url("/robot/send?access_token=x", D1_SECRET, D1_T)
    with pytest.raises(ValueError):
        sign_webhook_url(WEBHOOK, "", D1_T)


# --- D3: the inbound header check ------------------------------------------------------------------------


def test_d3_accepts_the_golden_headers() -> None:
    assert verify_callback(D3_T, D3_SIGN, app_secret=D3_SECRET, now_ms=int(D3_T)) == int(D3_T)


def test_d3_headers_mapping_is_case_insensitive() -> None:
    headers = {"Timestamp": D3_T, "Sign": D3_SIGN}
    assert verify_callback_headers(headers, app_secret=D3_SECRET, now_ms=int(D3_T) + 1000) == int(D3_T)


@pytest.mark.parametrize("skew", [DEFAULT_WINDOW_MS, -DEFAULT_WINDOW_MS, 0], ids=["past-edge", "future-edge", "now"])
def test_d3_accepts_the_window_edges(skew: int) -> None:
    verify_callback(D3_T, D3_SIGN, app_secret=D3_SECRET, now_ms=int(D3_T) + skew)


@pytest.mark.parametrize("skew", [DEFAULT_WINDOW_MS + 1, -(DEFAULT_WINDOW_MS + 1)], ids=["past", "future"])
def test_d3_rejects_a_stale_timestamp(skew: int) -> None:
    with pytest.raises(StaleTimestamp):
        verify_callback(D3_T, D3_SIGN, app_secret=D3_SECRET, now_ms=int(D3_T) + skew)


def test_window_is_configurable() -> None:
    verify_callback(
        D3_T,
        D3_SIGN,
        app_secret=D3_SECRET,
        now_ms=int(D3_T) + 5 * DEFAULT_WINDOW_MS,
        window_ms=6 * DEFAULT_WINDOW_MS,
    )
    with pytest.raises(StaleTimestamp):
        verify_callback(D3_T, D3_SIGN, app_secret=D3_SECRET, now_ms=int(D3_T) + 60_001, window_ms=60_000)


def test_d3_rejects_a_wrong_secret() -> None:
    with pytest.raises(BadSignature):
        verify_callback(D3_T, D3_SIGN, app_secret=D3_SECRET + "x", now_ms=int(D3_T))


def test_d3_rejects_a_sign_for_another_timestamp() -> None:
    with pytest.raises(BadSignature):
        verify_callback("1700000000001", D3_SIGN, app_secret=D3_SECRET, now_ms=int(D3_T))


def test_d3_rejects_a_url_encoded_sign() -> None:
    with pytest.raises(BadSignature):
        verify_callback(
            D3_T, "5l%2F1TSrPJ7SAQGjIXcYjeN7OXJNPntKzLn3o2IZ1Av4%3D", app_secret=D3_SECRET, now_ms=int(D3_T)
        )


def test_non_ascii_sign_is_rejected_not_crashing() -> None:
    with pytest.raises(BadSignature):
        verify_callback(D3_T, "签名", app_secret=D3_SECRET, now_ms=int(D3_T))


def test_bad_signature_wins_over_stale_timestamp() -> None:
    # A forged, old request reports a bad signature; StaleTimestamp is kept for genuine but late ones.
    with pytest.raises(BadSignature):
        verify_callback(D3_T, D1_SIGN, app_secret=D3_SECRET, now_ms=int(D3_T) + 10 * DEFAULT_WINDOW_MS)


@pytest.mark.parametrize(
    ("timestamp", "sign"),
    [(None, D3_SIGN), (D3_T, None), ("", D3_SIGN), (D3_T, ""), (None, None)],
    ids=["no-timestamp", "no-sign", "empty-timestamp", "empty-sign", "none"],
)
def test_missing_headers(timestamp: str | None, sign: str | None) -> None:
    with pytest.raises(MissingHeaders):
        verify_callback(timestamp, sign, app_secret=D3_SECRET, now_ms=int(D3_T))


def test_missing_headers_from_mapping() -> None:
    with pytest.raises(MissingHeaders):
        verify_callback_headers({"sign": D3_SIGN}, app_secret=D3_SECRET, now_ms=int(D3_T))


@pytest.mark.parametrize("timestamp", ["17e11", "+1700000000000", " 1700000000000", "1_700", "١٧"])
def test_malformed_timestamp_is_a_400(timestamp: str) -> None:
    with pytest.raises(MalformedHeaders) as info:
        verify_callback(timestamp, D3_SIGN, app_secret=D3_SECRET, now_ms=int(D3_T))
    assert isinstance(info.value, MissingHeaders)


def test_error_hierarchy_and_messages_hide_the_secret() -> None:
    for error in (MissingHeaders, StaleTimestamp, BadSignature):
        assert issubclass(error, DingTalkSignError)
    with pytest.raises(DingTalkSignError) as info:
        verify_callback(D3_T, "x", app_secret=D3_SECRET, now_ms=int(D3_T))
    assert D3_SECRET not in str(info.value)


def test_empty_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        verify_callback(D3_T, D3_SIGN, app_secret="", now_ms=int(D3_T))


# --- V2: the look-alike 免登 signature, HMAC over the timestamp only -------------------------------------


def test_v2_plumbing_hmac_base64() -> None:
    assert hmac_sha256_base64(V2_SECRET, str(V2_T)) == V2_SIGN


def test_v2_is_not_what_the_robot_signer_produces() -> None:
    assert robot_sign(V2_T, V2_SECRET) != V2_SIGN
    assert webhook_sign(V2_T, V2_SECRET) != V2_SIGN
    assert "HCbG3xNE3vzhO%2Bu7qCUL1jS5hsu2n5r2cFhnTrtyDAE%3D" not in sign_webhook_url(WEBHOOK, V2_SECRET, V2_T)


def test_v2_signature_is_rejected_by_the_callback_check() -> None:
    with pytest.raises(BadSignature):
        verify_callback(str(V2_T), V2_SIGN, app_secret=V2_SECRET, now_ms=V2_T)


# --- V1: event-subscription callback (same crypto as WeCom A1, receiveid = AppKey) -----------------------


def test_v1_msg_signature() -> None:
    assert event_signature(V1_TOKEN, V1_TIMESTAMP, V1_NONCE, V1_ENCRYPT) == V1_SIGNATURE
    verify_event_signature(V1_SIGNATURE, token=V1_TOKEN, timestamp=V1_TIMESTAMP, nonce=V1_NONCE, encrypt=V1_ENCRYPT)


@pytest.mark.parametrize("field", ["token", "timestamp", "nonce", "encrypt"])
def test_v1_msg_signature_rejects_any_changed_input(field: str) -> None:
    values = {"token": V1_TOKEN, "timestamp": V1_TIMESTAMP, "nonce": V1_NONCE, "encrypt": V1_ENCRYPT}
    values[field] += "x"
    with pytest.raises(BadSignature):
        verify_event_signature(V1_SIGNATURE, **values)


def test_v1_rejects_a_forged_signature() -> None:
    with pytest.raises(BadSignature):
        verify_event_signature("0" * 40, token=V1_TOKEN, timestamp=V1_TIMESTAMP, nonce=V1_NONCE, encrypt=V1_ENCRYPT)


def test_v1_ciphertext_decrypts_to_check_url() -> None:
    # The shared AES core owns decryption; this independent decrypt pins the vector byte for byte.
    key = base64.b64decode(V1_AES_KEY + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(V1_ENCRYPT)) + decryptor.finalize()
    pad = plain[-1]
    assert pad == 31
    assert plain[-pad:] == bytes([pad]) * pad
    (length,) = struct.unpack(">I", plain[16:20])
    assert plain[20 : 20 + length] == b'{"EventType":"check_url"}'
    assert plain[20 + length : -pad] == V1_KEY.encode()


def test_v1_reply_envelope_is_signed() -> None:
    reply = event_reply_envelope(V1_ENCRYPT, token=V1_TOKEN, timestamp=V1_TIMESTAMP, nonce=V1_NONCE)
    assert reply == {
        "msg_signature": V1_SIGNATURE,
        "encrypt": V1_ENCRYPT,
        "timeStamp": V1_TIMESTAMP,
        "nonce": V1_NONCE,
    }

"""WeCom callback crypto (PROTOCOLS A1): SHA-1 signature, AES-256-CBC with PKCS#7/32, reply envelopes."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import struct

# wechatpy (the issue asks for its crypto) supplies the primitives that are correct as they stand:
# the AES-256-CBC cipher with IV = key[:16], the PKCS#7 *encoder* with block size 32, and the sorted
# SHA-1 signer. Its PrpCrypto/WeChatCrypto classes are not used for decryption because they
# - do not validate the padding (pad 0 or > 32 is accepted, pad bytes are not checked),
# - do not bound msg_len: a length past the end leaves an empty receive id, which *matches* the
#   智能机器人's receive id "" (PROTOCOLS A1),
# - decode base64 leniently (junk characters are dropped) and decode the message to str,
# - compare signatures with `!=` instead of a constant-time compare,
# - take the 16 random bytes from `random` (not a CSPRNG) with no way to inject them for vectors,
# - only read the XML envelope, not the 智能机器人's JSON one.
# So the unpacking below is ours, strict, and byte-exact with the Tencent SDK on valid input.
from wechatpy.crypto.cryptography import WeChatCipher
from wechatpy.crypto.pkcs7 import PKCS7Encoder
from wechatpy.utils import WeChatSigner

__all__ = [
    "InvalidReceiveId",
    "InvalidSignature",
    "MalformedPayload",
    "WeComCrypto",
    "WeComCryptoError",
    "render_json_envelope",
    "render_xml_envelope",
]

_BLOCK = 32  # WeCom pads to 32 bytes, not to the AES block size of 16
_RANDOM_LEN = 16
_LEN_FIELD = 4

# Byte-exact passive reply template for the self-built app (PROTOCOLS A2; wechatpy's test asserts it).
_XML_ENVELOPE = (
    "<xml>\n"
    "<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n"
    "<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n"
    "<TimeStamp>{timestamp}</TimeStamp>\n"
    "<Nonce><![CDATA[{nonce}]]></Nonce>\n"
    "</xml>"
)


class WeComCryptoError(Exception):
    """Base class: the callback cannot be trusted or read; answer 4xx (never echo the detail)."""


class InvalidSignature(WeComCryptoError):
    """msg_signature does not match sha1(sort(token, timestamp, nonce, encrypt)) (SDK -40001)."""


class InvalidReceiveId(WeComCryptoError):
    """The decrypted receive id is not ours: another corp, app or bot (SDK -40005)."""


class MalformedPayload(WeComCryptoError):
    """Bad base64, padding, length or key, or an unreadable XML/JSON body (SDK -40002/-40004/-40007..10)."""


class WeComCrypto:
    """One callback endpoint's crypto. receive_id: the CorpID for an app, "" for the 智能机器人."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        self._token = token
        self._receive_id = receive_id.encode("utf-8")
        key = _decode_aes_key(encoding_aes_key)
        self._cipher = WeChatCipher(key)  # AES-256-CBC, IV = key[:16]

    def signature(self, timestamp: str, nonce: str, encrypt: str) -> str:
        """Lower-case hex sha1 of the four strings sorted and joined (PROTOCOLS A1)."""
        signer = WeChatSigner()
        signer.add_data(self._token, timestamp, nonce, encrypt)
        digest: str = signer.signature
        return digest

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """GET URL check: verify, decrypt echostr and return the plaintext to send back verbatim.

        aiohttp's `request.query` turns a literal '+' into a space. Tencent percent-encodes '+', but
        PROTOCOLS A1 recommends retrying with spaces put back as '+' when the first check fails; the
        signature is still checked, so the retry accepts nothing that was not signed.
        """
        if not self._signature_ok(msg_signature, timestamp, nonce, echostr) and " " in echostr:
            echostr = echostr.replace(" ", "+")
        plaintext = self.decrypt(msg_signature, timestamp, nonce, echostr)
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedPayload("echostr plaintext is not UTF-8") from exc

    def decrypt(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> bytes:
        """Verify the signature (constant time) first, then decrypt and check the receive id."""
        if not self._signature_ok(msg_signature, timestamp, nonce, encrypt):
            raise InvalidSignature("msg_signature mismatch")
        try:
            ciphertext = base64.b64decode(encrypt.encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error) as exc:
            raise MalformedPayload("ciphertext is not valid base64") from exc
        if not ciphertext or len(ciphertext) % _BLOCK:
            raise MalformedPayload(f"ciphertext length {len(ciphertext)} is not a positive multiple of 32")
        padded: bytes = self._cipher.decrypt(ciphertext)
        body = _unpad(padded)
        if len(body) < _RANDOM_LEN + _LEN_FIELD:
            raise MalformedPayload("plaintext shorter than random + length header")
        (msg_len,) = struct.unpack(">I", body[_RANDOM_LEN : _RANDOM_LEN + _LEN_FIELD])
        start = _RANDOM_LEN + _LEN_FIELD
        if msg_len > len(body) - start:
            raise MalformedPayload("msg_len runs past the end of the plaintext")
        msg, receive_id = body[start : start + msg_len], body[start + msg_len :]
        if not hmac.compare_digest(receive_id, self._receive_id):
            raise InvalidReceiveId("receive id mismatch")
        return msg

    def encrypt(
        self, plaintext: bytes, *, timestamp: str, nonce: str, random16: bytes | None = None
    ) -> tuple[str, str]:
        """Encrypt a reply; return (encrypt_b64, msg_signature). Pass random16 only in tests."""
        if random16 is None:
            random16 = secrets.token_bytes(_RANDOM_LEN)
        if len(random16) != _RANDOM_LEN:
            raise ValueError("random16 must be exactly 16 bytes")
        packed = random16 + struct.pack(">I", len(plaintext)) + plaintext + self._receive_id
        padded: bytes = PKCS7Encoder.encode(packed)
        ciphertext: bytes = self._cipher.encrypt(padded)
        encrypt_b64 = base64.b64encode(ciphertext).decode("ascii")
        return encrypt_b64, self.signature(timestamp, nonce, encrypt_b64)

    def encrypt_xml_reply(self, plaintext: bytes, *, timestamp: str, nonce: str, random16: bytes | None = None) -> str:
        """Passive reply body for the self-built app: the XML envelope of PROTOCOLS A2."""
        encrypt_b64, signature = self.encrypt(plaintext, timestamp=timestamp, nonce=nonce, random16=random16)
        return render_xml_envelope(encrypt_b64, signature, timestamp, nonce)

    def encrypt_json_reply(self, plaintext: bytes, *, timestamp: str, nonce: str, random16: bytes | None = None) -> str:
        """Passive reply body for the 智能机器人: the JSON envelope of PROTOCOLS A5."""
        encrypt_b64, signature = self.encrypt(plaintext, timestamp=timestamp, nonce=nonce, random16=random16)
        return render_json_envelope(encrypt_b64, signature, timestamp, nonce)

    def _signature_ok(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> bool:
        expected = self.signature(timestamp, nonce, encrypt).encode("ascii")
        # Encode first: compare_digest refuses non-ASCII str, and a hostile query may carry any text.
        return hmac.compare_digest(expected, msg_signature.encode("utf-8"))


def render_xml_envelope(encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The app's encrypted reply XML, byte-exact with the Tencent SDK and wechatpy."""
    _check_echoable(timestamp, nonce)
    return _XML_ENVELOPE.format(encrypt=encrypt, signature=msg_signature, timestamp=timestamp, nonce=nonce)


def render_json_envelope(encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The 智能机器人's encrypted reply JSON; like Tencent's WXBizJsonMsgCrypt, timestamp is a string."""
    _check_echoable(timestamp, nonce)
    envelope = {"encrypt": encrypt, "msgsignature": msg_signature, "timestamp": timestamp, "nonce": nonce}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def _decode_aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise MalformedPayload("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode((encoding_aes_key + "=").encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise MalformedPayload("EncodingAESKey is not base64") from exc
    if len(key) != 32:  # unreachable for 43 valid characters; kept as the SDK's own assertion
        raise MalformedPayload("EncodingAESKey does not decode to 32 bytes")
    return key


def _unpad(padded: bytes) -> bytes:
    pad = padded[-1]
    if not 1 <= pad <= _BLOCK or padded[-pad:] != bytes([pad]) * pad:
        raise MalformedPayload("bad PKCS#7 padding")
    return padded[:-pad]


def _check_echoable(timestamp: str, nonce: str) -> None:
    # Both come back from the query string; keep them from breaking out of the envelope.
    if not timestamp.isascii() or not timestamp.isdigit():
        raise ValueError("timestamp must be ASCII digits")
    if not nonce.isascii() or not nonce.isprintable() or any(ch in nonce for ch in '<>&]"\\'):
        raise ValueError("nonce contains characters that cannot be echoed in a reply envelope")

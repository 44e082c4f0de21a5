"""Golden vectors T1-T5, W1-W4, X1-X3 of PROTOCOLS A3, plus the negative cases, for WeComCrypto."""

from __future__ import annotations

import base64
import hashlib
import json
import struct

import pytest
import yarl
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy.enterprise.crypto import PrpCrypto

from bot.channels.wecom.crypto import (
    InvalidReceiveId,
    InvalidSignature,
    MalformedPayload,
    WeComCrypto,
    WeComCryptoError,
    render_json_envelope,
    render_xml_envelope,
)
from bot.channels.wecom.parse import parse_app_envelope, parse_bot_envelope

# --- vector settings (PROTOCOLS A3) ----------------------------------------------------------------

# T1-T3: Tencent SDK sample, sbzhu/weworkapi_python @16e0b052.
T_TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
T_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
T_CORP = "ww1436e0e65a779aee"
# T4-T5 and X1-X3: the "QDG6eK" doc vector; X* use receive id "" (智能机器人).
Q_TOKEN = "QDG6eK"
Q_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
Q_CORP = "wx5823bf96d3bd56c7"
# W1-W4: wechatpy tests/test_crypto.py.
W_TOKEN = "123456"
W_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
W_CORP = "wx49f0ab532d5d035a"

RANDOM16 = b"1234567890123456"

T2_ENCRYPT = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2"
    "AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8"
    "KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQ"
    "DCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
)
T2_PLAIN = (
    "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
    "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
    "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
).encode()
T3_ENCRYPT = (
    "cjhLUX7UU4yCSelv1vz7T0zT8huF51bAMVWriNvO1FMegHrQZNrtvRxbwf0fUPsFvwqR0U0fgiJNEA5Y30F2MoI2S7vv3EjVQ68C0cjw"
    "9frBoUE2Hj0BvFp9h3u6Vbsg4lc1C8AtHdaN8orKuNKkLRLuYEL52R1J3v8olJGZRLnRdVKIivixmX/eQpzgeExtp20jI1HxRP1AAZ6x"
    "ZoILdqDPO549LO4WeG+685JRUTdiwcY5fjZlqeMxuT4PpMn1X9OWsS7NRj06Wa5E3Tvg4twjWp39KPfOdRte6P1T4JU="
)
T4_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/s"
    "YYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJ"
    "YuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGU"
    "callcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDY"
    "A5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
T4_PLAIN = (
    b"<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    b"<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n"
    b"<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n"
    b"<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>"
)
W1_ECHOSTR = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
W3_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283d"
    "Gymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwB"
    "iT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54S"
    "NdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91"
    "eBdCRxthuL0="
)
W4_PLAIN = (
    b"<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    b"<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
    b"<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
)
W4_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURn"
    "AtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oy"
    "KQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkd"
    "Q39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)
X1_ENCRYPT = (
    "y514aRT8yYkYNee3kPvkrFfNP6QJhOJjJyKnjo25xNUCWRi/GOyybm22C5asmYjRRAxEBRDczW+TUMA1iRKACVskZSTdS3fNAzk3xOEA"
    "Cb7X3NRyRu3KdS1rcFR6RddHL/X3rQ6RAMja45Pfzuh2nj1PzrEYW6PlfcyVlvp4c5EssOwWMTYM1/oMZq5lPB+7r0Ff+/kfspd6LkaF"
    "FYdXQKHD4bGCDsyq/58xUPhUcogDd9ljxSlHkIeccVH1q3a6SrUL8wLlVI4cy7H8c8yupQQNjDY3AYMLfrjXDrW4lHL4FHgl7UWVfcG2"
    "xbXSyCWgHpBt2tvn4J7hh6mqUfoJ2Q=="
)
X1_PLAIN = (
    b'{"msgid":"CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=","aibotid":"AIBOTID","chatid":"CHATID","chattype":"group",'
    b'"from":{"userid":"USERID"},"response_url":"RESPONSEURL","msgtype":"text",'
    b'"text":{"content":"@RobotA hello robot"}}'
)
X3_PLAIN = b'{"msgtype":"stream","stream":{"id":"STREAMID","finish":true,"content":"hello"}}'
X3_ENCRYPT = (
    "y514aRT8yYkYNee3kPvkrEAo0SK7KwlpFvjye7kTft7bf43L2I8M9QRZA/o0jfNTRQcHuCflT2JI3zj8pgdp8JfwSz/TFasvEweQZL2X"
    "PRbNfO7hChfg/qxDvK/9+wZvJU2sK0M0d32ZB+HEeFUluL2EGDUpITZ253pKo+Wl3kg="
)


def app_t() -> WeComCrypto:
    return WeComCrypto(T_TOKEN, T_KEY, T_CORP)


def app_q() -> WeComCrypto:
    return WeComCrypto(Q_TOKEN, Q_KEY, Q_CORP)


def app_w() -> WeComCrypto:
    return WeComCrypto(W_TOKEN, W_KEY, W_CORP)


def aibot_q() -> WeComCrypto:
    return WeComCrypto(Q_TOKEN, Q_KEY, "")


def raw_aes(encoding_aes_key: str) -> Cipher[modes.CBC]:
    """An independent AES-256-CBC (no wechatpy) to check pads and to forge bad plaintexts."""
    key = base64.b64decode(encoding_aes_key + "=")
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def pad_of(encoding_aes_key: str, encrypt: str) -> int:
    decryptor = raw_aes(encoding_aes_key).decryptor()
    plain = decryptor.update(base64.b64decode(encrypt)) + decryptor.finalize()
    return plain[-1]


def forge(encoding_aes_key: str, padded_plaintext: bytes) -> str:
    """Encrypt arbitrary (already padded) bytes: lets a test sign a ciphertext the SDK would never make."""
    encryptor = raw_aes(encoding_aes_key).encryptor()
    return base64.b64encode(encryptor.update(padded_plaintext) + encryptor.finalize()).decode()


def tamper(encrypt: str, index: int, xor: int) -> str:
    raw = bytearray(base64.b64decode(encrypt))
    raw[index] ^= xor
    return base64.b64encode(bytes(raw)).decode()


# --- T1-T3: official Tencent SDK sample --------------------------------------------------------------


def test_t1_verify_url() -> None:
    echostr = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
    result = app_t().verify_url("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683", echostr)
    assert result == "1288432023552776189"
    assert pad_of(T_KEY, echostr) == 7


def test_t2_xml_post() -> None:
    body = (
        f"<xml><ToUserName><![CDATA[{T_CORP}]]></ToUserName>\n<Encrypt><![CDATA[{T2_ENCRYPT}]]></Encrypt>\n"
        "<AgentID><![CDATA[1000002]]></AgentID>\n</xml>"
    ).encode()
    envelope = parse_app_envelope(body)
    plain = app_t().decrypt("0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914", envelope.encrypt)
    assert plain == T2_PLAIN
    assert pad_of(T_KEY, T2_ENCRYPT) == 22


def test_t3_json_post() -> None:
    body = json.dumps({"tousername": "wx5823bf96d3bd56c7", "encrypt": T3_ENCRYPT, "agentid": 218})
    plain = app_t().decrypt(
        "e3647471e395139e2308c1fa963f2d648a00b90e", "1409659813", "1372623149", parse_bot_envelope(body)
    )
    # (sic) Tencent's own sample plaintext is not valid JSON; the crypto layer must not care.
    assert plain == (
        b'{ "ToUserName": "wx5823bf96d3bd56c7", "FromUserName": :mycreate", "CreateTime": 1409659813, '
        b'"MsgType": "text", "Content": "hello", "MsgId": 4561255354251345929, "AgentID": 218}'
    )


# --- T4-T5: the "QDG6eK" doc vector ----------------------------------------------------------------


def test_t4_xml_post() -> None:
    crypto = app_q()
    plain = crypto.decrypt("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", T4_ENCRYPT)
    assert plain == T4_PLAIN
    assert pad_of(Q_KEY, T4_ENCRYPT) == 30
    # The doc's sort_str: nonce, timestamp, token, encrypt, in plain lexicographic order.
    sort_str = "1372623149" + "1409659813" + "QDG6eK" + T4_ENCRYPT
    assert hashlib.sha1(sort_str.encode()).hexdigest() == crypto.signature("1409659813", "1372623149", T4_ENCRYPT)


def test_t5_get_from_raw_percent_encoded_query() -> None:
    raw_query = (
        "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780"
        "&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
    )
    query = yarl.URL("/wecom/callback?" + raw_query).query  # what aiohttp's request.query gives
    result = app_q().verify_url(query["msg_signature"], query["timestamp"], query["nonce"], query["echostr"])
    assert result == "1616140317555161061"


# --- W1-W4: wechatpy's vectors ---------------------------------------------------------------------


def test_w1_verify_url_ok() -> None:
    result = app_w().verify_url("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", "1411443780", "437374425", W1_ECHOSTR)
    assert result == "5927782489442352469"


def test_w2_verify_url_tampered_nonce_rejected() -> None:
    with pytest.raises(InvalidSignature):
        app_w().verify_url("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", "1411443780", "437374424", W1_ECHOSTR)


def test_w3_xml_post_pad_one() -> None:
    plain = app_w().decrypt("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294", W3_ENCRYPT)
    assert pad_of(W_KEY, W3_ENCRYPT) == 1  # the edge case: a single pad byte
    assert b"<Content><![CDATA[test]]></Content>" in plain
    assert b"<FromUserName><![CDATA[messense]]></FromUserName>" in plain
    assert b"<MsgId>4363689963896700987</MsgId>" in plain


def test_w4_encrypt_xml_reply_byte_exact() -> None:
    expected = (
        f"<xml>\n<Encrypt><![CDATA[{W4_ENCRYPT}]]></Encrypt>\n"
        "<MsgSignature><![CDATA[407518b7649e86ef23978113f92d27afa9296533]]></MsgSignature>\n"
        "<TimeStamp>1411525903</TimeStamp>\n<Nonce><![CDATA[461056294]]></Nonce>\n</xml>"
    )
    crypto = app_w()
    assert crypto.encrypt(W4_PLAIN, timestamp="1411525903", nonce="461056294", random16=RANDOM16) == (
        W4_ENCRYPT,
        "407518b7649e86ef23978113f92d27afa9296533",
    )
    reply = crypto.encrypt_xml_reply(W4_PLAIN, timestamp="1411525903", nonce="461056294", random16=RANDOM16)
    assert reply == expected


# --- X1-X3: 智能机器人, receive id "" ----------------------------------------------------------------


def test_x1_aibot_json_post() -> None:
    body = json.dumps({"encrypt": X1_ENCRYPT}).encode()
    plain = aibot_q().decrypt(
        "1e97f6f0187f029a1b1739e601750c90a5a76db4", "1409659813", "1372623149", parse_bot_envelope(body)
    )
    assert plain == X1_PLAIN


def test_x2_aibot_verify_url() -> None:
    echostr = "y514aRT8yYkYNee3kPvkrP0PKxILLkCwDviFQRkbFSPy/rdjbmr1P4E6i++ixo3ZiZpVHwxw3bnczc+p0Kj/EQ=="
    result = aibot_q().verify_url("1d921cacbcf9c36da15d6c7bdc31bc24ef6f9d21", "1409659589", "263014780", echostr)
    assert result == "1616140317555161061"


def test_x3_aibot_encrypt_json_reply_byte_exact() -> None:
    crypto = aibot_q()
    encrypt, signature = crypto.encrypt(X3_PLAIN, timestamp="1409659813", nonce="1372623149", random16=RANDOM16)
    assert encrypt == X3_ENCRYPT
    assert signature == "9aad2e11f126b00c260840648f68cefbd4e90926"
    reply = crypto.encrypt_json_reply(X3_PLAIN, timestamp="1409659813", nonce="1372623149", random16=RANDOM16)
    assert reply == (
        f'{{"encrypt":"{X3_ENCRYPT}","msgsignature":"9aad2e11f126b00c260840648f68cefbd4e90926",'
        '"timestamp":"1409659813","nonce":"1372623149"}'
    )
    envelope = json.loads(reply)
    plain = crypto.decrypt(envelope["msgsignature"], envelope["timestamp"], envelope["nonce"], envelope["encrypt"])
    assert plain == X3_PLAIN


# --- the same core serves DingTalk's event crypto (PROTOCOLS B4 V1, Part C) --------------------------


def test_dingtalk_v1_same_algorithm() -> None:
    crypto = WeComCrypto("mryue", "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7", "ding6ccabc44d2c8d38b")
    encrypt = (
        "0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhE"
        "LOFchzNukR+t8SB/qk4ROMu3"
    )
    plain = crypto.decrypt("03044561471240d4a14bb09372dfcfd4fd0e40cb", "1608001896814", "WL4PK6yA", encrypt)
    assert plain == b'{"EventType":"check_url"}'


# --- round trips and interop -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 11, 12, 13, 44, 45, 100, 2048])
def test_round_trip_every_pad_length(size: int) -> None:
    # 16 random + 4 length + msg + 0-byte receive id: sizes 12 and 44 are block-aligned (a full pad block).
    crypto = aibot_q()
    plaintext = ("警" * size).encode()[:size]
    encrypt, signature = crypto.encrypt(plaintext, timestamp="1", nonce="2")
    assert crypto.decrypt(signature, "1", "2", encrypt) == plaintext


def test_random_prefix_is_fresh_when_not_injected() -> None:
    crypto = app_w()
    first = crypto.encrypt(b"same", timestamp="1", nonce="2")
    second = crypto.encrypt(b"same", timestamp="1", nonce="2")
    assert first != second


def test_wechatpy_reads_what_we_write() -> None:
    encrypt, _ = app_w().encrypt("你好".encode(), timestamp="1", nonce="2")
    assert PrpCrypto(base64.b64decode(W_KEY + "=")).decrypt(encrypt, W_CORP) == "你好"


def test_random16_must_be_16_bytes() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        app_w().encrypt(b"x", timestamp="1", nonce="2", random16=b"short")


# --- negative cases --------------------------------------------------------------------------------


def test_wrong_signature() -> None:
    with pytest.raises(InvalidSignature):
        app_w().decrypt("0" * 40, "1411525903", "461056294", W3_ENCRYPT)


def test_signature_with_non_ascii_is_refused_not_crashed() -> None:
    with pytest.raises(InvalidSignature):
        app_w().decrypt("签名" * 20, "1411525903", "461056294", W3_ENCRYPT)


def test_tampered_ciphertext_fails_the_signature() -> None:
    with pytest.raises(InvalidSignature):
        app_w().decrypt("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294", tamper(W3_ENCRYPT, 5, 1))


def test_tampered_and_resigned_length_header() -> None:
    # Flipping ciphertext byte 0 flips plaintext byte 16: the top byte of msg_len.
    crypto = aibot_q()
    bad = tamper(X1_ENCRYPT, 0, 0x80)
    with pytest.raises(MalformedPayload, match="msg_len"):
        crypto.decrypt(crypto.signature("1", "2", bad), "1", "2", bad)


def test_tampered_and_resigned_padding() -> None:
    # The last byte of the second-to-last block XORs the final pad byte; XOR with the pad itself gives 0.
    crypto = aibot_q()
    pad = pad_of(Q_KEY, X1_ENCRYPT)
    bad = tamper(X1_ENCRYPT, -17, pad)
    with pytest.raises(MalformedPayload, match="padding"):
        crypto.decrypt(crypto.signature("1", "2", bad), "1", "2", bad)


def test_wrong_receive_id_corp_id_on_aibot_vector() -> None:
    with pytest.raises(InvalidReceiveId):
        WeComCrypto(Q_TOKEN, Q_KEY, Q_CORP).decrypt(
            "1e97f6f0187f029a1b1739e601750c90a5a76db4", "1409659813", "1372623149", X1_ENCRYPT
        )


def test_wrong_receive_id_empty_on_app_vector() -> None:
    with pytest.raises(InvalidReceiveId):
        WeComCrypto(T_TOKEN, T_KEY, "").decrypt(
            "0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914", T2_ENCRYPT
        )


def test_msg_len_past_end_is_not_an_empty_receive_id() -> None:
    # wechatpy would slice short here and find receive id "" -- which is the 智能机器人's id.
    crypto = aibot_q()
    body = RANDOM16 + struct.pack(">I", 1000) + b"abc"
    encrypt = forge(Q_KEY, body + bytes([32 - len(body)]) * (32 - len(body)))
    with pytest.raises(MalformedPayload, match="msg_len"):
        crypto.decrypt(crypto.signature("1", "2", encrypt), "1", "2", encrypt)


@pytest.mark.parametrize("encrypt", ["not*base64!", "ab cd", "abc", "签名"])
def test_bad_base64(encrypt: str) -> None:
    crypto = aibot_q()
    with pytest.raises(MalformedPayload, match="base64"):
        crypto.decrypt(crypto.signature("1", "2", encrypt), "1", "2", encrypt)


def test_truncated_base64_unsigned_and_resigned() -> None:
    crypto = aibot_q()
    truncated = X1_ENCRYPT[:-3]  # broken base64 padding
    with pytest.raises(InvalidSignature):
        crypto.decrypt("1e97f6f0187f029a1b1739e601750c90a5a76db4", "1409659813", "1372623149", truncated)
    with pytest.raises(MalformedPayload, match="base64"):
        crypto.decrypt(crypto.signature("1", "2", truncated), "1", "2", truncated)
    shorter = base64.b64encode(base64.b64decode(X1_ENCRYPT)[:-16]).decode()  # valid base64, whole AES blocks
    with pytest.raises(MalformedPayload, match="multiple of 32"):
        crypto.decrypt(crypto.signature("1", "2", shorter), "1", "2", shorter)


@pytest.mark.parametrize(
    "tail",
    [
        b"\x00" * 32,  # pad 0
        b"\x21" * 32,  # pad 33 > block size
        b"\x05" * 31 + b"\x03",  # pad 3 but 3 pad bytes are not all 3
        b"\x00" * 30 + b"\x07\x02",  # pad 2, bytes differ
    ],
)
def test_bad_padding(tail: bytes) -> None:
    crypto = aibot_q()
    encrypt = forge(Q_KEY, RANDOM16 + struct.pack(">I", 0) + b"\x00" * 12 + tail)
    with pytest.raises(MalformedPayload, match="padding"):
        crypto.decrypt(crypto.signature("1", "2", encrypt), "1", "2", encrypt)


def test_bad_ciphertext_length() -> None:
    crypto = aibot_q()
    one_aes_block = base64.b64encode(b"\x00" * 16).decode()
    with pytest.raises(MalformedPayload, match="multiple of 32"):
        crypto.decrypt(crypto.signature("1", "2", one_aes_block), "1", "2", one_aes_block)


@pytest.mark.parametrize(
    "key",
    [
        Q_KEY[:-1],  # 42 characters
        Q_KEY + "A",  # 44 characters
        "",
        "!" * 43,  # not base64
        "密" * 43,  # not ASCII
    ],
)
def test_wrong_aes_key(key: str) -> None:
    with pytest.raises(MalformedPayload, match="EncodingAESKey"):
        WeComCrypto(Q_TOKEN, key, "")


def test_empty_encrypt() -> None:
    crypto = aibot_q()
    with pytest.raises(InvalidSignature):
        crypto.decrypt("1e97f6f0187f029a1b1739e601750c90a5a76db4", "1409659813", "1372623149", "")
    with pytest.raises(MalformedPayload):
        crypto.decrypt(crypto.signature("1", "2", ""), "1", "2", "")


@pytest.mark.parametrize("body", [b"", b"   ", "\n"])
def test_empty_body(body: bytes | str) -> None:
    with pytest.raises(MalformedPayload, match="empty"):
        parse_app_envelope(body)
    with pytest.raises(MalformedPayload, match="empty"):
        parse_bot_envelope(body)


def test_errors_share_one_base() -> None:
    for error in (InvalidSignature, InvalidReceiveId, MalformedPayload):
        assert issubclass(error, WeComCryptoError)


# --- '+' in the query string -----------------------------------------------------------------------


def test_literal_plus_in_query_becomes_space_and_is_repaired() -> None:
    # A proxy or client that does not percent-encode '+' puts literal '+' on the wire; yarl (and so
    # aiohttp's request.query) decodes it to ' '. PROTOCOLS A1: retry with spaces put back as '+'.
    query = yarl.URL(
        "/cb?msg_signature=dd6b9c95b495b3f7e2901bfbc76c664930ffdb96&timestamp=1411443780&nonce=437374425"
        f"&echostr={W1_ECHOSTR}"
    ).query
    assert "+" not in query["echostr"]
    assert query["echostr"] == W1_ECHOSTR.replace("+", " ")
    result = app_w().verify_url(query["msg_signature"], query["timestamp"], query["nonce"], query["echostr"])
    assert result == "5927782489442352469"


def test_plus_repair_does_not_bypass_the_signature() -> None:
    with pytest.raises(InvalidSignature):
        app_w().verify_url("0" * 40, "1411443780", "437374425", W1_ECHOSTR.replace("+", " "))


def test_post_encrypt_is_not_repaired() -> None:
    # Encrypt comes from the body, never from the query: a space there is a real corruption.
    with pytest.raises(InvalidSignature):
        app_w().decrypt(
            "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
            "1411525903",
            "461056294",
            W3_ENCRYPT.replace("+", " "),
        )


# --- envelopes -------------------------------------------------------------------------------------


def test_render_envelopes_refuse_unechoable_values() -> None:
    with pytest.raises(ValueError, match="nonce"):
        render_xml_envelope("e", "s", "1", "a]]><x>")
    with pytest.raises(ValueError, match="timestamp"):
        render_json_envelope("e", "s", "1a", "n")


def test_render_json_envelope_shape() -> None:
    assert json.loads(render_json_envelope("E", "S", "1409659813", "1372623149")) == {
        "encrypt": "E",
        "msgsignature": "S",
        "timestamp": "1409659813",
        "nonce": "1372623149",
    }

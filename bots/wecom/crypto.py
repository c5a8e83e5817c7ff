"""WeCom's callback encryption (企业微信 "加解密方案"), on ``cryptography``'s AES.

What WeCom publishes (and its WXBizMsgCrypt samples implement):
- ``msg_signature`` = SHA-1 of the sorted, concatenated token, timestamp, nonce and the
  encrypted payload (``echostr`` on the URL check, ``<Encrypt>`` on a message);
- the key is the 43-character EncodingAESKey plus "=", Base64-decoded (32 bytes);
  AES-256-CBC with the key's first 16 bytes as IV, PKCS#7 padding to a multiple of 32 bytes;
- the plaintext is 16 random bytes, the message length (4 bytes, network order),
  the message, and the receiver id (the CorpID).

Every comparison is constant-time; every malformed input raises ``WeComCryptoError``
with the WXBizMsgCrypt error code, so a caller can refuse it without a stack trace.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16

# WXBizMsgCrypt's return codes, kept so a log line can be looked up in WeCom's documentation.
VALIDATE_SIGNATURE = -40001
PARSE_XML = -40002
ILLEGAL_AES_KEY = -40004
VALIDATE_CORP_ID = -40005
DECRYPT_AES = -40007
ILLEGAL_BUFFER = -40008
DECODE_BASE64 = -40010


class WeComCryptoError(ValueError):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{reason} ({code})")
        self.code = code
        self.reason = reason


def signature(token: str, timestamp: str, nonce: str, payload: str) -> str:
    """The ``msg_signature`` of a payload: hex SHA-1 over the four strings sorted and joined."""
    joined = "".join(sorted([token, str(timestamp), str(nonce), payload]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def pkcs7_pad(data: bytes, block: int = BLOCK) -> bytes:
    n = block - len(data) % block
    return data + bytes([n]) * n


def pkcs7_unpad(data: bytes, block: int = BLOCK) -> bytes:
    n = data[-1] if data else 0
    if not 1 <= n <= block or data[-n:] != bytes([n]) * n:
        raise WeComCryptoError(DECRYPT_AES, "填充不合法")
    return data[:-n]


@dataclass(frozen=True)
class WeComCrypto:
    """One application's callback keys: verify and decrypt what WeCom sends, encrypt what goes back."""

    token: str
    encoding_aes_key: str
    receive_id: str  # the CorpID

    def __post_init__(self) -> None:
        self._key()  # refuse a bad key at start-up, not at the first message

    def _key(self) -> bytes:
        raw = self.encoding_aes_key or ""
        try:
            key = base64.b64decode(raw + "=", validate=True)
        except (binascii.Error, ValueError):
            raise WeComCryptoError(ILLEGAL_AES_KEY, "EncodingAESKey 不是合法的 Base64") from None
        if len(raw) != 43 or len(key) != 32:
            raise WeComCryptoError(ILLEGAL_AES_KEY, "EncodingAESKey 应为 43 个字符")
        return key

    def _cipher(self) -> Cipher:
        key = self._key()
        return Cipher(algorithms.AES(key), modes.CBC(key[:16]))

    # -- signatures ----------------------------------------------------------------------------------
    def sign(self, timestamp: str, nonce: str, payload: str) -> str:
        return signature(self.token, timestamp, nonce, payload)

    def verify(self, msg_signature: str, timestamp: str, nonce: str, payload: str) -> None:
        expected = self.sign(timestamp, nonce, payload)
        if not hmac.compare_digest(expected.encode(), (msg_signature or "").lower().encode("utf-8")):
            raise WeComCryptoError(VALIDATE_SIGNATURE, "签名校验失败")

    # -- payloads ------------------------------------------------------------------------------------
    def encrypt(self, message: str, *, random: bytes | None = None) -> str:
        """``message`` as WeCom's Base64 ciphertext (``random``: the 16-byte prefix, for test vectors)."""
        prefix = random if random is not None else os.urandom(16)
        if len(prefix) != 16:
            raise ValueError("random prefix must be 16 bytes")
        body = message.encode("utf-8")
        plain = prefix + struct.pack(">I", len(body)) + body + self.receive_id.encode("utf-8")
        encryptor = self._cipher().encryptor()
        data = encryptor.update(pkcs7_pad(plain)) + encryptor.finalize()
        return base64.b64encode(data).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """The message inside WeCom's Base64 ciphertext; refused unless it is addressed to ``receive_id``."""
        try:
            data = base64.b64decode(ciphertext or "", validate=True)
        except (binascii.Error, ValueError):
            raise WeComCryptoError(DECODE_BASE64, "密文不是合法的 Base64") from None
        if not data or len(data) % 16:
            raise WeComCryptoError(DECRYPT_AES, "密文长度不对")
        decryptor = self._cipher().decryptor()
        plain = pkcs7_unpad(decryptor.update(data) + decryptor.finalize())
        if len(plain) < 20:
            raise WeComCryptoError(ILLEGAL_BUFFER, "明文过短")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise WeComCryptoError(ILLEGAL_BUFFER, "消息长度不对")
        message, receiver = plain[20:20 + length], plain[20 + length:]
        if not hmac.compare_digest(receiver, self.receive_id.encode("utf-8")):
            raise WeComCryptoError(VALIDATE_CORP_ID, "消息不是发给本企业的（CorpID 不符）")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError:
            raise WeComCryptoError(ILLEGAL_BUFFER, "消息不是 UTF-8 文本") from None

    # -- the two callback operations -----------------------------------------------------------------
    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """GET on the callback URL: the plaintext ``echostr`` WeCom expects back, once the signature checks."""
        self.verify(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def open(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> str:
        """A POSTed message's ``<Encrypt>`` content, checked and decrypted to its XML."""
        self.verify(msg_signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def seal(self, message: str, timestamp: str, nonce: str) -> tuple[str, str]:
        """``message`` encrypted for a passive reply, and its signature."""
        encrypted = self.encrypt(message)
        return encrypted, self.sign(timestamp, nonce, encrypted)

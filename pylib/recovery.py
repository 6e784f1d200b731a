"""Recovery words: the 32-byte recovery secret as 24 BIP39 words, and back.

Standard BIP39 (English list, 11 bits per word, the last word carrying an 8-bit SHA-256
checksum), so any BIP39 tool — @scure/bip39 in the page among them — reads the same words. The
words are only an encoding of the secret: no passphrase or seed derivation is applied (the
keyring derives its key-encryption key from the secret with HKDF). The list,
``bip39_english.txt``, is taken from the @scure/bip39 package; its SHA-256 is the published one.
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache
from importlib import resources

from pylib.errors import InvalidParams

WORDS = 24
SECRET_BYTES = 32
WORDLIST_SHA256 = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"


@lru_cache(maxsize=1)
def wordlist() -> tuple[str, ...]:
    """The 2048 English BIP39 words, checked against the published hash."""
    data = resources.files("pylib").joinpath("bip39_english.txt").read_bytes()
    if hashlib.sha256(data).hexdigest() != WORDLIST_SHA256:
        raise RuntimeError("the BIP39 word list is damaged")
    words = tuple(data.decode().split())
    assert len(words) == 2048
    return words


def to_words(secret: bytes) -> list[str]:
    """The 24 words for a 32-byte secret."""
    if len(secret) != SECRET_BYTES:
        raise InvalidParams("A recovery secret is 32 bytes.")
    bits = int.from_bytes(secret, "big") << 8 | hashlib.sha256(secret).digest()[0]
    words = wordlist()
    return [words[(bits >> (11 * (WORDS - 1 - i))) & 0x7FF] for i in range(WORDS)]


def from_words(text: str | list[str]) -> bytes:
    """The secret from 24 words (spaces, case and accents forgiven); InvalidParams with a clear
    message for a wrong count, an unknown word or a typo the checksum catches."""
    given = text.split() if isinstance(text, str) else list(text)
    given = [unicodedata.normalize("NFKD", w).strip().lower() for w in given]
    if len(given) != WORDS:
        raise InvalidParams(f"Enter all {WORDS} recovery words (got {len(given)}).")
    index = {word: i for i, word in enumerate(wordlist())}
    bits = 0
    for position, word in enumerate(given, 1):
        if word not in index:
            raise InvalidParams(f"Word {position} ({word!r}) is not a recovery word; check its spelling.")
        bits = bits << 11 | index[word]
    secret, checksum = (bits >> 8).to_bytes(SECRET_BYTES, "big"), bits & 0xFF
    if hashlib.sha256(secret).digest()[0] != checksum:
        raise InvalidParams("These words do not add up (a word is wrong or out of order); check them again.")
    return secret

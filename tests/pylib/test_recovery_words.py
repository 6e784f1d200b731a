"""Recovery words: round trips, clear refusals, and the same words as @scure/bip39 (Node)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pylib import platform
from pylib.errors import InvalidParams
from pylib.recovery import from_words, to_words, wordlist

ROOT = Path(__file__).resolve().parents[2]


def test_round_trip_and_known_vector():
    secret = os.urandom(32)
    assert from_words(to_words(secret)) == secret
    # BIP39's published vector for 32 zero bytes.
    assert to_words(bytes(32)) == ["abandon"] * 23 + ["art"]
    assert from_words("  ABANDON " + "abandon " * 22 + "art\n") == bytes(32)


@pytest.mark.parametrize("words,message", [
    (["abandon"] * 23, "all 24"),
    (["abandon"] * 23 + ["artx"], "Word 24"),
    (["abandon"] * 24, "do not add up"),
])
def test_wrong_words_are_refused_clearly(words, message):
    with pytest.raises(InvalidParams, match=message):
        from_words(words)


@pytest.mark.skipif(platform.IN_BROWSER or not shutil.which("node")
                    or not (ROOT / "node_modules" / "@scure" / "bip39").exists(), reason="needs Node and npm assets")
def test_the_words_match_scure_bip39():
    secrets = [os.urandom(32) for _ in range(5)]
    script = ("import('@scure/bip39').then(async (b) => { const {wordlist} = await import('@scure/bip39/wordlists/english.js');"
              " const hexes = JSON.parse(process.argv[1]);"
              " console.log(JSON.stringify({words: hexes.map(h => b.entropyToMnemonic(Buffer.from(h, 'hex'), wordlist)),"
              " list: wordlist.length})); })")
    run = subprocess.run(["node", "-e", script, json.dumps([s.hex() for s in secrets])], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    theirs = json.loads(run.stdout)
    assert theirs["list"] == len(wordlist()) == 2048
    assert theirs["words"] == [" ".join(to_words(s)) for s in secrets]

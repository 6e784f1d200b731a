"""Argon2id for the workspace key, and 10 MB files in the device store, in headless Chromium.

Argon2id (64 MiB, t=3, p=1: the keyring's costs) from the vendored hash-wasm, against WebCrypto
PBKDF2-SHA256 at 600,000 iterations in the same run. The device file store is IndexedDB outside
the SQLite file: a 10 MB put in a strict-durability transaction until it completes (write until
durable; goal p95 <= 100 ms), stored as bytes and as a Blob, and a get until the bytes are in hand (read from the local cache;
goal p95 <= 50 ms), against the same for 4 KiB (a transaction's fixed cost); then the engine's
own store (web/engine/devicefiles.mjs, as the engine calls it: a Blob per file, each file
deleted after its round). Timings on a shared machine are noisy; the load average is printed
with the tables.

    .venv/bin/python -m bench.browser_keys [--quick]
"""

from __future__ import annotations

import os

from bench.browser_harness import Chromium, Table, main_for, median, ms, p95, ratio, watch_errors

COSTS = {"memory_kib": 64 * 1024, "iterations": 3, "parallelism": 1}


def run(cr: Chromium, url: str, quick: bool) -> list[Table]:
    from pylib.keyring import ARGON2

    assert ARGON2 == COSTS, "the benchmark measures the keyring's own costs"
    context = cr.context(url)
    try:
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(f"{url.rstrip('/')}/bench/keys.html")
        page.wait_for_function("window.keysReady === true")
        rounds = 3 if quick else 8
        result = page.evaluate("(o) => window.runKeys(o)", {"rounds": rounds, "costs": COSTS, "pbkdf2": 600_000})
        if errors:
            raise RuntimeError(f"page errors: {errors}")
        cr.check_origin()
    finally:
        context.close()
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {rounds} rounds"
    kdf = Table("Key derivation in Chromium (ms)", ["method", "median", "p95", "vs PBKDF2"], notes=[load])
    kdf.add("Argon2id 64 MiB, t=3, p=1 (hash-wasm)", ms(median(result["argon"])), ms(p95(result["argon"])),
            ratio(median(result["argon"]), median(result["baseline"])))
    kdf.add("PBKDF2-SHA256 600k (WebCrypto, baseline)", ms(median(result["baseline"])), ms(p95(result["baseline"])), "1.00×")
    store = Table("Device file store (IndexedDB) in Chromium (ms)", ["operation", "median", "p95", "goal p95", "vs 4 KiB"],
                  notes=[load + f" ({2 * rounds} files each)"])
    for label, key, goal in (("write 10 MB until durable", "writes", "100"), ("read 10 MB", "reads", "50")):
        base = result["small"][key]
        for form, values in (("bytes", result["big"][key]), ("Blob", result["bigBlob"][key])):
            store.add(f"{label} ({form})", ms(median(values)), ms(p95(values)), goal, ratio(median(values), median(base)))
        store.add(f"{label.split()[0]} 4 KiB (baseline)", ms(median(base)), ms(p95(base)), "—", "1.00×")
        values = result["device"][key]
        store.add(f"{label} (web/engine/devicefiles.mjs)", ms(median(values)), ms(p95(values)), goal,
                  ratio(median(values), median(base)))
    return [kdf, store]


if __name__ == "__main__":
    main_for(__doc__, run)

// A fetched body read as it streams in, handed on in pieces of a fixed size (a download's
// sealed segments), for the data worker (pylib/platform/pyodide_download.py). The read loop is
// here, not in Python: a body comes in some sixty chunks per 16 MB, and a Python round trip per
// chunk cost more than the copies; Python hears once per piece.

/** Read `body` (a ReadableStream) to the end; `each(piece)` per `size` bytes (the last may be
 * shorter), awaited in order. A chunk that holds a whole piece goes as a view, no copy. If
 * `each` throws, the stream is cancelled and the error passed on. */
export async function readPieces(body, size, each) {
  const reader = body.getReader();
  let buffer = null;
  let filled = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let at = 0;
      while (at < value.length) {
        if (filled === 0 && value.length - at >= size) {
          await each(value.subarray(at, at + size));
          at += size;
          continue;
        }
        buffer ??= new Uint8Array(size);
        const n = Math.min(size - filled, value.length - at);
        buffer.set(value.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === size) {
          const full = buffer;
          buffer = null;
          filled = 0;
          await each(full);
        }
      }
    }
    if (filled) await each(buffer.subarray(0, filled));
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
}

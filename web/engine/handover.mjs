// A large file's bytes in an engine reply go to the page by transfer, not by copy: the data
// worker posts the reply's `data` (a Uint8Array over its own ArrayBuffer) on its own port with
// the buffer in the transfer list, and the reply itself, sent on PyScript's channel (which
// copies what it carries), says `handed_over`. A structured copy of 16 MB cost about 30 ms
// here; a transfer costs nothing. The two messages may arrive in either order.
// Worker side: web/engine/engine.py calls handOver(reply). Page side: web/engine/client.mjs.

export const HANDOVER = "quire:bytes";
const MIN_BYTES = 1 << 20; // smaller replies are copied as they are

/** Worker side: send `reply.result.data` ahead by transfer when it is worth it and its buffer
 * is its own (never a view of Python's memory); the reply, marked `handed_over`, or as it was. */
export function handOver(reply) {
  const data = reply?.ok ? reply.result?.data : undefined;
  if (!(data instanceof Uint8Array) || data.byteLength < MIN_BYTES) return reply;
  if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength || !(data.buffer instanceof ArrayBuffer)) {
    return reply;
  }
  try {
    self.postMessage({ type: HANDOVER, id: reply.id, data }, [data.buffer]);
  } catch {
    return reply; // not transferable here: the reply copies it, as before
  }
  reply.result.data = null;
  reply.handed_over = true;
  return reply;
}

/** Page side: the bytes handed over by a worker, by request id. */
export class Handovers {
  constructor() {
    this.arrived = new Map(); // id -> data
    this.waiting = new Map(); // id -> resolve
  }

  /** Listen to `worker` (once per worker). */
  listen(worker) {
    worker.addEventListener("message", (event) => {
      if (event.data?.type !== HANDOVER) return;
      event.stopImmediatePropagation();
      const { id, data } = event.data;
      const resolve = this.waiting.get(id);
      if (resolve) {
        this.waiting.delete(id);
        resolve(data);
      } else {
        this.arrived.set(id, data);
      }
    });
  }

  /** The bytes of request `id` (now, or when they arrive). */
  take(id) {
    if (this.arrived.has(id)) {
      const data = this.arrived.get(id);
      this.arrived.delete(id);
      return Promise.resolve(data);
    }
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }
}

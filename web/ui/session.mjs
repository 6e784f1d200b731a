// The page's calls into the engine: reads go straight to it; changes go through `mutate`, which
// refuses in a read-only tab and keeps the store's save state (pending, last saved, save error).

import { reportError, clearErrors, note } from "./notifications.mjs";

export class Session {
  /**
   * `store`: the page's Store. `engine` (the client of ../engine/client.mjs) is set once it has
   * loaded; nothing calls before then, as every control that does needs a ready engine.
   */
  constructor(store, engine = null) {
    this.store = store;
    this.engine = engine;
  }

  /** A read: the engine's answer (also while a save waits for room), or the engine's error. */
  call(method, params) {
    return this.engine.read(method, params);
  }

  /**
   * Call a mutating engine method. Resolves once the change is durable ("Saved" follows), or to
   * null after reporting the error under `context`; with `quiet` it throws the error instead.
   */
  async mutate(method, params, { context = "", quiet = false } = {}) {
    const { store } = this;
    if (!store.canWrite()) {
      const err = { code: "read_only", message: "This tab is read-only: the workspace is open in another tab." };
      if (quiet) throw err;
      reportError(err, context);
      return null;
    }
    store.set({ pending: store.state.pending + 1 });
    try {
      const result = await this.engine.call(method, params);
      store.set({ lastSaveAt: new Date() });
      if (store.state.saveError) {
        store.set({ saveError: null });
        clearErrors("save");
        note("Saving works again");
      }
      return result;
    } catch (err) {
      if (quiet) throw err;
      reportError(err, context);
      return null;
    } finally {
      store.set({ pending: store.state.pending - 1 });
    }
  }
}

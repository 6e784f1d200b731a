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
   * A `background` change (upkeep the page starts by itself) does not show as "Saving…": the
   * status bar speaks of what the user changed, and a long integrity check is not that.
   */
  async mutate(method, params, { context = "", quiet = false, background = false } = {}) {
    const { store } = this;
    if (!store.canWrite()) {
      const err = { code: "read_only", message: "This tab is read-only: the workspace is open in another tab." };
      if (quiet) throw err;
      reportError(err, context);
      return null;
    }
    const counted = background ? 0 : 1;
    store.set({ pending: store.state.pending + counted });
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
      store.set({ pending: store.state.pending - counted });
    }
  }
}

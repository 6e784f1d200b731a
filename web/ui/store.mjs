// The page's state and its events: one small store that the modules read and subscribe to,
// instead of handing each other a shared context object. No DOM in here (tested with node).
//
// Named events (detail in brackets):
//   role-changed      the tab's role changed: the engine became ready here, or the workspace
//                     moved to another tab and back ({ready, ownership})
//   save-status       something that the status bar's save state shows may have changed
//   save-failed       a change could not be made durable (the error)
//   workspace-changed the tree's listing was read again ({folders, artifacts})
//   document-opening  the user asked to open a document ({id})
//   document-opened   a document is shown in the editor ({id})
//   document-saved    the open document's text is durable; its new summary ({artifact})
//
// `set` emits the events its keys imply (role-changed for `ready`/`ownership`, save-status
// for those and the save keys) right away; inside `batch` they wait until the batch ends and
// each is emitted once, so a listener sees one consistent state.

/** The events a store emits on its own when these state keys change. */
const EVENTS_OF_KEY = {
  ready: ["role-changed", "save-status"],
  ownership: ["role-changed", "save-status"],
  viewing: ["role-changed"],
  pending: ["save-status"],
  lastSaveAt: ["save-status"],
  saveError: ["save-status"],
};

/** The page's state when it loads: nothing ready, this tab expecting to own the workspace. */
export function initialState() {
  return {
    booted: false, // the engine has been ready in this tab before
    ready: false, // the engine answers in this tab now
    ownership: "owner", // "owner" | "elsewhere" | "released" | "free" (the owner has gone)
    viewing: false, // another tab owns the workspace and answers this tab's reads
    pending: 0, // mutating engine calls on their way
    lastSaveAt: null, // when the last change became durable (a Date)
    saveError: null, // why the last change could not be made durable, until one is again
  };
}

export class Store {
  /** `state`: the starting state (initialState() by default). */
  constructor(state = initialState()) {
    this.state = { ...state };
    this.listeners = new Map(); // event name -> Set of functions
    this.held = null; // events waiting for the end of a batch, in order
  }

  /** The engine answers in this tab. */
  isReady() { return this.state.ready && this.state.ownership === "owner"; }

  /** This tab can show the workspace: it runs the engine, or the owning tab answers its reads. */
  canRead() { return this.isReady() || (this.state.viewing && this.state.ownership !== "owner"); }

  /** This tab may change the workspace (the engine answers only in the tab that owns it). */
  canWrite() { return this.state.ready && this.state.ownership === "owner"; }

  /** Change state keys; emits the events they imply when a value really changed. */
  set(patch) {
    const events = new Set();
    for (const [key, value] of Object.entries(patch)) {
      if (Object.is(this.state[key], value)) continue;
      this.state[key] = value;
      for (const event of EVENTS_OF_KEY[key] || []) events.add(event);
    }
    for (const event of events) this.emit(event, this.detailOf(event));
  }

  /** The detail of an event that `set` emits: read when it is emitted, so never stale. */
  detailOf(event) {
    return event === "role-changed" ? { ready: this.state.ready, ownership: this.state.ownership } : undefined;
  }

  /** Subscribe to a named event; returns the function that unsubscribes. */
  on(event, listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(listener);
    return () => this.listeners.get(event)?.delete(listener);
  }

  /**
   * Tell every listener of `event`, in the order they subscribed. A listener that throws does
   * not stop the others; its error is reported (a broken panel must not break saving).
   */
  emit(event, detail) {
    if (this.held) {
      // A batch emits each event once per detail; role-changed once, with the state at the end.
      const same = (e) => e.event === event && (e.detail === detail || event === "role-changed");
      if (!this.held.some(same)) this.held.push({ event, detail });
      return;
    }
    for (const listener of [...(this.listeners.get(event) || [])]) {
      try {
        listener(detail);
      } catch (err) {
        console.error(`A listener of "${event}" failed:`, err);
      }
    }
  }

  /** Run `fn` with events held back; they are emitted when it returns (or throws). */
  batch(fn) {
    if (this.held) return fn();
    this.held = [];
    try {
      return fn();
    } finally {
      const held = this.held;
      this.held = null;
      for (const { event, detail } of held) this.emit(event, event === "role-changed" ? this.detailOf(event) : detail);
    }
  }
}

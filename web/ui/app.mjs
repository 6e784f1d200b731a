// Quire's page: boots the engine (a Pyodide worker behind ../engine/client.mjs) and puts the
// page together: the store (state and events), the sidebar tree, the editor, the panels, the
// layout and the controls. Each part gets only what it uses. No framework, no build step.

import { $, applyStylesheet } from "./dom.mjs";
import { setSaveState, setOnline, initNotifications, showError } from "./notifications.mjs";
import { Store } from "./store.mjs";
import { Session } from "./session.mjs";
import { watchSaveStatus } from "./savestatus.mjs";
import { Documents } from "./documents.mjs";
import { Layout } from "./layout.mjs";
import { Ownership } from "./ownership.mjs";
import { Boot, loadEngine } from "./boot.mjs";
import { wireControls, filePicker } from "./controls.mjs";
import { itemMenuOpener } from "./itemmenu.mjs";
import { Tree } from "./tree.mjs";
import { Editor } from "./editor.mjs";
import { connectPreview } from "./preview_context.mjs";
import { Actions } from "./actions.mjs";
import { attachImages } from "./attachments.mjs";
import { openHistory } from "./versions.mjs";
import { openTrash } from "./trash.mjs";
import { openActivity } from "./activity.mjs";
import { openStorage } from "./storage.mjs";
import { openCareSettings } from "./care.mjs";
import { openRecords } from "./records.mjs";
import { Upkeep } from "./upkeep.mjs";
import { exportWorkspace, importFile, openImport } from "./transfer.mjs";
import { openQuickOpen } from "./quickopen.mjs";
import { openSearch } from "./search.mjs";
import { openPalette } from "./palette.mjs";
import { Recent, openRecent } from "./recent.mjs";
import { openToday } from "./daily.mjs";
import { registerServiceWorker, watchConnectivity } from "./net.mjs";
import { showAccount } from "./account.mjs";
import { LinksPanel } from "./backlinks.mjs";
import { TagList } from "./tags.mjs";
import { Semantic } from "./semantic.mjs";
import { SyncIndicator } from "./sync.mjs";
import { openEncryption } from "./keys.mjs";
import { CloudFiles, FILES_CHANGED } from "./cloudfiles.mjs";
import { exportWithFiles } from "./transferfiles.mjs";
import { fileReplacer } from "./replacefile.mjs";

// The styles of everything the page shows once it runs: only the first paint's are inline in
// index.html, so that paint never waits for these; nothing they style shows before they apply.
await applyStylesheet(new URL("../app.css", import.meta.url).href);

/** Build the page's parts and wire them together; the engine joins once it has loaded. */
function assemble(store) {
  const session = new Session(store);
  // The parts call each other through these (each is set before anything can call it).
  let documents, actions, layout, openItemMenu, replaceFile;
  const tree = new Tree({
    canWrite: () => store.canWrite(),
    open: (id, opts) => documents.open(id, opts),
    menu: (item, at, opener) => openItemMenu(item, at, opener),
    rename: (item) => actions.rename(item),
    remove: (item) => actions.remove(item),
    moveTo: (item, folder) => actions.moveTo(item, folder),
    upload: (files, folder) => actions.upload(files, folder),
  });
  const editor = new Editor({
    session, store,
    summaryOf: (id) => tree.byId(id),
    showEditor: () => { if (layout.view === "preview") layout.setView("split"); },
    download: (a) => actions.download({ id: a.id, ...a }),
    replace: (a) => replaceFile(a),
    attachFiles: (note, files) => attachImages(
      { session, taken: (path) => actions.pathTaken(path), refreshTree: () => documents.refreshTree() }, note, files),
  });
  documents = new Documents({ store, session, tree, editor });
  replaceFile = fileReplacer({ session, editor, documents, tree });
  connectPreview({ editor, tree, session, store, documents: () => documents });
  actions = new Actions({ store, session, tree, editor, documents });
  layout = new Layout({ store, editor });
  const openDoc = (id) => documents.open(id);
  new LinksPanel({ store, session, editor, open: openDoc });
  new TagList({ store, session, open: openDoc });
  const recent = new Recent({ store, tree });
  const semantic = new Semantic({ store, session, tree, open: openDoc });
  const parts = { store, session, editor, documents, tree, recent, semantic };
  let commands;
  const panels = {
    quickOpen: () => openQuickOpen(parts),
    search: () => openSearch(parts),
    palette: () => openPalette({
      ...parts, run: (id) => commands.handlers[id]?.(), available: commands.available,
      searchText: (query) => openSearch(parts, query),
    }),
    recent: () => openRecent(parts),
    today: () => openToday(parts),
    trash: () => openTrash(parts),
    activity: () => openActivity(parts),
    storage: () => openStorage({ engine: session.engine, session, documents, editor,
      restoreBackup: (file) => importFile({ ...parts, history: (artifact) => openHistory(parts, artifact) }, file, "replace") }),
    careSettings: () => openCareSettings({ session }),
    encryption: () => openEncryption({ session }),
    records: () => openRecords({ session, documents, tree }),
    exportWorkspace: () => exportWorkspace(parts),
    exportWithFiles: () => exportWithFiles(parts),
    importWorkspace: () => openImport({ ...parts, history: (artifact) => openHistory(parts, artifact) }),
    history: (artifact) => openHistory(parts, artifact),
  };
  const pickFiles = filePicker((files, folder) => actions.upload(files, folder));
  openItemMenu = itemMenuOpener({ store, actions, open: (id, opts) => documents.open(id, opts), history: panels.history, pickFiles,
    replace: replaceFile });
  layout.restoreView();
  commands = wireControls({ store, actions, documents, editor, layout, panels, pickFiles });
  return { ...parts, actions, layout };
}

/** The engine has loaded: it joins the page, and starts. */
function connect(page, engine) {
  const { store, session, editor, documents } = page;
  session.engine = engine;
  // Before another tab takes over, send whatever is typed but not yet saved.
  engine.beforeRelease = () => editor.flush();
  watchSaveStatus({ store, engine, session, editor });
  new Ownership({ store, engine, editor, documents });
  // Retention, integrity checks and compaction run by themselves when the tab is idle.
  page.upkeep = new Upkeep({ session, store, unsaved: () => editor.isDirty() || editor.inFlight,
    onProblem: (result) => showError(
    `The workspace check found ${result.problem_count} problem(s). Open Storage to repair it.`, "Workspace check") });
  const booted = new Boot({ store, engine, documents }).start();
  // Semantic indexing starts once the workspace is ready, in the background.
  booted.then(() => page.semantic.start(engine)).catch(() => {});
  // Sync with the user's other devices: the indicator in the status bar runs the rounds.
  const sync = new SyncIndicator({ engine, store, documents, tree: page.tree,
    history: (artifact) => openHistory(page, artifact) });
  booted.then(() => sync.start()).catch(() => {});
  // Large files upload in the background once the workspace is ready (web/ui/cloudfiles.mjs).
  page.cloudFiles = new CloudFiles({ session, store, openEncryption: () => openEncryption({ session }) });
  booted.then(() => page.cloudFiles.start()).catch(() => {});
  window.addEventListener(FILES_CHANGED, () => documents.refreshTree());
  window.quire.openEncryption = () => openEncryption({ session });
  window.quire.semantic = page.semantic;
  return booted;
}

function watchUpdates(flush) {
  registerServiceWorker({
    onUpdateReady: (activate) => {
      $("#update-banner").hidden = false;
      $("#update-reload").onclick = async () => {
        await flush();
        activate();
      };
    },
  });
}

async function main() {
  const store = new Store();
  initNotifications();
  setSaveState("loading", { message: "Loading…" });
  const page = assemble(store);
  // The document open last time, at once: typing works before Python has started.
  page.editor.showSnapshot();
  // For the console and browser tests: the page's parts (read them, don't drive the app through them).
  window.quire = Object.assign(window.quire ?? {}, { ui: page });
  watchConnectivity(setOnline);
  showAccount();
  watchUpdates(() => page.editor.flush());
  const engine = await loadEngine();
  if (engine) await connect(page, engine);
}

// Keep the first paint free of work: boot right after it.
main();

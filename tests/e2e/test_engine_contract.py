"""The engine contract as the page sees it in Chromium: one envelope from the real data worker
(pylib.rpc behind web/engine/engine.py), coded errors with their details, the page's method
table (web/engine/methods.mjs) served in full by the worker, saves reported before replies."""

from __future__ import annotations

from playwright.sync_api import Page

from shared_page import unique

CALL = """async ([method, params]) => {
  try {
    return { ok: true, result: await quire.engine.call(method, params) };
  } catch (error) {
    return { ok: false, name: error.name, code: error.code, message: error.message,
             details: error.details, committed: error.committed };
  }
}"""


def test_errors_reach_the_page_with_code_and_details(page: Page) -> None:
    bad = page.evaluate(CALL, ["artifacts.get", {"id": 5}])
    assert bad["ok"] is False and bad["name"] == "EngineError"
    assert bad["code"] == "invalid_params" and bad["committed"] is False
    assert bad["details"]["problems"][0]["field"] == "id"
    missing = page.evaluate(CALL, ["trash.restore", {"id": "no-such-item"}])
    assert missing["code"] == "not_found" and isinstance(missing["details"], dict)


def test_the_page_refuses_a_method_its_table_lacks(page: Page) -> None:
    before = page.evaluate("quire.engine.seq")
    refused = page.evaluate(CALL, ["artifacts.explode", {}])
    assert refused["code"] == "unknown_method"
    assert page.evaluate("quire.engine.seq") == before  # never sent to the worker


def test_the_worker_serves_every_method_in_the_pages_table(page: Page) -> None:
    codes = page.evaluate("""async () => {
      const { METHODS } = await import("/engine/methods.mjs");
      const codes = {};
      for (const method of Object.keys(METHODS)) {
        try {
          await quire.engine.call(method, { not_a_parameter: 1 });
          codes[method] = "answered";
        } catch (error) {
          codes[method] = error.code;
        }
      }
      return codes;
    }""")
    assert len(codes) >= 30
    # Every method exists in the worker and refuses the unknown parameter before doing anything.
    assert set(codes.values()) == {"invalid_params"}, codes


def test_a_write_is_saved_before_its_reply(page: Page) -> None:
    path = "/" + unique("contract-folder")
    result = page.evaluate("""async (path) => {
      const engine = quire.engine;
      let saved = null;
      const onSaved = (event) => { saved = event.detail; };
      engine.addEventListener("saved", onSaved);
      try {
        const result = await engine.call("folders.create", { path });
        return { result, saved };  // the "saved" event came with the reply, not after it
      } finally {
        engine.removeEventListener("saved", onSaved);
      }
    }""", path)
    assert result["result"] == {"path": path}
    assert result["saved"]["generation"] >= 1 and result["saved"]["ms"] >= 0

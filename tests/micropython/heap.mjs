#!/usr/bin/env node
// Heap report: how many bytes of MicroPython heap each step keeps alive.
//
//   node tests/micropython/heap.mjs            (runs STEPS below)
//   import { measure } from "./heap.mjs";  await measure([[label, code], ...]);
//
// A Python test cannot measure this itself: in the WebAssembly port,
// gc.collect() only takes effect once control returns to JS. So each step is
// its own top-level runPythonAsync call, followed by a collect in one call and
// the gc.mem_alloc() read in the next. Steps run in order in one fresh
// instance (same /lib layout and import guard as the tests), so their state
// accumulates: keep what a step builds in a global if it should be counted.
// Steps may use top-level await, but anything that uses wait_for or task
// cancellation must run inside a task: `await asyncio.create_task(main())`.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, loadInstance } from "./mpenv.mjs";

// The figures the test command prints: the core's import, the example app
// (examples/example_webapp2.py, copied to /lib) built, then after serving 100
// mixed requests through the test client (what stays allocated afterwards).
export const FILES = [["/lib/example_webapp2.py", join(ROOT, "examples", "example_webapp2.py")]];
export const STEPS = [
  ["import picoweb", "import picoweb"],
  ["build example app", "import example_webapp2\nexample_webapp2.app.debug = -1"],
  ["serve 100 requests", `
from picoweb.testclient import TestClient

async def serve_100():
    client = TestClient(example_webapp2.app)
    for i in range(100):
        if i % 3 == 0:
            resp = await client.get("/")
        elif i % 3 == 1:
            resp = await client.get("/square/%d" % i)
        else:
            resp = await client.post("/echo", b"x" * i)
        assert resp.status == 200, resp

await asyncio.create_task(serve_100())
del serve_100, TestClient
`],
];

// Runs the steps and prints one `heap <label>: N bytes (+D vs baseline)` line
// each; returns [{label, bytes, delta}]. Loads a new instance per call, so call
// it again only after the previous call's work has finished.
export async function measure(steps, { log = console.log, files = [] } = {}) {
  const mp = await loadInstance();
  for (const [dest, src] of files) mp.FS.writeFile(dest, readFileSync(src));
  const allocated = () => {
    mp.runPython("gc.collect()");
    mp.runPython("_heap_bytes = gc.mem_alloc()");
    return mp.globals.get("_heap_bytes");
  };
  await mp.runPythonAsync("import gc, asyncio");
  const baseline = allocated();
  log(`heap baseline: ${baseline} bytes`);
  const results = [];
  for (const [label, code] of steps) {
    await mp.runPythonAsync(code);
    const bytes = allocated();
    const delta = bytes - baseline;
    log(`heap ${label}: ${bytes} bytes (${delta >= 0 ? "+" : ""}${delta} vs baseline)`);
    results.push({ label, bytes, delta });
  }
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await measure(STEPS, { files: FILES });
}

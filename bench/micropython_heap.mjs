#!/usr/bin/env node
// MicroPython heap in use (gc.mem_alloc() after gc.collect()) for three apps,
// each after import, after building it, and after serving N requests
// through the same memory streams (micropython/mp_streams.py): a bare
// asyncio floor (micropython/mp_bare.py), a hello app (mp_hello.py) and a
// realistic one (mp_realistic/).
//
//   node bench/micropython_heap.mjs [--requests 1000] [--json out.json] [--code DIR]
//
// --code DIR takes picoweb/ and picoweb_plugins/ from DIR (run.py's copy of
// the code under test) instead of the repo.
//
// Runs real MicroPython 1.27 (WebAssembly port) with the test harness's file
// layout (tests/micropython/mpenv.mjs). Each app gets its own Node process:
// one instance per process (mpenv.mjs says why), and a kill timeout, since a
// busy loop in wasm blocks Node's own timers.
import { fork } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, loadInstance } from "../tests/micropython/mpenv.mjs";

const SELF = fileURLToPath(import.meta.url);
const BENCH = join(ROOT, "bench");
const APP_DIR = join(BENCH, "micropython");
const CHILD_TIMEOUT_S = 120;

export const SCENARIOS = [
  ["bare", "mp_bare"],
  ["hello", "mp_hello"],
  ["realistic", "mp_realistic"],
];

// utemplate for the wasm file system: the copy pip put into the bench venv
// (utemplate is pure Python, written for MicroPython first).
function findUtemplate() {
  const lib = join(BENCH, ".venv", "lib");
  if (!existsSync(lib)) return null;
  for (const py of readdirSync(lib)) {
    const dir = join(lib, py, "site-packages", "utemplate");
    if (existsSync(dir)) return dir;
  }
  return null;
}

function copyTree(FS, src, dest) {
  FS.mkdirTree(dest);
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    if (entry.name === "__pycache__" || entry.name === "compiled") continue;
    const from = join(src, entry.name);
    if (entry.isDirectory()) copyTree(FS, from, `${dest}/${entry.name}`);
    else if (entry.name.endsWith(".py") || entry.name.endsWith(".tpl")) {
      FS.writeFile(`${dest}/${entry.name}`, readFileSync(from));
    }
  }
}

// Child: one app in one fresh instance; posts {label: bytes, ...}.
// [[dest, src], ...] for every .py file of the packages under `root`.
function packageFiles(root) {
  const files = [];
  const walk = (src, dest) => {
    for (const entry of readdirSync(src, { withFileTypes: true })) {
      const from = join(src, entry.name);
      if (entry.isDirectory() && entry.name !== "__pycache__") walk(from, `${dest}/${entry.name}`);
      else if (entry.isFile() && entry.name.endsWith(".py")) files.push([`${dest}/${entry.name}`, from]);
    }
  };
  for (const pkg of ["picoweb", "picoweb_plugins"]) walk(join(root, pkg), `/lib/${pkg}`);
  return files;
}

async function runScenario(module, requests, code) {
  // No import guard yet: the first step puts it up, so that step measures
  // what `import asyncio` (which the guard imports) costs on its own.
  const mp = await loadInstance({ guard: false, ...(code && { files: packageFiles(code) }) });
  copyTree(mp.FS, APP_DIR, "/lib");
  const utemplate = findUtemplate();
  if (utemplate) copyTree(mp.FS, utemplate, "/lib/utemplate");
  // gc.collect() called from Python takes effect only once control is back
  // in JS: collect in one call, read in the next.
  const allocated = () => {
    mp.runPython("gc.collect()");
    mp.runPython("_heap_bytes = gc.mem_alloc()");
    return mp.globals.get("_heap_bytes");
  };
  const steps = [
    ["empty", "import gc"],
    ["asyncio", "import asyncio, mpguard\nmpguard.install()"],
    ["import", `import ${module}`],
    ["build", `${module}.build()`],
    // A task: wait_for cannot cancel through runPythonAsync's own coroutine.
    ["serve", `await asyncio.create_task(${module}.serve(${requests}))`],
  ];
  const result = { heap: {}, utemplate: Boolean(utemplate) };
  for (const [label, source] of steps) {
    await mp.runPythonAsync(source);
    result.heap[label] = allocated();
  }
  if (module === "mp_realistic") {
    await mp.runPythonAsync(`_flags = "%d %d" % (${module}.HAS_TEMPLATES, ${module}.Forms is not None)`);
    const [templates, forms] = mp.globals.get("_flags").split(" ");
    result.templates = templates === "1";
    result.forms = forms === "1";
  }
  return result;
}

function runChild(name, module, requests, code) {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, ["--child", module, String(requests), code || ""], { stdio: "inherit" });
    let got = null;
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_S * 1000);
    child.on("message", (msg) => { got = msg; });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (got && got.ok) resolve(got.result);
      else reject(new Error(`${name}: ${got ? got.error : `exited ${code ?? signal}`}`));
    });
  });
}

export async function measureAll(requests, code) {
  const out = {};
  for (const [name, module] of SCENARIOS) out[name] = await runChild(name, module, requests, code);
  return out;
}

function parseArgs(argv) {
  const args = { requests: 1000, json: null, code: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--requests") args.requests = Number(argv[++i]);
    else if (argv[i] === "--json") args.json = argv[++i];
    else if (argv[i] === "--code") args.code = argv[++i];
  }
  return args;
}

if (process.argv[2] === "--child") {
  const [module, requests, code] = process.argv.slice(3);
  try {
    const result = await runScenario(module, Number(requests), code);
    process.send({ ok: true, result }, () => process.exit(0));
  } catch (e) {
    process.send({ ok: false, error: `${e.type || e.name}: ${e.message}` }, () => process.exit(1));
  }
} else if (process.argv[1] === SELF) {
  const args = parseArgs(process.argv.slice(2));
  const out = await measureAll(args.requests, args.code);
  for (const [name, r] of Object.entries(out)) {
    const base = r.heap.empty;
    const parts = Object.entries(r.heap).map(([k, v]) => `${k} ${v - base >= 0 ? "+" : ""}${v - base}`);
    console.log(`heap ${name}: ${parts.join(", ")} bytes above an empty interpreter (${base})`);
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ requests: args.requests, apps: out }, null, 2));
}

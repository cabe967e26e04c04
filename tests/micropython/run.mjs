#!/usr/bin/env node
// Runs the MicroPython test suite: real MicroPython (WebAssembly port) under
// Node, against the repo's picoweb/ and picoweb_plugins/ (see mpenv.mjs).
//
//   node tests/micropython/run.mjs [test_file.py ...]
//
// Without arguments it runs every tests/micropython/test_*.py. Each file runs
// in its own child process with a fresh MicroPython, so no state leaks from
// one file to the next (a fresh instance costs well under 0.1 s), and under a
// kill timeout (MPTEST_FILE_TIMEOUT seconds, default 60): a busy loop in wasm
// blocks Node's own timers, so only an outside process can stop it.
// The last line is `micropython: N passed, M failed`; the exit status is
// non-zero if a test failed, a file failed to import, or a file timed out or
// died without finishing.
import { fork } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HERE, ROOT, loadInstance } from "./mpenv.mjs";

const SELF = fileURLToPath(import.meta.url);
const FILE_TIMEOUT_S = Number(process.env.MPTEST_FILE_TIMEOUT) || 60;

// Child: run one test file, sending each result to the parent as it happens.
async function runFile(file) {
  const mp = await loadInstance();
  const modname = basename(file, ".py");
  const path = `/tests/${modname}.py`;
  mp.FS.mkdirTree("/tests");
  mp.FS.writeFile(path, readFileSync(file));
  mp.runPython("import sys\nsys.path.append('/tests')");
  mp.pyimport("mptest").on_result = (name, ok) => process.send({ name, ok });
  mp.globals.set("_path", path);
  mp.globals.set("_modname", modname);
  try {
    // The tests run in a task: wait_for cannot cancel through the top-level
    // coroutine of runPythonAsync.
    await mp.runPythonAsync(
      "import asyncio, mptest\nawait asyncio.create_task(mptest.run_file(_path, _modname))",
    );
  } catch (e) {
    console.log(`FAIL ${modname}: harness error: ${e.type || e.name}: ${e.message}`);
    process.send({ name: `${modname} (harness)`, ok: false });
  }
  // Exit explicitly: tasks a test left behind may still hold timers.
  process.send({ done: true }, () => process.exit(0));
}

function runChild(file) {
  return new Promise((done) => {
    const counts = { passed: 0, failed: 0 };
    let finished = false;
    let timedOut = false;
    let current = "";
    const child = fork(SELF, ["--child", file], { stdio: "inherit" });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, FILE_TIMEOUT_S * 1000);
    child.on("message", (msg) => {
      if (msg.done) finished = true;
      else if (msg.ok === null) current = ` while running ${msg.name}`;
      else {
        current = "";
        counts[msg.ok ? "passed" : "failed"]++;
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        console.log(`FAIL ${basename(file)}: killed after ${FILE_TIMEOUT_S} s${current} (hang or busy loop)`);
      } else if (!finished) {
        // e.g. Node exits with code 13 when a test awaits something that can
        // never complete and nothing else is scheduled.
        console.log(`FAIL ${basename(file)}: exited early${current} (code ${code}, signal ${signal})`);
      }
      if (timedOut || !finished) counts.failed++;
      done(counts);
    });
  });
}

async function main(args) {
  const files = args.length
    ? args.map((a) => resolve(a))
    : readdirSync(HERE)
        .filter((n) => n.startsWith("test_") && n.endsWith(".py"))
        .sort()
        .map((n) => join(HERE, n));
  if (!files.length) {
    console.log("micropython: no test files found");
    process.exit(1);
  }
  const total = { passed: 0, failed: 0 };
  for (const file of files) {
    console.log(`# ${relative(ROOT, file)}`);
    const counts = await runChild(file);
    total.passed += counts.passed;
    total.failed += counts.failed;
  }
  console.log(`micropython: ${total.passed} passed, ${total.failed} failed`);
  process.exit(total.failed ? 1 : 0);
}

if (process.argv[2] === "--child") await runFile(process.argv[3]);
else await main(process.argv.slice(2));

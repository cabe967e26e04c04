#!/usr/bin/env node
// Installs each plugin the way `mip` would, from its package.json alone (the
// core's manifest, then the plugin's), into a fresh MicroPython, and imports
// it there: a file missing from a manifest fails here, as it would on a board.
//
//   node tests/micropython/manifests.mjs
//
// Each plugin runs in its own child process (one MicroPython per process).
import { fork } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, loadInstance } from "./mpenv.mjs";

const SELF = fileURLToPath(import.meta.url);

function manifestFiles(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  return manifest.urls.map(([dest, src]) => [`/lib/${dest}`, join(dirname(manifestPath), src)]);
}

// A plugin's manifest names the core and, for auth and csrf, the sessions
// plugin as deps (github:picoweb/picoweb/picoweb_plugins/NAME): mip follows
// them, so this does too, from the manifests in this checkout.
const PLUGIN_DEP = "github:picoweb/picoweb/picoweb_plugins/";

function pluginFiles(name, seen = new Set()) {
  if (seen.has(name)) return [];
  seen.add(name);
  const manifestPath = join(ROOT, "picoweb_plugins", name, "package.json");
  const deps = JSON.parse(readFileSync(manifestPath, "utf8")).deps || [];
  const files = manifestFiles(manifestPath);
  for (const [dep] of deps) {
    if (dep.startsWith(PLUGIN_DEP)) files.push(...pluginFiles(dep.slice(PLUGIN_DEP.length), seen));
  }
  return files;
}

// Every module the plugin's manifest lists is imported, not only the
// package: plugins load their modules on first use.
function moduleNames(manifestPath) {
  return JSON.parse(readFileSync(manifestPath, "utf8"))
    .urls.map(([dest]) => dest.replace(/\.py$/, "").replace(/\/__init__$/, "").replaceAll("/", "."));
}

async function checkPlugin(name) {
  const files = [...manifestFiles(join(ROOT, "package.json")), ...pluginFiles(name)];
  const mp = await loadInstance({ files });
  const modules = moduleNames(join(ROOT, "picoweb_plugins", name, "package.json"));
  mp.runPython(`import picoweb\nfor name in ${JSON.stringify(modules)}:\n    __import__(name)\nprint("imported", ${JSON.stringify(modules.join(" "))})`);
}

if (process.argv[2]) {
  try {
    await checkPlugin(process.argv[2]);
  } catch (error) {
    console.error(error.message || error);
    process.exit(1);
  }
} else {
  const plugins = readdirSync(join(ROOT, "picoweb_plugins"))
    .filter((name) => existsSync(join(ROOT, "picoweb_plugins", name, "package.json")))
    .sort();
  let failed = 0;
  for (const name of plugins) {
    const code = await new Promise((resolve) => {
      const child = fork(SELF, [name], { stdio: "inherit" });
      const timer = setTimeout(() => child.kill(), 60_000);
      child.on("exit", (status) => {
        clearTimeout(timer);
        resolve(status);
      });
    });
    console.log(`${code === 0 ? "PASS" : "FAIL"} mip manifest of ${name}`);
    if (code !== 0) failed += 1;
  }
  console.log(`manifests: ${plugins.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

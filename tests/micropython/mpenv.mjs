// Shared setup for the MicroPython test harness (run.mjs, heap.mjs).
//
// Loads a fresh MicroPython (WebAssembly port, the npm build pinned in
// package.json) and lays out its in-memory file system the way `mip` would on
// a board: the repo's picoweb/ and picoweb_plugins/ packages (their .py files
// only) and this folder's helper modules (every .py but test_*.py and pytest's
// conftest.py) go to /lib, which is on sys.path. Then the import guard
// (mpguard.py) goes up, so the code sees only the modules the unix port has.
//
// One instance per Node process: loadMicroPython() rebinds globalThis.Module,
// which breaks the proxies of any instance loaded before it.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "..", "..");
export const PACKAGES = ["picoweb", "picoweb_plugins"];

function copyPyTree(FS, src, dest) {
  let entries;
  try {
    entries = readdirSync(src, { withFileTypes: true });
  } catch (e) {
    if (e.code === "ENOENT") return;
    throw e;
  }
  FS.mkdirTree(dest);
  for (const entry of entries) {
    const from = join(src, entry.name);
    // build/ and *.egg-info: what a pip build inside a plugin folder leaves.
    const skipped = ["__pycache__", "build"].includes(entry.name) || entry.name.endsWith(".egg-info");
    if (entry.isDirectory() && !skipped) {
      copyPyTree(FS, from, `${dest}/${entry.name}`);
    } else if (entry.isFile() && entry.name.endsWith(".py")) {
      FS.writeFile(`${dest}/${entry.name}`, readFileSync(from));
    }
  }
}

// `files` ([[dest, src], ...]) replaces the copy of the whole packages: the
// manifest check installs exactly what a mip manifest lists.
export async function loadInstance({ guard = true, heapsize, files } = {}) {
  const mp = await loadMicroPython({
    ...(heapsize && { heapsize }), // an explicit undefined would replace the default
    stdout: (line) => process.stdout.write(line + "\n"),
    stderr: (line) => process.stderr.write(line + "\n"),
  });
  if (files) {
    for (const [dest, src] of files) {
      mp.FS.mkdirTree(dirname(dest));
      mp.FS.writeFile(dest, readFileSync(src));
    }
  } else {
    for (const pkg of PACKAGES) copyPyTree(mp.FS, join(ROOT, pkg), `/lib/${pkg}`);
  }
  mp.FS.mkdirTree("/lib");
  for (const name of readdirSync(HERE)) {
    if (name.endsWith(".py") && !name.startsWith("test_") && name !== "conftest.py") {
      mp.FS.writeFile(`/lib/${name}`, readFileSync(join(HERE, name)));
    }
  }
  if (guard) mp.runPython("import mpguard\nmpguard.install()");
  return mp;
}

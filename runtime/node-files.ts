// The files of a local directory (Node only; loaded on demand, so browser bundles never need
// node:fs): what the CLI gives a script (its own directory) and what `run({ files: dir })` gives.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { ParFiles } from './files.js';

/** Files of a directory of the local file system (Node): relative paths are resolved against `dir`; a write goes to a temporary file that is then renamed over the target. */
export function directoryFiles(dir: string): ParFiles {
  const at = (p: string) => path.resolve(dir, p);
  return {
    read: (p) => readFileSync(at(p)),
    write: (p, bytes) => {
      const target = at(p);
      const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, bytes);
        fsyncSync(fd);
      } catch (e) {
        closeSync(fd);
        try { unlinkSync(tmp); } catch { /* already gone */ }
        throw e;
      }
      closeSync(fd);
      renameSync(tmp, target);
    },
  };
}


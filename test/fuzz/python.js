// The CPython + NumPy oracle for fuzzing (pyserver.py): one long-lived python3 process answering
// programs in order. available() is false when python3 or NumPy is missing.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

const SERVER = new URL('./pyserver.py', import.meta.url).pathname;

export function pythonAvailable() {
  const r = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
  return r.status === 0;
}

export class PythonOracle {
  constructor() {
    this.proc = null;
    this.waiting = [];
  }

  ensure() {
    if (this.proc) return;
    const proc = spawn('python3', [SERVER], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.proc = proc;
    createInterface({ input: proc.stdout }).on('line', (line) => this.waiting.shift()?.resolve(JSON.parse(line)));
    proc.on('exit', (code) => {
      if (this.proc === proc) this.proc = null;
      for (const w of this.waiting.splice(0)) w.resolve({ ok: false, error: `oracle process exited (${code})`, out: '', crashed: true });
    });
  }

  /** @returns {Promise<{ ok: boolean, out: string, error: string | null }>} */
  run(src, timeoutSeconds = 20) {
    this.ensure();
    return new Promise((resolve) => {
      this.waiting.push({ resolve });
      this.proc.stdin.write(JSON.stringify({ src, timeout: timeoutSeconds }) + '\n');
    });
  }

  close() {
    const p = this.proc;
    this.proc = null;
    if (p) p.stdin.end();
  }
}

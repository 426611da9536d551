// Reading a memory limit (`--max-memory`, PAR_MAX_MEMORY, CompileOptions.maxMemory) into a whole
// number of bytes, refusing anything that is not a usable size with a ConfigError naming the option.
// The CLI checks its flag here before compiling; the driver resolves the option or PAR_MAX_MEMORY
// here before instantiating, so the instance only ever sees a valid byte count.
import { PAGE } from './layout.js';
import { ConfigError } from './team.js';

/** Wasm32's ceiling (65536 pages of 64 KiB), and the default limit. */
export const WASM32_MAX_BYTES = 65536 * PAGE;

const TEXT = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?\s*$/i;

/**
 * `512M`, `1.5G`, `2GiB`, `100000000` (bytes), or a number of bytes: units are powers of 1024. A
 * fraction of a byte is dropped (4.1G is 4402341478 bytes); the instance then rounds up to pages.
 * `what` names the setting in the messages ('--max-memory', 'PAR_MAX_MEMORY', 'maxMemory').
 */
export function memoryLimitBytes(value: number | string, what: string): number {
  let raw: number;
  let shown: string;
  if (typeof value === 'number') {
    raw = value;
    shown = String(value);
    if (!(raw >= 1)) throw new ConfigError(`${what} must be a positive number of bytes, got ${shown}`);
  } else {
    const m = TEXT.exec(value);
    raw = m ? Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] ?? ' ').toLowerCase()) : NaN;
    shown = `'${value.trim()}'`;
    if (!(raw > 0)) throw new ConfigError(`${what} must be a size such as 512M, 2G or 1073741824 (bytes), got ${shown}`);
    if (raw < 1) throw new ConfigError(`${what} must be at least 1 byte, got ${shown}`);
  }
  // Past 2^53 a double no longer counts single bytes (and past 1e21 prints in e-notation), so a
  // count there would be noise: the limit alone says what is wrong.
  const bytes = Math.floor(raw);
  if (bytes > WASM32_MAX_BYTES) {
    const is = Number.isSafeInteger(bytes) ? `is ${bytes} bytes, above` : 'is above';
    throw new ConfigError(`${what} ${shown} ${is} WebAssembly's limit of 4 GiB (${WASM32_MAX_BYTES} bytes)`);
  }
  return bytes;
}

/** The limit in bytes: the option, else PAR_MAX_MEMORY (when set and not blank), else 4 GiB. */
export function resolveMemoryLimit(maxMemory: number | string | undefined, env: Record<string, string | undefined>): number {
  if (maxMemory !== undefined) return memoryLimitBytes(maxMemory, 'maxMemory');
  const envText = env.PAR_MAX_MEMORY?.trim();
  return envText ? memoryLimitBytes(envText, 'PAR_MAX_MEMORY') : WASM32_MAX_BYTES;
}

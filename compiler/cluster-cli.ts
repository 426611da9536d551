// `par worker --redis URL [--threads N] [--concurrency K]`: starts a cluster node (see
// runtime/cluster/worker.ts and docs/cluster.md) and runs until SIGINT/SIGTERM, then exits 0.
// Kept apart from cli.ts, which only dispatches here; Redis and BullMQ load only for this command.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CliIO } from './cli.js';
import type { ClusterTls } from '../runtime/cluster/common.js';

/** Exit status when the cluster cannot be used: refused credentials, Redis unreachable or lost, no worker in time (EX_UNAVAILABLE). */
export const EXIT_CLUSTER = 69;

const WORKER_HELP = `Usage: par worker --redis redis://USER:SECRET@HOST:6379 [--threads N] [--concurrency K] [--tls-ca F --tls-cert F --tls-key F]

Runs chunks of Par programs started with 'par run --cluster' on the same Redis, until SIGINT or
SIGTERM (it then finishes its running chunks and exits 0; a second signal hands them back to the
queue instead). rediss:// connects with TLS.
  --redis URL        the Redis server and the ACL user Par's jobs run under (see docs/cluster.md)
  --threads N        team size of each chunk (default: PAR_NUM_THREADS, else the core count)
  --concurrency K    chunks run at the same time, each on its own team (default 1)
  --verbose          log each chunk as it starts and ends
  --tls-ca FILE      with rediss://: trust this CA certificate (PEM) for the server
  --tls-cert FILE    with rediss://: present this client certificate (PEM; Redis's tls-auth-clients)
  --tls-key FILE     the client certificate's private key (PEM)
`;

/** The TLS options \`par run --cluster\` and \`par worker\` share. */
export const TLS_OPTIONS = { 'tls-ca': { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' } } as const;

/**
 * Reads the PEM files named by --tls-ca, --tls-cert and --tls-key (undefined when none is given).
 * Throws an Error saying which file could not be read, or that a certificate lacks its key.
 */
export function readClusterTls(url: string, values: { 'tls-ca'?: string; 'tls-cert'?: string; 'tls-key'?: string }): ClusterTls | undefined {
  const named = (['tls-ca', 'tls-cert', 'tls-key'] as const).filter((k) => values[k] !== undefined);
  if (named.length === 0) return undefined;
  if (!url.startsWith('rediss://')) throw new Error(`--${named[0]} applies only to a rediss:// (TLS) address`);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new Error('--tls-cert and --tls-key go together: a client certificate needs its private key');
  const tls: ClusterTls = {};
  for (const k of named) {
    const file = values[k]!;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`--${k}: cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (!text.includes('-----BEGIN ')) throw new Error(`--${k}: '${file}' is not a PEM file (no '-----BEGIN' line)`);
    tls[k === 'tls-ca' ? 'ca' : k === 'tls-cert' ? 'cert' : 'key'] = text;
  }
  return tls;
}

function wholeNumber(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text.trim()) || Number(text) < 1) throw new Error(`${what} expects a positive whole number, got '${text}'`);
  return Number(text);
}

export async function workerCommand(args: readonly string[], io: CliIO): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: [...args], options: { redis: { type: 'string' }, threads: { type: 'string' }, concurrency: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...TLS_OPTIONS }, strict: true }).values;
  } catch (e) {
    io.stderr.write(`par worker: ${(e as Error).message.split('\n')[0]}\n${WORKER_HELP}`);
    return 2;
  }
  if (values.help) { io.stdout.write(WORKER_HELP); return 0; }
  let threads: number | undefined, concurrency: number, tls: ClusterTls | undefined;
  try {
    if (!values.redis) throw new Error('--redis URL is required');
    threads = wholeNumber(values.threads, '--threads');
    concurrency = wholeNumber(values.concurrency, '--concurrency') ?? 1;
    tls = readClusterTls(values.redis, values);
  } catch (e) {
    io.stderr.write(`par worker: ${(e as Error).message}\n`);
    return 2;
  }
  const { runWorker } = await import('../runtime/cluster/worker.js');
  const { ClusterError } = await import('../runtime/errors.js');
  try {
    await runWorker({
      url: values.redis, ...(tls ? { tls } : {}), concurrency, verbose: !!values.verbose, ...(threads !== undefined ? { threads } : {}),
      log: (text) => { io.stderr.write(text + '\n'); },
      onStop(handler) {
        process.on('SIGINT', handler); process.on('SIGTERM', handler);
        return () => { process.off('SIGINT', handler); process.off('SIGTERM', handler); };
      },
    });
    // Nothing is left to do; do not wait for sockets and threads to wind down on their own.
    io.exit(0);
    return 0;
  } catch (e) {
    if (e instanceof ClusterError) { io.stderr.write(`par worker: ${e.message}\n`); return EXIT_CLUSTER; }
    throw e;
  }
}

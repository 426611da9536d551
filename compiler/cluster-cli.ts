// `par worker --redis URL [--threads N] [--concurrency K]`: starts a cluster node (see
// runtime/cluster/worker.ts and docs/cluster.md) and runs until SIGINT/SIGTERM, then exits 0.
// Kept apart from cli.ts, which only dispatches here; Redis and BullMQ load only for this command.
import { parseArgs } from 'node:util';
import type { CliIO } from './cli.js';

/** Exit status when the cluster cannot be used: refused credentials, Redis unreachable or lost, no worker in time (EX_UNAVAILABLE). */
export const EXIT_CLUSTER = 69;

const WORKER_HELP = `Usage: par worker --redis redis://USER:SECRET@HOST:6379 [--threads N] [--concurrency K]

Runs chunks of Par programs started with 'par run --cluster' on the same Redis, until SIGINT or
SIGTERM (it then finishes its running chunks and exits 0; a second signal hands them back to the
queue instead). rediss:// connects with TLS.
  --redis URL        the Redis server and the ACL user Par's jobs run under (see docs/cluster.md)
  --threads N        team size of each chunk (default: PAR_NUM_THREADS, else the core count)
  --concurrency K    chunks run at the same time, each on its own team (default 1)
  --verbose          log each chunk as it starts and ends
`;

function wholeNumber(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text.trim()) || Number(text) < 1) throw new Error(`${what} expects a positive whole number, got '${text}'`);
  return Number(text);
}

export async function workerCommand(args: readonly string[], io: CliIO): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: [...args], options: { redis: { type: 'string' }, threads: { type: 'string' }, concurrency: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (e) {
    io.stderr.write(`par worker: ${(e as Error).message.split('\n')[0]}\n${WORKER_HELP}`);
    return 2;
  }
  if (values.help) { io.stdout.write(WORKER_HELP); return 0; }
  let threads: number | undefined, concurrency: number;
  try {
    if (!values.redis) throw new Error('--redis URL is required');
    threads = wholeNumber(values.threads, '--threads');
    concurrency = wholeNumber(values.concurrency, '--concurrency') ?? 1;
  } catch (e) {
    io.stderr.write(`par worker: ${(e as Error).message}\n`);
    return 2;
  }
  const { runWorker } = await import('../runtime/cluster/worker.js');
  const { ClusterError } = await import('../runtime/cluster/common.js');
  try {
    await runWorker({
      url: values.redis, concurrency, verbose: !!values.verbose, ...(threads !== undefined ? { threads } : {}),
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

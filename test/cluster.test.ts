// Cluster mode end to end (docs/cluster.md): Debian's redis-server on a random loopback port with an
// ACL user limited to Par's keys, three `par worker` processes, and `par run --cluster` compared with
// local runs of the same scripts. Every child process is killed after the file, on failure too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError, compile } from '../index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'par.js');
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
const work = mkdtempSync(join(tmpdir(), 'par-cluster-'));
const children: ChildProcess[] = [];
const killAll = () => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); };
process.on('exit', killAll);

const SECRET = 'test-secret-4f2a';
let port = 0;
let url = '';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); });
    s.on('error', rej);
  });
}

interface Child { proc: ChildProcess; out: string; err: string }
function start(cmd: string, args: string[], env: Record<string, string> = {}): Child {
  const proc = spawn(cmd, args, { cwd: work, env: { ...process.env, PAR_CACHE_DIR: join(work, 'cache'), ...env }, stdio: 'pipe' });
  children.push(proc);
  const c: Child = { proc, out: '', err: '' };
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => { c.out += s; });
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => { c.err += s; });
  return c;
}
const until = async (cond: () => boolean, ms: number, what: string) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

interface Run { code: number | null; stdout: string; stderr: string; ms: number }
async function par(args: string[], env: Record<string, string> = {}, during?: (c: Child) => Promise<void>): Promise<Run> {
  const t0 = Date.now();
  const c = start(process.execPath, [bin, ...args], env);
  const exited = new Promise<number | null>((res) => c.proc.on('exit', (code) => res(code)));
  if (during) await during(c);
  const code = await exited;
  return { code, stdout: c.out, stderr: c.err, ms: Date.now() - t0 };
}

function script(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
}

const workers: Child[] = [];
/** What a local run of MIXED printed (the TLS test compares with it). */
let mixedOutput = '';
function startWorker(): Child {
  const w = start(process.execPath, [bin, 'worker', '--redis', url, '--threads', '1', '--verbose']);
  workers.push(w);
  return w;
}

beforeAll(async () => {
  if (!hasRedis) return;
  port = await freePort();
  url = `redis://par:${SECRET}@127.0.0.1:${port}`;
  const redis = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--user', 'par', 'on', `>${SECRET}`, '~par:*', '&par:*', '+@all', '-@dangerous', '+info', '+client|setname', '+client|getname']);
  await until(() => /Ready to accept connections/.test(redis.out), 10000, 'redis-server');
});
afterAll(() => { killAll(); rmSync(work, { recursive: true, force: true }); });

const MIXED = `import math

def f(x):
    s = 0.0
    for k in range(2000):
        s += math.sin(x * k) * 0.001
    return s

ys = pmap(f, arange(300) * 0.25)
print(ys[0], ys[1], ys[299])

n = 200
grid = zeros((n, 40))
for i in prange(n):
    for j in range(40):
        grid[i, j] = math.sqrt(i * 40.0 + j) * 0.5
print(grid[7, 3], grid[199, 39], grid.sum())

total = 0.0
for i in prange(5000):
    total += math.sin(i * 0.01) / (i + 1.0)
print(total)

for i in prange(1):
    print("not distributed", i)

h = zeros(4, dtype=int64)
for i in prange(8):
    atomic_add(h, i % 4, 1)
rows = zeros((4, 3))
for i in prange(4):
    v = arange(3) * 1.0
    rows[i, 0] = v.sum() + i
s2 = zeros(4)
for i in prange(4, cluster=False):
    s2[i] = i * 2.0
print(h, rows[:, 0], s2)
`;

const FAILING = `a = zeros(100)
idx = arange(100)
for i in prange(100):
    a[idx[i] * 2] = 1.0
print(a.sum())
`;

const SLOW = `import math

def work(x):
    s = 0.0
    for k in range(800000):
        s += math.sin(x + k * 1e-3)
    return s

ys = pmap(work, arange(60) * 1.0)
print(ys[0], ys[59], sum(ys))
`;

describe.skipIf(!hasRedis)('cluster mode', () => {
  it('with no worker, says it is waiting and fails cleanly after --cluster-timeout', async () => {
    const file = script('mixed.par', MIXED);
    const r = await par(['run', file, '--cluster', url, '--cluster-timeout', '2'], { PAR_CLUSTER_MIN_MS: '0' });
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/no cluster worker finished a chunk of the loop at line 9 within 2 s/);
    expect(r.stdout).toBe('');
  }, 60000);

  it('refuses a wrong secret or user, and an unreachable server, with exit status 69', async () => {
    const file = script('mixed.par', MIXED);
    const closed = await freePort();
    // Four independent refusals, at once.
    const [wrong, user, away, worker, typo] = await Promise.all([
      par(['run', file, '--cluster', `redis://par:wrong@127.0.0.1:${port}`]),
      par(['run', file, '--cluster', `redis://mallory:${SECRET}@127.0.0.1:${port}`]),
      par(['run', file, '--cluster', `redis://par:${SECRET}@127.0.0.1:${closed}`]),
      par(['worker', '--redis', `redis://par:wrong@127.0.0.1:${port}`]),
      par(['run', file, '--cluster', `par:${SECRET}@127.0.0.1:${port}`]),
    ]);
    expect(typo.code).toBe(2); // a usage error, and the secret is not echoed
    expect(typo.stderr).toContain('--cluster expects redis://USER:SECRET@HOST:PORT');
    expect(typo.stderr).not.toContain(SECRET);
    expect(wrong.code).toBe(69);
    expect(wrong.stderr).toContain(`par: cluster: Redis at redis://par@127.0.0.1:${port} refused the credentials of user 'par' (wrong user name or password)`);
    expect(wrong.stderr).not.toContain('wrong@'); // the secret is never echoed
    expect(user.code).toBe(69);
    expect(user.stderr).toContain(`refused the credentials of user 'mallory'`);
    expect(away.code).toBe(69);
    expect(away.stderr).toContain(`par: cluster: cannot reach Redis at redis://par@127.0.0.1:${closed} (ECONNREFUSED)`);
    expect(worker.code).toBe(69);
    expect(worker.stderr).toContain('refused the credentials');
  }, 60000);

  it('compile() with a refused cluster rejects the run with the exported ClusterError', async () => {
    const result = await compile(MIXED, { cluster: `redis://par:wrong@127.0.0.1:${port}`, cacheDir: false });
    expect(result.diagnostics).toEqual([]);
    const err = await result.program!.run().then(() => null, (e: unknown) => e);
    result.program!.dispose();
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toContain(`Redis at redis://par@127.0.0.1:${port} refused the credentials of user 'par'`);
  }, 60000);

  it('prints what a local run prints: pmap, a 2-d row-owned prange, a reduction; says which loops stay local and why', async () => {
    for (let k = 0; k < 3; k++) startWorker();
    await until(() => workers.every((w) => /connected to/.test(w.err)), 20000, 'three workers');
    const file = script('mixed.par', MIXED);
    // PAR_CLUSTER_MIN_MS=0: these loops are small, and could otherwise stay local, as they must with a high minimum (the third run).
    const [local, remote, small] = await Promise.all([
      par(['run', file]), par(['run', file, '--cluster', url, '--time'], { PAR_CLUSTER_MIN_MS: '0' }),
      par(['run', file, '--cluster', url, '--time'], { PAR_CLUSTER_MIN_MS: '100000' }),
    ]);
    expect(local.code).toBe(0);
    mixedOutput = local.stdout;
    expect(small.code).toBe(0);
    expect(small.stdout).toBe(local.stdout);
    expect(small.stderr).toMatch(/line 14 prange: .*kept local: about [0-9.]+ ms of work \(PAR_CLUSTER_MIN_MS=100000\)/);
    expect(remote.stderr).not.toMatch(/error/);
    expect(remote.code).toBe(0);
    expect(remote.stdout).toBe(local.stdout);
    // The three loops did run on the cluster, and the printing one did not.
    expect(remote.stderr).toMatch(/line 9 prange: .*distributed to the cluster/);
    expect(remote.stderr).toMatch(/line 14 prange: .*distributed to the cluster/);
    expect(remote.stderr).toMatch(/line 20 prange: .*distributed to the cluster/);
    expect(remote.stderr).toMatch(/line 24 prange: .*not distributed: it prints/);
    expect(remote.stderr).toMatch(/line 28 prange: .*not distributed: it uses atomics or locks/);
    expect(remote.stderr).toMatch(/line 31 prange: .*not distributed: it creates or frees arrays/);
    expect(remote.stderr).toMatch(/line 35 prange: .*not distributed: cluster=False/);
    expect(workers.filter((w) => /chunk \d+ done/.test(w.err)).length).toBeGreaterThan(1);
  }, 90000);

  it('reports an error raised in a chunk as a local run does (line, iteration), naming the worker', async () => {
    const file = script('failing.par', FAILING);
    const local = await par(['run', file]); // compiles into the cache the cluster run then uses
    const remote = await par(['run', file, '--cluster', url], { PAR_CLUSTER_MIN_MS: '0' });
    expect(local.code).toBe(1);
    expect(remote.code).toBe(1);
    const where = /failing\.par:4:7: error: IndexError: index 100 is out of bounds for axis 0 with size 100 \(array shape \(100,\)\) \(in iteration 50 on thread \d+/;
    expect(local.stderr).toMatch(where);
    expect(remote.stderr).toMatch(where);
    expect(remote.stderr).toMatch(/of cluster worker [^)]+:\d+\)/);
  }, 60000);

  it('retries the chunk of a worker killed mid-chunk on another worker: same output', async () => {
    const file = script('slow.par', SLOW);
    const local = await par(['run', file]);
    expect(local.code).toBe(0);
    let victim: Child | undefined;
    const seen = workers.map((w) => w.err.length);
    const remote = await par(['run', file, '--cluster', url], { PAR_CLUSTER_CHUNKS: '6' }, async () => {
      await until(() => !!(victim = workers.find((w, k) => /chunk \d+ of the loop at line 9/.test(w.err.slice(seen[k])))), 30000, 'a worker to start a chunk');
      victim!.proc.kill('SIGKILL');
    });
    expect(remote.code).toBe(0);
    expect(remote.stdout).toBe(local.stdout);
    expect(remote.stderr).toMatch(/lost its worker; it runs again on another/);
  }, 90000);

  it('fails with a clear error, not a hang, when Redis goes away mid-run', async () => {
    const file = script('slow.par', SLOW);
    const redis = children[0];
    const seen = workers.map((w) => w.err.length);
    const r = await par(['run', file, '--cluster', url], { PAR_CLUSTER_CHUNKS: '6' }, async () => {
      await until(() => workers.some((w, k) => /chunk \d+ of the loop at line 9/.test(w.err.slice(seen[k]))), 30000, 'a chunk to start');
      redis.kill('SIGKILL');
    });
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/par: cluster: lost the connection to Redis/);
  }, 60000);
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const ssl = (...a: string[]) => expect(spawnSync('openssl', a, { cwd: work }).status).toBe(0);
/** A redis-server on a TLS port with Par's ACL user (client certificates required or not); its rediss:// address. */
async function startTlsRedis(clientCertificates: boolean): Promise<string> {
  const tlsPort = await freePort();
  const server = start('redis-server', ['--port', '0', '--tls-port', String(tlsPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--tls-cert-file', 'tls.pem', '--tls-key-file', 'tls.key', '--tls-ca-cert-file', 'ca.pem', '--tls-auth-clients', clientCertificates ? 'yes' : 'no',
    '--user', 'par', 'on', `>${SECRET}`, '~par:*', '&par:*', '+@all', '-@dangerous', '+info', '+client|setname', '+client|getname']);
  await until(() => /Ready to accept connections/.test(server.out), 10000, 'redis-server with TLS');
  return `rediss://par:${SECRET}@127.0.0.1:${tlsPort}`;
}
/** A private CA (ca.pem, ca.key) and a server certificate for 127.0.0.1 (tls.pem, tls.key), made once. */
function makeServerCertificates(): void {
  if (existsSync(join(work, 'tls.pem'))) return;
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=par-test-ca');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(work, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.pem', '-days', '1', '-extfile', 'ext.cnf');
}
describe.skipIf(!hasRedis || !hasOpenssl)('cluster mode over TLS (rediss://)', () => {
  it('runs with a certificate the system trusts, and refuses one it does not', async () => {
    // Node trusts the private CA through NODE_EXTRA_CA_CERTS here.
    makeServerCertificates();
    const tlsUrl = await startTlsRedis(false);
    const trust = { NODE_EXTRA_CA_CERTS: join(work, 'ca.pem') };
    const worker = start(process.execPath, [bin, 'worker', '--redis', tlsUrl, '--threads', '1'], trust);
    const file = script('mixed.par', MIXED);
    const [untrusted] = await Promise.all([
      par(['run', file, '--cluster', tlsUrl]),
      until(() => /connected to rediss:/.test(worker.err), 20000, 'a TLS worker'),
    ]);
    expect(untrusted.code).toBe(69);
    expect(untrusted.stderr).toMatch(/par: cluster: Redis at rediss:\/\/par@127\.0\.0\.1:\d+: self-signed certificate in certificate chain/);
    const r = await par(['run', file, '--cluster', tlsUrl, '--time'], { ...trust, PAR_CLUSTER_MIN_MS: '0' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/line 9 prange: .*distributed to the cluster/);
    if (mixedOutput) expect(r.stdout).toBe(mixedOutput);
    else expect(r.stdout).toMatch(/^0\.0 /);
  }, 60000);
  it('with tls-auth-clients yes, connects with --tls-ca/--tls-cert/--tls-key and refuses a client without a certificate', async () => {
    makeServerCertificates();
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=par-client');
    ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '1');
    const tlsUrl = await startTlsRedis(true);
    const certs = ['--tls-ca', join(work, 'ca.pem'), '--tls-cert', join(work, 'client.pem'), '--tls-key', join(work, 'client.key')];
    const worker = start(process.execPath, [bin, 'worker', '--redis', tlsUrl, '--threads', '1', ...certs]);
    const file = script('mixed-mtls.par', MIXED);
    const [anonymous] = await Promise.all([
      par(['run', file, '--cluster', tlsUrl, '--tls-ca', join(work, 'ca.pem')]),
      until(() => /connected to rediss:/.test(worker.err), 20000, 'a worker with a client certificate'),
    ]);
    expect(anonymous.code).toBe(69);
    expect(anonymous.stderr).toMatch(/^par: cluster: Redis at rediss:\/\/par@127\.0\.0\.1:\d+ closed the TLS connection .*client certificate/);
    const r = await par(['run', file, '--cluster', tlsUrl, '--time', ...certs], { PAR_CLUSTER_MIN_MS: '0' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/line 9 prange: .*distributed to the cluster/);
    if (mixedOutput) expect(r.stdout).toBe(mixedOutput);
    else expect(r.stdout).toMatch(/^0\.0 /);
    const missing = await par(['run', file, '--cluster', tlsUrl, '--tls-ca', join(work, 'nope.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--tls-ca: cannot read '.*nope\.pem' \(ENOENT\)/);
    const halfPair = await par(['run', file, '--cluster', tlsUrl, '--tls-cert', join(work, 'client.pem')]);
    expect(halfPair.code).toBe(2);
    expect(halfPair.stderr).toMatch(/--tls-cert and --tls-key go together/);
  }, 60000);
});

/** Small helpers shared by the benchmark scripts: timing loops with bounded concurrency, and a plain-text table. */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export interface Measurement {
  operations: number;
  seconds: number;
  perSecond: number;
}

/** Runs `total` operations with `concurrency` of them in flight at a time; returns the rate. */
export async function measure(
  total: number,
  concurrency: number,
  operation: (index: number, worker: number) => Promise<unknown>,
): Promise<Measurement> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let index = next++; index < total; index = next++) await operation(index, worker);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { operations: total, seconds, perSecond: total / seconds };
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, rank)];
}

/** Latencies of `samples` sequential calls, sorted ascending (milliseconds). */
export async function latencies(samples: number, operation: () => Promise<unknown>): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await operation();
    result.push(performance.now() - started);
  }
  return result.sort((a, b) => a - b);
}

export function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log('');
}

/** What an inspector profiler needs: a session on the main thread, its `post`, and a file to write at the end. */
async function inspected<T>(
  dir: string,
  file: string,
  start: (post: (method: string, params?: object) => Promise<unknown>) => Promise<void>,
  stop: (post: (method: string, params?: object) => Promise<unknown>) => Promise<unknown>,
  run: () => Promise<T>,
): Promise<T> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await start(post);
  try {
    return await run();
  } finally {
    const profile = await stop(post);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, file), JSON.stringify(profile));
    session.disconnect();
  }
}

/** Profiles the main thread while `run` runs, into `<dir>/<name>.cpuprofile` (the inspector's CPU profiler). */
export async function profiled<T>(dir: string | undefined, name: string, run: () => Promise<T>): Promise<T> {
  if (!dir) return run();
  return inspected(
    dir,
    `${name}.cpuprofile`,
    async (post) => {
      await post('Profiler.enable');
      await post('Profiler.start');
    },
    async (post) => ((await post('Profiler.stop')) as { profile: unknown }).profile,
    run,
  );
}

/**
 * Samples the main thread's allocations while `run` runs, into `<dir>/<name>.heapprofile` (the inspector's sampling
 * heap profiler, one sample per 32 KB allocated on average), objects since collected included: what a request
 * allocates, not what it keeps. Open it in Chrome's DevTools (Memory) or sum its nodes' selfSize by function.
 */
export async function heapProfiled<T>(dir: string | undefined, name: string, run: () => Promise<T>): Promise<T> {
  if (!dir) return run();
  return inspected(
    dir,
    `${name}.heapprofile`,
    async (post) => {
      await post('HeapProfiler.enable');
      await post('HeapProfiler.startSampling', {
        samplingInterval: 32_768,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    },
    async (post) => ((await post('HeapProfiler.stopSampling')) as { profile: unknown }).profile,
    run,
  );
}

/**
 * Records where the CPU of these processes goes while `run` runs, into `<dir>/<name>.perf.data`, with Linux perf's
 * `cpu-clock` sampling: unlike the inspector's profiler, which samples wall time (a thread waiting for a core on a
 * loaded machine shows as time in whatever it last called), it counts only time on a core, the kernel's included
 * (socket writes on loopback). Start node with `NODE_OPTIONS=--perf-basic-prof` so that perf names JavaScript
 * functions; read it with `perf report -i <file> --no-children --sort sym`.
 */
export async function perfRecorded<T>(
  dir: string | undefined,
  name: string,
  pids: number[],
  run: () => Promise<T>,
): Promise<T> {
  if (!dir) return run();
  mkdirSync(dir, { recursive: true });
  const output = path.join(dir, `${name}.perf.data`);
  const perf = spawn(
    'perf',
    ['record', '-q', '-g', '-e', 'cpu-clock', '-F', '999', '-p', pids.join(','), '-o', output],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise((resolve) => perf.once('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 300)); // perf attaches
  try {
    return await run();
  } finally {
    perf.kill('SIGINT');
    await exited;
  }
}

/** Runs a benchmark's main and exits with its code (1, with the error printed, when it throws). */
export function runBench(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

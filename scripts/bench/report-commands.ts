/**
 * `npx tsx scripts/bench/report-commands.ts --reuse <dir> [--only <text>]`: what each inflow report sends to the
 * database, on a fixture kept by `npm run bench:reports -- --reuse <dir>`: every command of one call (after a
 * warm-up), with its collection, the documents it examined (the command explained again) and returned, and the
 * time the database took; then the call's wall time and the process's CPU. Where a report's time goes, per part:
 * roll-ups, the records after the watermark, the edges, the donors. `--uri <uri>` reads a database already serving
 * that directory (`npm run db -- --port <port> --dbpath <dir>`), which loads the fixture once for many runs;
 * `--profile-dir <dir>` writes a CPU profile of the API's thread over five calls of each report; `--perf-dir <dir>`
 * records five more with Linux perf, every thread of the process (start node with `--perf-basic-prof`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { connectMongoose, disconnectMongoose } from '../../src/db/connection';
import { startEmbeddedServerThread } from '../../src/embedded-db/thread';
import { organisationActor } from '../../src/modules/access/permissions';
import '../../src/modules';
import { hubScope, ownScope } from '../../src/modules/reports/report-scope';
import { inflowsReport } from '../../src/modules/reports/reports.service';
import { perfRecorded, profiled, runBench } from './report';

const { values } = parseArgs({
  options: {
    reuse: { type: 'string' },
    only: { type: 'string' },
    uri: { type: 'string' },
    'profile-dir': { type: 'string' },
    'perf-dir': { type: 'string' },
  },
});
if (!values.reuse || !existsSync(path.join(values.reuse, 'bench-reports-fixture.json'))) {
  console.error('--reuse <dir>: a data directory holding a bench:reports fixture');
  process.exit(2);
}
const fixture = JSON.parse(readFileSync(path.join(values.reuse, 'bench-reports-fixture.json'), 'utf8'));

interface Sent {
  name: string;
  collection: string;
  command: Record<string, unknown>;
  ms: number;
  returned: number;
}

async function main(): Promise<number> {
  // --uri: a database already serving the fixture (`npm run db -- --dbpath <dir>`), read once for many runs.
  const database = values.uri ? null : await startEmbeddedServerThread({ port: 0, dbPath: values.reuse });
  await connectMongoose(values.uri ?? (database?.uri as string), {
    backend: 'embedded',
    dbName: 'asar_bench_reports',
    serverSelectionTimeoutMS: 300_000,
    driverOptions: { monitorCommands: true },
  });
  const client = mongoose.connection.getClient();
  let recording: Sent[] | null = null;
  const started = new Map<number, { name: string; command: Record<string, unknown>; at: number }>();
  client.on('commandStarted', (e) => {
    if (recording) started.set(e.requestId, { name: e.commandName, command: e.command, at: performance.now() });
  });
  client.on('commandSucceeded', (e) => {
    const s = started.get(e.requestId);
    if (!recording || !s) return;
    const reply = e.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } };
    const batch = reply.cursor?.firstBatch ?? reply.cursor?.nextBatch ?? [];
    const collection = String(s.command[s.name] ?? '');
    recording.push({
      name: s.name,
      collection,
      command: s.command,
      ms: performance.now() - s.at,
      returned: batch.length,
    });
  });
  const own = ownScope(organisationActor(fixture.organisationId));
  const hubActor = organisationActor(fixture.hubId);
  const quarter = { from: new Date(Date.now() - 91 * 86_400_000), to: new Date() };
  const cases: [string, () => Promise<unknown>][] = [
    ['inflows by donor (a year)', () => inflowsReport(own, { groupBy: 'donor' })],
    ['inflows by donor type (a quarter)', () => inflowsReport(own, { groupBy: 'donor_type', ...quarter })],
    [
      'hub: inflows by donor type (a year)',
      async () => inflowsReport(await hubScope(fixture.hubId, hubActor, {}), { groupBy: 'donor_type' }),
    ],
  ];
  try {
    for (const [name, run] of cases) {
      if (values.only && !name.includes(values.only)) continue;
      await run();
      recording = [];
      const cpu = process.cpuUsage();
      const at = performance.now();
      await run();
      const wall = performance.now() - at;
      const used = process.cpuUsage(cpu);
      const sent: Sent[] = recording;
      recording = null;
      // --profile-dir: five more calls under the API thread's CPU profiler.
      const five = async () => {
        for (let i = 0; i < 5; i += 1) await run();
      };
      await profiled(values['profile-dir'], name.replace(/[^a-z]+/g, '-'), five);
      // --perf-dir: five more under Linux perf, both threads (the API's and the database's, in this process).
      if (values['perf-dir'])
        await perfRecorded(values['perf-dir'], name.replace(/[^a-z]+/g, '-'), [process.pid], five);
      console.log(`\n${name}: ${wall.toFixed(0)} ms, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms`);
      for (const s of sent) {
        let examined = '';
        if (s.name === 'aggregate') {
          const { $db, lsid, $clusterTime, cursor, ...inner } = s.command as Record<string, unknown>;
          const explained = await mongoose.connection.db?.command({ explain: inner, verbosity: 'executionStats' });
          const stats = (explained?.executionStats ?? {}) as Record<string, unknown>;
          const plan = JSON.stringify((explained?.queryPlanner as Record<string, unknown>)?.winningPlan ?? {});
          examined = `alone ${stats.executionTimeMillis} ms, examined ${stats.totalDocsExamined} (${plan.includes('IXSCAN') ? (plan.match(/"indexName":"([^"]+)"/)?.[1] ?? 'index') : 'COLLSCAN'})`;
        }
        console.log(
          `  ${s.ms.toFixed(0).padStart(5)} ms  ${s.name} ${s.collection.padEnd(22)} returned ${String(s.returned).padStart(6)}  ${examined}`,
        );
      }
    }
    return 0;
  } finally {
    await disconnectMongoose();
    await database?.close();
  }
}

runBench(main);

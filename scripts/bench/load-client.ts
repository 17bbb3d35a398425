/**
 * The HTTP load of `npm run bench:stock`, in a process of its own so that the clients' CPU is not the server's:
 * forked by the benchmark, it is sent one round at a time over IPC (`LoadRound`) and answers the round's latencies.
 * `concurrency` clients each keep one keep-alive connection (node:http, the transport undici and autocannon use too)
 * and send their next request as soon as the previous answer has arrived.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';

export interface LoadRequest {
  path: string;
  body: unknown;
}

export interface LoadRound {
  port: number;
  token: string;
  concurrency: number;
  requests: LoadRequest[];
  /** Each request's status must be one of these; others are counted as unexpected. */
  expect: number[];
}

export interface LoadResult {
  seconds: number;
  /** Milliseconds, sorted ascending. */
  latencies: number[];
  unexpected: { status: number; body: string }[];
}

const agents = new Map<number, http.Agent>();

function agentFor(port: number, concurrency: number): http.Agent {
  let agent = agents.get(port);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    agents.set(port, agent);
  }
  return agent;
}

function send(round: LoadRound, request: LoadRequest): Promise<{ status: number; body: string }> {
  const payload = Buffer.from(JSON.stringify(request.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: round.port,
        method: 'POST',
        path: request.path,
        agent: agentFor(round.port, round.concurrency),
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${round.token}`,
          'content-type': 'application/json',
          'content-length': payload.length,
          'idempotency-key': randomUUID(),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function run(round: LoadRound): Promise<LoadResult> {
  const latencies: number[] = [];
  const unexpected: LoadResult['unexpected'] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: round.concurrency }, async () => {
      for (let i = next++; i < round.requests.length; i = next++) {
        const sent = performance.now();
        const answer = await send(round, round.requests[i]);
        latencies.push(performance.now() - sent);
        if (!round.expect.includes(answer.status) && unexpected.length < 20)
          unexpected.push({ status: answer.status, body: answer.body.slice(0, 300) });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { seconds, latencies: latencies.sort((a, b) => a - b), unexpected };
}

process.on('message', (message: { round: LoadRound } | { stop: true }) => {
  if ('stop' in message) {
    for (const agent of agents.values()) agent.destroy();
    process.disconnect();
    return;
  }
  run(message.round).then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ error: String(error) }),
  );
});

import type { Test } from 'supertest';

/** The request's answer with its body read as UTF-8 text (a streamed CSV export), whatever its content type. */
export function asText(request: Test): Test {
  return request.buffer(true).parse((response, callback) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => callback(null, Buffer.concat(chunks).toString('utf8')));
  });
}

import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import Joi from 'joi';
import { config } from '../../config';
import { AppError } from '../../core/errors';
import type { Lang } from '../../documents/labels';
import { idParams } from '../../http/joi-rules';
import { DatabaseRateLimitStore } from '../../http/rate-limit-store';
import { type RouteDefinition, reply, route } from '../../http/route-registry';
import { traceDonation } from './traceability';
import { verificationHtml } from './verification.page';
import { issuedCode, lookUpCode, revokeVerificationCode } from './verification.service';
import { VERIFIERS, type VerifiedDocument } from './verifiers';

export type VerificationAnswer =
  | { genuine: true; code: string; documentType: string; document: VerifiedDocument }
  | { genuine: false; code: string; reason: 'unknown' | 'revoked'; revokedAt?: string };

/** The public page's limiter, per caller address (config.verifyRateLimit); runs after validation (`before`). */
function addressLimiter(): RequestHandler {
  const { max, windowMs } = config.verifyRateLimit;
  return rateLimit({
    windowMs,
    limit: max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // In the database: the limit holds across every API process, not per process.
    store: new DatabaseRateLimitStore('verify:'),
    handler: (_req, _res, next, options) =>
      next(
        new AppError('RATE_LIMITED', 'Too many verification requests from this address; try again later', {
          retryAfterSeconds: Math.ceil(options.windowMs / 1000),
        }),
      ),
  });
}

async function verify(code: string): Promise<VerificationAnswer> {
  const found = await lookUpCode(code);
  if (!found.genuine) {
    return { genuine: false, code, reason: found.reason, revokedAt: found.revokedAt?.toISOString() };
  }
  const verifier = VERIFIERS[found.record.documentType];
  if (!verifier) return { genuine: false, code, reason: 'unknown' };
  return {
    genuine: true,
    code: issuedCode(found.record.code).display,
    documentType: found.record.documentType,
    document: await verifier(found.record.documentId),
  };
}

const statusOf = (answer: VerificationAnswer): number =>
  answer.genuine ? 200 : answer.reason === 'revoked' ? 410 : 404;

// Any text is accepted as a code: a forged or mistyped code is an answer ("not genuine"), not a bad request.
const codeParams = Joi.object<{ code: string }>({ code: Joi.string().max(64).required() });

/** Each call makes a limiter; its counts are in the database, shared by every app on it. */
export function verificationRoutes(): RouteDefinition[] {
  const limitAddress = addressLimiter();
  return [
    route('GET /verify/:code', {
      summary:
        'Public page a QR code opens: is the document genuine, and what its holder may see (404/410: not genuine)',
      tag: 'verification',
      access: 'public',
      schemas: {
        params: codeParams,
        query: Joi.object<{ lang: Lang }>({ lang: Joi.string().valid('kk', 'ru', 'en').default('en') }),
      },
      before: [limitAddress],
      headers: { 'Cache-Control': 'no-store' },
      success: { status: 200, contentType: 'text/html', description: 'The verification page' },
      run: async ({ params, query }) => {
        const answer = await verify(params.code);
        const page = Buffer.from(verificationHtml(answer, query.lang), 'utf8');
        return reply(statusOf(answer), { file: page, filename: 'verify.html', contentType: 'text/html' as const });
      },
    }),
    route('GET /verification/:code', {
      summary: 'Public, for programs: the verification page as JSON (404: forged, 410: revoked; both not genuine)',
      tag: 'verification',
      access: 'public',
      schemas: { params: codeParams },
      before: [limitAddress],
      headers: { 'Cache-Control': 'no-store' },
      run: async ({ params }) => {
        const answer = await verify(params.code);
        if (answer.genuine) return answer;
        // Not genuine is a refusal, in the API's one error shape: 404 for a code never issued, 410 for a revoked one.
        throw answer.reason === 'revoked'
          ? new AppError('GONE', 'This document is not genuine: its verification code was revoked', answer)
          : new AppError('NOT_FOUND', 'This document is not genuine: no such verification code', answer);
      },
    }),
    route('POST /verification-codes/revoke', {
      summary: 'Revoke a verification code: the public page then answers "not genuine"',
      tag: 'verification',
      access: 'verification:manage',
      idempotent: true,
      schemas: {
        body: Joi.object<{ code: string; reason: string }>({
          code: Joi.string().trim().max(64).required(),
          reason: Joi.string().trim().min(3).max(500).required(),
        }),
      },
      run: ({ body, actor }) => revokeVerificationCode(body, actor),
    }),
    route('GET /donations/:id/trace', {
      summary: 'Where every unit of a donation went: in stock, moved, shipped, distributed, lost or disposed',
      tag: 'donations',
      access: 'donations:read',
      schemas: { params: idParams },
      run: ({ params, actor }) => traceDonation(params.id, actor),
    }),
  ];
}

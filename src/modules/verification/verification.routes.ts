import type { Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import Joi from 'joi';
import { config } from '../../config';
import { AppError } from '../../core/errors';
import type { Lang } from '../../documents/labels';
import { idParams } from '../../http/joi-rules';
import type { RouteDefinition } from '../../http/route-registry';
import { traceDonation } from './traceability';
import { verificationHtml } from './verification.page';
import { issuedCode, lookUpCode, revokeVerificationCode } from './verification.service';
import { VERIFIERS, type VerifiedDocument } from './verifiers';

export type VerificationAnswer =
  | { genuine: true; code: string; documentType: string; document: VerifiedDocument }
  | { genuine: false; code: string; reason: 'unknown' | 'revoked'; revokedAt?: string };

/** The public page's limiter, per caller address (config.verifyRateLimit), as a promise like the login's. */
function addressLimiter(): (req: Request, res: Response) => Promise<void> {
  const { max, windowMs } = config.verifyRateLimit;
  const middleware = rateLimit({
    windowMs,
    limit: max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next, options) =>
      next(
        new AppError('RATE_LIMITED', 'Too many verification requests from this address; try again later', {
          retryAfterSeconds: Math.ceil(options.windowMs / 1000),
        }),
      ),
  });
  return (req, res) =>
    new Promise<void>((resolve, reject) => {
      middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
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

/** Each call makes a fresh limiter: each app (and each test's app) counts from zero. */
export function verificationRoutes(): RouteDefinition[] {
  const limitAddress = addressLimiter();
  return [
    {
      method: 'get',
      path: '/verify/:code',
      summary: 'Public: is the document behind this QR code or printed code genuine, and what its holder may see',
      tag: 'verification',
      access: 'public',
      schemas: {
        // Any text is accepted: a forged or mistyped code is an answer ("not genuine"), not a bad request.
        params: Joi.object({ code: Joi.string().max(64).required() }),
        query: Joi.object({
          lang: Joi.string().valid('kk', 'ru', 'en').default('en'),
          format: Joi.string().valid('json', 'html'),
        }),
      },
      handler: async (req, res) => {
        await limitAddress(req, res);
        const answer = await verify(res.locals.input.params.code);
        const status = answer.genuine ? 200 : answer.reason === 'revoked' ? 410 : 404;
        res.status(status).set('Cache-Control', 'no-store');
        const { format, lang } = res.locals.input.query as { format?: string; lang: Lang };
        if (format === 'json' || (format !== 'html' && req.accepts(['html', 'json']) === 'json')) res.json(answer);
        else res.type('html').send(verificationHtml(answer, lang));
      },
    },
    {
      method: 'post',
      path: '/verification-codes/revoke',
      summary: 'Revoke a verification code: the public page then answers "not genuine"',
      tag: 'verification',
      access: 'verification:manage',
      idempotent: true,
      schemas: {
        body: Joi.object({
          code: Joi.string().trim().max(64).required(),
          reason: Joi.string().trim().min(3).max(500).required(),
        }),
      },
      handler: async (_req, res) => {
        res.json(await revokeVerificationCode(res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/donations/:id/trace',
      summary: 'Where every unit of a donation went: in stock, moved, shipped, distributed, lost or disposed',
      tag: 'donations',
      access: 'donations:read',
      schemas: { params: idParams },
      handler: async (_req, res) => {
        res.json(await traceDonation(res.locals.input.params.id));
      },
    },
  ];
}

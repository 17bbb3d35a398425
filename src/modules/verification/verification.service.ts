/**
 * Issuing, revoking and checking documents' verification codes. Document modules call one function when they
 * render a document:
 *
 *   const v = await issueVerificationCode({ documentType: 'waybill', documentId, organisationId }, session?);
 *   // v.url goes into the QR code, v.display is printed next to it: "7K3M-Q9XD-2HPF-WR4T"
 *
 * It answers the document's active code, creating one the first time (so every rendering of a document carries the
 * same code), and a new one after a revocation. What the public page shows for a document type is declared in
 * verifiers.ts.
 */
import { randomBytes } from 'node:crypto';
import { type ClientSession, Types } from 'mongoose';
import { config } from '../../config';
import { AppError, notFound } from '../../core/errors';
import { withTransaction } from '../../db/transaction';
import type { Actor } from '../access';
import { ownsRecord } from '../access';
import { recordAudit } from '../audit';
import { ledgerActorOf } from '../stock';
import { VerificationCode, type VerificationCodeRecord } from './verification.model';

/** Crockford's base 32: no I, L, O or U, so a typed code survives 0/O and 1/I/L confusions. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 16;

export interface IssuedCode {
  /** The code as stored (16 characters), what the URL carries. */
  code: string;
  /** Grouped by four for people who type it: 7K3M-Q9XD-2HPF-WR4T. */
  display: string;
  /** `<ASAR_PUBLIC_URL>/verify/<code>`: what the QR code encodes. */
  url: string;
}

export interface DocumentRef {
  documentType: string;
  documentId: string | Types.ObjectId;
  organisationId: string | Types.ObjectId | null;
}

function newCode(): string {
  // 10 random bytes = 80 bits = 16 characters of 5 bits.
  const bytes = randomBytes(10);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i += 1) {
    code = ALPHABET[Number(bits & 31n)] + code;
    bits >>= 5n;
  }
  return code;
}

/** What a person typed or a scanner read → the stored form, or null when it cannot be a code at all. */
export function normaliseCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return code.length === CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

export function issuedCode(code: string): IssuedCode {
  return { code, display: code.match(/.{4}/g)?.join('-') ?? code, url: `${config.publicUrl}/verify/${code}` };
}

/** The document's active verification code, created on first use. Safe to call on every rendering. */
export async function issueVerificationCode(ref: DocumentRef, session?: ClientSession): Promise<IssuedCode> {
  const filter = { documentType: ref.documentType, documentId: String(ref.documentId), active: true };
  for (let attempt = 1; ; attempt += 1) {
    const existing = await VerificationCode.findOne(filter)
      .session(session ?? null)
      .lean<VerificationCodeRecord>();
    if (existing) return issuedCode(existing.code);
    try {
      const code = newCode();
      await VerificationCode.create(
        [
          {
            ...filter,
            code,
            organisationId: ref.organisationId ? new Types.ObjectId(String(ref.organisationId)) : null,
            createdAt: new Date(),
          },
        ],
        { session },
      );
      return issuedCode(code);
    } catch (error) {
      // Two renderings issuing the first code at once: the second reads the first one's code.
      if ((error as { code?: unknown }).code !== 11000 || attempt >= 3 || session) throw error;
    }
  }
}

/** Revokes a code (a document printed by mistake, a stolen blank): the public page then answers "not genuine". */
export async function revokeVerificationCode(
  input: { code: string; reason: string },
  actor: Actor,
): Promise<{ code: string; revokedAt: Date }> {
  const code = normaliseCode(input.code);
  const record = code ? await VerificationCode.findOne({ code }).lean<VerificationCodeRecord>() : null;
  if (!record || !ownsRecord(actor, record.organisationId)) throw notFound('Verification code', input.code);
  return withTransaction(async (session) => {
    const revokedAt = new Date();
    const revoked = await VerificationCode.findOneAndUpdate(
      { _id: record._id, active: true },
      { $set: { active: false, revokedAt, revokedBy: ledgerActorOf(actor), revokeReason: input.reason } },
      { session, returnDocument: 'after' },
    ).lean<VerificationCodeRecord>();
    if (!revoked) throw new AppError('INVALID_STATE', 'The code is already revoked', { status: 'revoked' });
    await recordAudit(
      {
        actor,
        action: 'verification.revoke',
        targetType: record.documentType,
        targetId: record.documentId,
        organisationId: record.organisationId,
        summary: { reason: input.reason },
      },
      session,
    );
    return { code: revoked.code, revokedAt };
  });
}

export type CodeLookup =
  | { genuine: true; record: VerificationCodeRecord }
  | { genuine: false; reason: 'unknown' | 'revoked'; revokedAt?: Date };

export async function lookUpCode(input: string): Promise<CodeLookup> {
  const code = normaliseCode(input);
  const record = code ? await VerificationCode.findOne({ code }).lean<VerificationCodeRecord>() : null;
  if (!record) return { genuine: false, reason: 'unknown' };
  if (!record.active) return { genuine: false, reason: 'revoked', revokedAt: record.revokedAt ?? undefined };
  return { genuine: true, record };
}

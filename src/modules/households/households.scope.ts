/**
 * Whose recipients an actor works with. A registering organisation owns its households; an actor of an organisation
 * reads and writes only those, and a household of another organisation is answered exactly as a missing one.
 * Actors without an organisation (the operator's admins, the system) may name the organisation they act for.
 */
import { Types } from 'mongoose';
import { AppError, validationError } from '../../core/errors';
import type { Actor } from '../access/permissions';

/** The filter every household, enrolment, allocation and distribution query starts from. */
export function ownedBy(actor: Actor): { organisationId?: Types.ObjectId } {
  return actor.organisationId ? { organisationId: new Types.ObjectId(actor.organisationId) } : {};
}

/** The organisation a new record belongs to: the actor's own, or (for an actor without one) the one it names. */
export function owningOrganisation(actor: Actor, requested?: string | null): Types.ObjectId {
  if (actor.organisationId) {
    if (requested && requested !== actor.organisationId) {
      throw new AppError('FORBIDDEN', 'Records are created in your own organisation only', {
        field: 'organisationId',
      });
    }
    return new Types.ObjectId(actor.organisationId);
  }
  if (!requested) {
    throw validationError([
      {
        field: 'organisationId',
        message: '"organisationId" is required for a user without an organisation',
        type: 'any.required',
      },
    ]);
  }
  return new Types.ObjectId(requested);
}

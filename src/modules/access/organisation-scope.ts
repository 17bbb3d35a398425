/**
 * Organisation scoping: an NGO coordinator sees and changes only its own organisation's records (families,
 * allocations, distributions, its organisation). Operator staff (warehouse, logistics, viewer) and admins work across
 * organisations, within their permissions. A record outside the actor's scope is answered 404, exactly as a record
 * that does not exist, so that its existence is not revealed.
 */
import { Types } from 'mongoose';
import { notFound } from '../../core/errors';
import type { Actor } from './permissions';

/** True when the actor is confined to its own organisation's records. */
export function isOrganisationScoped(actor: Actor): boolean {
  return actor.roles.includes('coordinator') && !actor.roles.includes('admin');
}

/**
 * The filter to add to a query on organisation-owned records: `{}` for actors who see every organisation,
 * `{ organisationId }` for scoped actors. A scoped actor without an organisation matches nothing.
 */
export function scopeFilter(actor: Actor): { organisationId?: Types.ObjectId | null } {
  if (!isOrganisationScoped(actor)) return {};
  return { organisationId: actor.organisationId ? new Types.ObjectId(actor.organisationId) : null };
}

/** May the actor see a record owned by this organisation? */
export function canSeeOrganisation(actor: Actor, organisationId: string | Types.ObjectId | null | undefined): boolean {
  if (!isOrganisationScoped(actor)) return true;
  return actor.organisationId !== null && organisationId != null && String(organisationId) === actor.organisationId;
}

/**
 * Throws NOT_FOUND, worded as for a missing record, when the record's organisation is outside the actor's scope.
 * Use after loading a record by id: `assertInScope(actor, household.organisationId, 'Household', id)`.
 */
export function assertInScope(
  actor: Actor,
  organisationId: string | Types.ObjectId | null | undefined,
  what: string,
  id: unknown,
): void {
  if (!canSeeOrganisation(actor, organisationId)) throw notFound(what, id);
}

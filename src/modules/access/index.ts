/**
 * The access module's face: what other modules may use.
 */
export { acrossOrganisations, ownedByOrganisation } from './ownership';
export {
  type Actor,
  organisationActor,
  type Permission,
  permissionsOf,
  ROLES,
  type Role,
  SYSTEM_ACTOR,
} from './permissions';
export { type DirectCollection, organisationOf, owned, ownerFilter, ownsRecord } from './scope';

/**
 * The organisations module's face: what other modules may use.
 */
export { Organisation, type OrganisationRecord } from './organisations.model';
export {
  addHubMember,
  type CreateOrganisationInput,
  createOrganisation,
  eachOrganisationActor,
  getOrganisation,
  hubMembersOf,
  isHub,
  organisationExists,
  organisationIdByBin,
  organisationIsActive,
  organisationNames,
  organisationParty,
  wasEverHubMember,
} from './organisations.service';

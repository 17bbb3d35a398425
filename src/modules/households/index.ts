/**
 * The household registry's face: what other modules may use. Households are read only inside the actor's
 * organisation (owned()); personal fields leave this module sealed or masked, never in clear, except through its own
 * audited reveal and subject-access routes.
 */

export { checkHouseholdInputs } from './households.import';
export type { HouseholdRecord, RecipientKind } from './households.model';
export { iin, vulnerabilityCode } from './households.schemas';
export {
  COUNT_DIMENSIONS,
  type CountDimension,
  countHouseholdsOf,
  type ErasedHousehold,
  type HouseholdCount,
  type HouseholdDto,
  type HouseholdFacts,
  type HouseholdInput,
  householdFactsOf,
  householdsByIds,
  householdsForExport,
  iinHash,
  insertHouseholds,
  prepareHouseholds,
  registeredIinHashes,
  registerHousehold,
  requireHousehold,
} from './households.service';

/**
 * The distributions module's face: what the household registry needs of it (what a household received, for the
 * person's own export; anonymising hand-overs when a household is erased), and what reports read: the programme and
 * round of allocations, and hand-overs (the reports' scoped aggregations count households served from them).
 */

export { HandOver, type HandOverRecord, type HouseholdAtHandOver } from './distributions.model';
export {
  anonymiseHandOvers,
  handOversOfHousehold,
  programmeRoundsOf,
  releaseExpiredAllocations,
} from './distributions.service';

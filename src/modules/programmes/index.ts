/**
 * The programmes module's face: programmes and rounds as the actor's organisation sees them (its own and those it
 * participates in), its enrolments, their entitlements, and the duplicate re-check allocations run.
 */
export type { EntitlementLine } from './entitlements';
export type { EnrolmentRecord, ProgrammeRecord, RoundRecord } from './programmes.model';
export {
  enrolmentsOf,
  entitlementOf,
  recheckBeforeAllocation,
  requireProgramme,
  requireRound,
  roundNames,
} from './programmes.service';

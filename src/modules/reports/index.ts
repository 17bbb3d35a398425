/**
 * The reports module's face: what other modules may use.
 */

export {
  foldHouseholdsServed,
  rebuildHouseholdsServed,
  type ServedFoldResult,
} from './households-served';
export { type FoldResult, foldReportRollups, rebuildReportRollups } from './report-rollups';

/**
 * The reports module's face: what other modules may use.
 */
export { type FoldResult, foldReportRollups, rebuildReportRollups } from './report-rollups';

/**
 * The audit module's face: what other modules may use.
 */
export { ANONYMOUS, type AuditInput, describeChanges, recordAudit, recordAudits } from './audit.service';

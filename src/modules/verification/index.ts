/**
 * The verification module's face: what other modules may use.
 */
export { issueVerificationCode } from './verification.service';

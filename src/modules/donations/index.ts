/**
 * The donations module's face: what other modules may use.
 */
export { Donation, type DonationRecord } from './donations.model';
export { getDonationRecord, getVerifiedDonationRecord } from './donations.service';

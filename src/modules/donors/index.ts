/**
 * The donors module's face: what other modules may use.
 */
export { DONOR_TYPES, Donor, type DonorRecord } from './donors.model';
export { countryCode } from './donors.schemas';
export { createDonor, createDonors, getDonor, getDonorRecord, requireDonor } from './donors.service';

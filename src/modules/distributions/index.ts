/**
 * The distributions module's face: what the household registry needs of it (what a household received, for the
 * person's own export; anonymising hand-overs when a household is erased).
 */

export { anonymiseHandOvers, handOversOfHousehold } from './distributions.service';

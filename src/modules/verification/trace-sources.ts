/**
 * Where a shipment or a distribution took a donation's units, for the donation's journey (traceability.ts) and its
 * public verification page. Keyed by the ledger source type of the issue; each resolver takes the documents' ids
 * and answers, per id, what a donor may see: places, dates, counts, never names of people.
 *
 * To plug in (issues 11 and 12), add an entry here:
 *   shipment: (ids) => shipmentDestinations(ids),      // { country, region, place, status, arrivedOn }
 *   distribution: (ids) => distributionSummaries(ids), // { households, region, round, programme }
 */
export type TraceResolver = (ids: string[]) => Promise<Map<string, Record<string, unknown>>>;

export const TRACE_SOURCES: Record<string, TraceResolver> = {};

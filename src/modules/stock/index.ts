/**
 * The stock module's face: what other modules may use. Only this module writes balances, the ledger and
 * reservations; everything else asks it through these functions, passing its own session so that its document and
 * the stock change commit together:
 *
 *   await withTransaction(async (session) => {
 *     await stock.reserve({ warehouseId, itemId, quantity: 12, source: { type: 'shipment', id, line: '1' } }, actor, session);
 *     await Shipment.updateOne({ _id: id, status: 'draft' }, { $set: { status: 'packed' } }, { session });
 *   });
 */
export type { Condition, LedgerActor, ReservationSource, ReservationStatus, SourceDocument } from './stock.model';
export {
  CONDITIONS,
  LedgerEntry,
  type LedgerEntryRecord,
  ledgerActorOf,
  ledgerActorSchema,
  StockBalance,
  type StockBalanceRecord,
  TRANSIT_LOCATION,
} from './stock.model';
export {
  availability,
  balancesOfSource,
  creditsElsewhere,
  entriesOfBalances,
  expiring,
  findInvariantViolations,
  listBalances,
} from './stock.queries';
export {
  type FromReservationsInput,
  type IssueReservedInput,
  issueReserved,
  listReservations,
  type ReservationChange,
  type ReservationDto,
  type ReservationQuery,
  type ReserveInput,
  release,
  releaseExpiredReservations,
  reserve,
} from './stock.reservations';
export { lot } from './stock.schemas';
export {
  adjust,
  assembleKits,
  checkTracking,
  disassembleKits,
  dispose,
  type IssueInput,
  issue,
  type LoadedReferences,
  move,
  queuedOnStock,
  type ReceiveInput,
  type ReceiveLineInput,
  receive,
  receiveForDocument,
  reverseEntry,
  reverseOperation,
  type StockOperationDto,
  transfer,
} from './stock.service';
export {
  type ArrivalInput,
  dispatchReserved,
  type LeaveTransitInput,
  leaveTransit,
  receiveFromTransit,
  type TransitMovement,
} from './stock.transit';

/**
 * Decoding requests and encoding replies of the MongoDB wire protocol.
 *
 * Only what current drivers send is understood: OP_QUERY on `<db>.$cmd` (the legacy handshake every connection opens
 * with), answered by OP_REPLY, and OP_MSG (section kinds 0 and 1), answered by an OP_MSG with one kind-0 section.
 * Documents are deserialised without promoting values so that Int32, Double, Long and Decimal128 survive a round trip.
 */
import { deserialize, serialize } from 'bson';
import { DESERIALIZE_OPTIONS, type Doc } from '../types';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

/** OP_MSG flag bits (see the OP_MSG specification). */
const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;

export interface MessageHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

/** A command as the dispatcher sees it, whatever opcode carried it. */
export interface CommandRequest {
  header: MessageHeader;
  /** The command document, with kind-1 document sequences merged in as arrays. */
  body: Doc;
  /** Database the command addresses (`$db` for OP_MSG, the `<db>.$cmd` prefix for OP_QUERY). */
  db: string;
  /** The client asked for no reply (OP_MSG moreToCome, used for `w: 0` writes). */
  moreToCome: boolean;
  /** OP_QUERY requests are answered with OP_REPLY. */
  legacy: boolean;
}

export class ProtocolError extends Error {}

export function readHeader(message: Buffer): MessageHeader {
  return {
    length: message.readInt32LE(0),
    requestId: message.readInt32LE(4),
    responseTo: message.readInt32LE(8),
    opCode: message.readInt32LE(12),
  };
}

/** The size of the BSON document at `offset`, checked to fit in the message. */
function documentSize(message: Buffer, offset: number): number {
  if (offset + 4 > message.length) throw new ProtocolError('truncated BSON document');
  const size = message.readInt32LE(offset);
  if (size < 5 || offset + size > message.length) throw new ProtocolError('invalid BSON document size');
  return size;
}

function readDocument(message: Buffer, offset: number): { doc: Doc; end: number } {
  const size = documentSize(message, offset);
  const doc = deserialize(message.subarray(offset, offset + size), DESERIALIZE_OPTIONS) as Doc;
  return { doc, end: offset + size };
}

/**
 * The size of the value of a BSON element of `type` starting at `at` (see bsonspec.org), or undefined for the types
 * this walk leaves to the decoder (regex, DBPointer and unknown types).
 */
function valueSize(message: Buffer, at: number, type: number): number | undefined {
  switch (type) {
    case 0x06: // undefined
    case 0x0a: // null
    case 0x7f: // MaxKey
    case 0xff: // MinKey
      return 0;
    case 0x08: // boolean
      return 1;
    case 0x10: // int32
      return 4;
    case 0x01: // double
    case 0x09: // UTC datetime
    case 0x11: // Timestamp
    case 0x12: // int64
      return 8;
    case 0x07: // ObjectId
      return 12;
    case 0x13: // Decimal128
      return 16;
    case 0x03: // document: int32 length, counting itself
    case 0x04: // array
    case 0x0f: // code with scope
      return at + 4 <= message.length ? message.readInt32LE(at) : undefined;
    case 0x02: // string: int32 length of the bytes that follow it
    case 0x0d: // JavaScript code
    case 0x0e: // symbol
      return at + 4 <= message.length ? 4 + message.readInt32LE(at) : undefined;
    case 0x05: // binary: int32 length, subtype byte, bytes
      return at + 4 <= message.length ? 5 + message.readInt32LE(at) : undefined;
    default:
      return undefined;
  }
}

/** The name `$clusterTime`, byte by byte. */
const CLUSTER_TIME = Buffer.from('$clusterTime');

/** Whether the element name at `at` (followed by its zero) is `$clusterTime`. */
function isClusterTimeName(message: Buffer, at: number, length: number): boolean {
  if (length !== CLUSTER_TIME.length) return false;
  for (let i = 0; i < length; i++) if (message[at + i] !== CLUSTER_TIME[i]) return false;
  return true;
}

/**
 * Where the top-level `$clusterTime` element of the document at `offset` (of `size` bytes) lies, if it has one.
 * Drivers gossip the cluster time on every command to a replica-set member; this single member signs nothing and
 * reads its own latest commits, so the value is never used (a command's `afterClusterTime` is in its readConcern):
 * decoding its nested documents, Binary and Long for every command was a measurable part of the database's CPU per
 * operation (issue 15). Only the element's framing is read here, in plain loops over the bytes (Buffer's indexOf and
 * compare are calls into C++ that cost, a few times per element, as much as the decoding they spare): a type or
 * length this walk does not recognise answers undefined, and the whole document is then decoded as before (so
 * malformed BSON still fails in the decoder).
 */
function clusterTimeElement(message: Buffer, offset: number, size: number): { start: number; end: number } | undefined {
  const last = offset + size - 1; // the document's terminating zero
  let at = offset + 4;
  while (at < last) {
    const start = at;
    const type = message[at];
    const name = at + 1;
    at = name;
    while (at < last && message[at] !== 0) at++;
    if (at >= last) return undefined;
    const nameLength = at - name;
    at++;
    const value = valueSize(message, at, type);
    if (value === undefined || value < 0) return undefined;
    const valueAt = at;
    at += value;
    if (at > last) return undefined;
    if (type === 0x03 && isClusterTimeName(message, name, nameLength)) {
      // The value must itself be a framed document: int32 length (checked above to fit) and a terminating zero.
      if (message[at - 1] !== 0 || message.readInt32LE(valueAt) < 5) return undefined;
      return { start, end: at };
    }
  }
  return undefined;
}

/** The command document (section kind 0), decoded without its `$clusterTime` (see clusterTimeElement). */
function readCommandBody(message: Buffer, offset: number): { doc: Doc; end: number } {
  const size = documentSize(message, offset);
  const skip = clusterTimeElement(message, offset, size);
  if (!skip) return readDocument(message, offset);
  const kept = Buffer.allocUnsafe(size - (skip.end - skip.start));
  message.copy(kept, 0, offset, skip.start);
  message.copy(kept, skip.start - offset, skip.end, offset + size);
  kept.writeInt32LE(kept.length, 0);
  return { doc: deserialize(kept, DESERIALIZE_OPTIONS) as Doc, end: offset + size };
}

function readCString(message: Buffer, offset: number): { value: string; end: number } {
  const zero = message.indexOf(0, offset);
  if (zero < 0) throw new ProtocolError('unterminated cstring');
  return { value: message.toString('utf8', offset, zero), end: zero + 1 };
}

export function decodeOpMsg(message: Buffer, header: MessageHeader): CommandRequest {
  const flags = message.readUInt32LE(16);
  const end = flags & CHECKSUM_PRESENT ? message.length - 4 : message.length;
  let offset = 20;
  let body: Doc | undefined;
  const sequences: [string, Doc[]][] = [];
  while (offset < end) {
    const kind = message.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      const read = readCommandBody(message, offset);
      body = read.doc;
      offset = read.end;
    } else if (kind === 1) {
      const sectionEnd = offset + message.readInt32LE(offset);
      const id = readCString(message, offset + 4);
      const docs: Doc[] = [];
      let at = id.end;
      while (at < sectionEnd) {
        const read = readDocument(message, at);
        docs.push(read.doc);
        at = read.end;
      }
      sequences.push([id.value, docs]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a kind-0 section');
  for (const [id, docs] of sequences) body[id] = docs;
  const db = typeof body.$db === 'string' ? body.$db : 'admin';
  return { header, body, db, moreToCome: (flags & MORE_TO_COME) !== 0, legacy: false };
}

/** Legacy OP_QUERY; only commands (`<db>.$cmd`) are accepted, as mongod 6+ does. */
export function decodeOpQuery(message: Buffer, header: MessageHeader): CommandRequest {
  const name = readCString(message, 20);
  // flags (4 bytes) precede the name; numberToSkip and numberToReturn (8 bytes) follow it.
  const { doc } = readDocument(message, name.end + 8);
  if (!name.value.endsWith('.$cmd')) {
    throw new ProtocolError(`OP_QUERY is only supported for commands, not for ${name.value}`);
  }
  // Old clients wrap the command as { $query: {...}, $readPreference: ... }.
  const body = doc.$query && typeof doc.$query === 'object' ? (doc.$query as Doc) : doc;
  return { header, body, db: name.value.slice(0, -'.$cmd'.length), moreToCome: false, legacy: true };
}

/**
 * A message: the header, `prefix` (the opcode's fixed fields), then `reply` as a BSON document with `elements` (BSON
 * elements already encoded, see ClusterClock.replyElements) appended to it, built in one buffer.
 */
function encodeMessage(
  opCode: number,
  prefix: Buffer,
  reply: Doc,
  elements: Uint8Array | undefined,
  requestId: number,
  responseTo: number,
): Buffer {
  const doc = serialize(reply);
  const extra = elements?.length ?? 0;
  const docAt = 16 + prefix.length;
  const length = docAt + doc.length + extra;
  const message = Buffer.allocUnsafe(length);
  message.writeInt32LE(length, 0);
  message.writeInt32LE(requestId, 4);
  message.writeInt32LE(responseTo, 8);
  message.writeInt32LE(opCode, 12);
  prefix.copy(message, 16);
  // The document's own elements, then the appended ones, then its terminating zero; its length covers them all.
  message.set(doc.subarray(0, doc.length - 1), docAt);
  if (elements) message.set(elements, docAt + doc.length - 1);
  message[length - 1] = 0;
  message.writeInt32LE(doc.length + extra, docAt);
  return message;
}

/** flagBits 0, then section kind 0. */
const OP_MSG_PREFIX = Buffer.alloc(5);

export function encodeOpMsg(reply: Doc, requestId: number, responseTo: number, elements?: Uint8Array): Buffer {
  return encodeMessage(OP_MSG, OP_MSG_PREFIX, reply, elements, requestId, responseTo);
}

/** OP_REPLY flag: the server supports awaitData (mongod always sets it). */
const AWAIT_CAPABLE = 8;
/** responseFlags, cursorID (int64 0), startingFrom, numberReturned 1. */
const OP_REPLY_PREFIX = Buffer.alloc(20);
OP_REPLY_PREFIX.writeInt32LE(AWAIT_CAPABLE, 0);
OP_REPLY_PREFIX.writeInt32LE(1, 16);

export function encodeOpReply(reply: Doc, requestId: number, responseTo: number, elements?: Uint8Array): Buffer {
  return encodeMessage(OP_REPLY, OP_REPLY_PREFIX, reply, elements, requestId, responseTo);
}

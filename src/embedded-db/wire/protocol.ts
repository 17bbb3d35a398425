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

function readDocument(message: Buffer, offset: number): { doc: Doc; end: number } {
  if (offset + 4 > message.length) throw new ProtocolError('truncated BSON document');
  const size = message.readInt32LE(offset);
  if (size < 5 || offset + size > message.length) throw new ProtocolError('invalid BSON document size');
  const doc = deserialize(message.subarray(offset, offset + size), DESERIALIZE_OPTIONS) as Doc;
  return { doc, end: offset + size };
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
      const read = readDocument(message, offset);
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

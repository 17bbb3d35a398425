/**
 * The value model shared by every part of the embedded database.
 *
 * Documents are kept exactly as `bson` deserialises them with `promoteValues: false`,
 * `promoteLongs: false`, `promoteBuffers: false`, `bsonRegExp: true`: an int32 stays an `Int32`, a double a `Double`,
 * an int64 a `Long`, a decimal a `Decimal128`, a regex a `BSONRegExp`, binary a `Binary`. Strings, booleans, null,
 * Date, arrays and plain objects are plain JS values. Serialising such a document gives back the same BSON types,
 * which is how the server keeps number types intact.
 *
 * Code that builds new values (for example `$inc`, `$sum`) uses helpers in `query/values.ts` so that the result
 * type follows MongoDB's numeric promotion rules (int32 -> int64 -> double; anything with decimal -> decimal).
 */
export type BsonValue = unknown;
export type Doc = Record<string, BsonValue>;

export const DESERIALIZE_OPTIONS = {
  promoteValues: false,
  promoteLongs: false,
  promoteBuffers: false,
  bsonRegExp: true,
} as const;

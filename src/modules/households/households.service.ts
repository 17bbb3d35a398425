/**
 * The household registry: registering recipients (households and institutions), reading them masked, revealing
 * their personal data on purpose (audited), the person's own export (subject access), erasure by anonymisation,
 * and counts for hubs, which never see a person. Owns `households` and `vulnerability_criteria`.
 *
 * Personal values enter here in clear and leave sealed (src/personal-data); nothing in this module puts an IIN, a
 * phone number, a name or an address into an audit summary or an error message.
 */
import { type ClientSession, type QueryFilter, Types } from 'mongoose';
import { batchesOf } from '../../core/batches';
import { type NameLang, nameCollation } from '../../core/collation';
import { AppError, type FieldError, notFound, validationError } from '../../core/errors';
import { isValidIin } from '../../core/kz-identifiers';
import type { Page, PageRequest } from '../../core/pagination';
import { defineLifecycle, guardedChange } from '../../core/transitions';
import { withTransaction } from '../../db/transaction';
import { keyedHash, mask, openOrNull, personKey, seal, sealOrNull } from '../../personal-data';
import { type Actor, acrossOrganisations, organisationActor, owned, ownerFilter } from '../access';
import { recordAudit, recordAudits } from '../audit';
import { reserveDocumentNumbers } from '../numbering';
import { hubMembersOf, isHub } from '../organisations';
import { ledgerActorOf } from '../stock';
import {
  type AgeBand,
  BUILT_IN_VULNERABILITIES,
  Household,
  type HouseholdRecord,
  type HouseholdStatus,
  type InstitutionType,
  type LegalBasis,
  type PersonRecord,
  type RecipientKind,
  VulnerabilityCriterion,
} from './households.model';

const DEFAULT_RETENTION_YEARS = 3;

export interface PersonInput {
  name?: string | null;
  relation?: string | null;
  birthDate?: Date | null;
  ageBand?: AgeBand | null;
  iin?: string | null;
}

export interface HouseholdInput {
  kind: RecipientKind;
  head?: { name: string; birthDate: Date; iin: string; phone?: string | null };
  institution?: {
    name: string;
    type: InstitutionType;
    beneficiaries: number;
    contactName?: string | null;
    phone?: string | null;
  };
  members?: PersonInput[];
  address: { region: string; settlement: string; line?: string | null };
  vulnerabilities?: string[];
  notes?: string | null;
  legalBasis: { basis: LegalBasis; purpose: string; recordedOn?: Date };
  retainUntil?: Date;
}

export type HouseholdUpdate = Partial<
  Pick<HouseholdInput, 'head' | 'institution' | 'members' | 'address' | 'vulnerabilities' | 'notes' | 'retainUntil'>
> & { legalBasis?: HouseholdInput['legalBasis'] };

export interface HouseholdQuery extends PageRequest {
  status?: HouseholdStatus;
  kind?: RecipientKind;
  region?: string;
  settlement?: string;
  vulnerability?: string;
  /** Find the household of a person by IIN: matched through its keyed hash, never by decrypting. */
  iin?: string;
  /**
   * Newest first (the default), or by name in the collation of `lang` (the request's language): families by their
   * head's name, then institutions by theirs. Names are stored in clear for the owning organisation (the model's
   * header); the sealed fields (IIN, phone, address line) could not be sorted and are not.
   */
  sort?: 'newest' | 'name';
  lang?: NameLang;
}

export interface PersonDto {
  id: string;
  name: string | null;
  relation: string | null;
  birthDate: Date | null;
  ageBand: AgeBand | null;
  iin: string | null;
}

export interface HouseholdDto {
  id: string;
  organisationId: string;
  number: string;
  kind: RecipientKind;
  status: HouseholdStatus;
  head: { name: string; birthDate: Date; iin: string; phone: string | null } | null;
  institution: {
    name: string;
    type: InstitutionType;
    beneficiaries: number;
    contactName: string | null;
    phone: string | null;
  } | null;
  members: PersonDto[];
  size: number;
  address: { region: string; settlement: string; line: string | null };
  vulnerabilities: string[];
  notes: string | null;
  legalBasis: { basis: LegalBasis; purpose: string; recordedOn: Date; recordedBy: { id: string; name: string } };
  retainUntil: Date;
  erasedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

type Reveal = (sealed: string | null, purpose: 'iin' | 'phone' | 'address') => string | null;

/** Masked (`******1234`) by default; `revealed` opens the sealed values (callers audit that). */
const masked: Reveal = (sealed, purpose) => mask(openOrNull(sealed, purpose));
const revealed: Reveal = (sealed, purpose) => openOrNull(sealed, purpose);

export function toHouseholdDto(h: HouseholdRecord, show: Reveal = masked): HouseholdDto {
  return {
    id: String(h._id),
    organisationId: String(h.organisationId),
    number: h.number,
    kind: h.kind,
    status: h.status,
    head: h.head
      ? {
          name: h.head.name,
          birthDate: h.head.birthDate,
          iin: show(h.head.iin, 'iin') as string,
          phone: show(h.head.phone, 'phone'),
        }
      : null,
    institution: h.institution ? { ...h.institution, phone: show(h.institution.phone, 'phone') } : null,
    members: h.members.map((m) => ({
      id: String(m._id),
      name: m.name,
      relation: m.relation,
      birthDate: m.birthDate,
      ageBand: m.ageBand,
      iin: show(m.iin, 'iin'),
    })),
    size: h.size,
    address: { region: h.address.region, settlement: h.address.settlement, line: show(h.address.line, 'address') },
    vulnerabilities: h.vulnerabilities,
    notes: h.notes,
    legalBasis: {
      basis: h.legalBasis.basis,
      purpose: h.legalBasis.purpose,
      recordedOn: h.legalBasis.recordedOn,
      recordedBy: { id: h.legalBasis.recordedBy.id, name: h.legalBasis.recordedBy.name },
    },
    retainUntil: h.retainUntil,
    erasedAt: h.erasedAt,
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
  };
}

const HOUSEHOLD_CHANGES = {
  model: Household,
  name: 'Household',
  targetType: 'household',
  audit: recordAudit,
  label: (h: HouseholdRecord) => h.number,
};

/** A household's states: active (enrolled, served), inactive (kept, not enrolled), erased (anonymised, final). */
const householdLife = defineLifecycle({
  ...HOUSEHOLD_CHANGES,
  transitions: {
    deactivate: { from: ['active'], to: 'inactive' },
    reactivate: { from: ['inactive'], to: 'active' },
    erase: { from: ['active', 'inactive'], to: 'erased' },
  },
});

function objectIdOrNotFound(id: string): Types.ObjectId {
  if (!Types.ObjectId.isValid(id)) throw notFound('Household', id);
  return new Types.ObjectId(id);
}

/** The keyed hash of an IIN: what every comparison of identifiers uses. */
export function iinHash(iin: string): string {
  return keyedHash(iin, 'iin');
}

/** The birth date an IIN carries (YYMMDD and the century digit), as a UTC date. */
function birthDateOfIin(iin: string): string {
  const century = { '1': 18, '2': 18, '3': 19, '4': 19, '5': 20, '6': 20 }[iin[6] as string] ?? 19;
  return `${century}${iin.slice(0, 2)}-${iin.slice(2, 4)}-${iin.slice(4, 6)}`;
}

function checkIin(iin: string, birthDate: Date | null | undefined, field: string, errors: FieldError[]): void {
  if (!isValidIin(iin)) {
    errors.push({ field, message: `"${field}" is not a valid IIN (check digit or birth date)`, type: 'iin.invalid' });
    return;
  }
  if (birthDate && birthDate.toISOString().slice(0, 10) !== birthDateOfIin(iin)) {
    errors.push({
      field,
      message: `"${field}" does not match the birth date given for the same person`,
      type: 'iin.birthDateMismatch',
    });
  }
}

async function checkVulnerabilities(actor: Actor, codes: readonly string[], errors: FieldError[]): Promise<void> {
  await checkVulnerabilitiesOf(actor, [codes], [errors]);
}

/** The criteria of several households checked with one query for the custom codes of them all. */
async function checkVulnerabilitiesOf(
  actor: Actor,
  codesOf: readonly (readonly string[])[],
  errorsOf: FieldError[][],
): Promise<void> {
  const builtIn = new Set<string>(BUILT_IN_VULNERABILITIES);
  const custom = [...new Set(codesOf.flat().filter((code) => !builtIn.has(code)))];
  if (custom.length === 0) return;
  const known = new Set(
    (
      await owned(VulnerabilityCriterion, actor)
        .find({ code: { $in: custom } }, { code: 1 })
        .lean()
    ).map((c) => c.code),
  );
  codesOf.forEach((codes, h) => {
    codes.forEach((code, i) => {
      if (!builtIn.has(code) && !known.has(code)) {
        errorsOf[h]?.push({
          field: `vulnerabilities[${i}]`,
          message: `"vulnerabilities[${i}]" is not a known criterion (${code})`,
          type: 'any.invalid',
        });
      }
    });
  });
}

interface PersonalFields {
  head: HouseholdRecord['head'];
  institution: HouseholdRecord['institution'];
  members: PersonRecord[];
  size: number;
  iinHashes: string[];
  personKeys: string[];
}

/** Checks and seals the people of a household; errors name the request field. */
function buildPeople(
  kind: RecipientKind,
  input: Pick<HouseholdInput, 'head' | 'institution' | 'members'>,
  settlement: string,
  errors: FieldError[],
  { sealed = true }: { sealed?: boolean } = {},
): PersonalFields {
  // A check that writes nothing (registrationErrors) skips the encryption: its fields are left empty.
  const sealMaybe: typeof sealOrNull = sealed ? sealOrNull : () => null;
  const sealHead: typeof seal = sealed ? seal : () => '';
  const hashes: string[] = [];
  const personKeys: string[] = [];
  const seen = new Map<string, string>();
  const addIin = (iin: string, field: string) => {
    const hash = iinHash(iin);
    const first = seen.get(hash);
    if (first) {
      errors.push({ field, message: `"${field}" repeats the IIN of ${first}`, type: 'iin.repeated' });
    }
    seen.set(hash, field);
    hashes.push(hash);
    return hash;
  };
  if (kind === 'institution') {
    if (!input.institution) {
      errors.push({
        field: 'institution',
        message: '"institution" is required for an institution',
        type: 'any.required',
      });
      return { head: null, institution: null, members: [], size: 0, iinHashes: [], personKeys: [] };
    }
    const { institution } = input;
    return {
      head: null,
      institution: {
        name: institution.name,
        type: institution.type,
        beneficiaries: institution.beneficiaries,
        contactName: institution.contactName ?? null,
        phone: sealMaybe(institution.phone, 'phone'),
      },
      members: [],
      size: institution.beneficiaries,
      iinHashes: [],
      personKeys: [],
    };
  }
  if (!input.head) {
    errors.push({ field: 'head', message: '"head" is required for a household', type: 'any.required' });
    return { head: null, institution: null, members: [], size: 0, iinHashes: [], personKeys: [] };
  }
  const { head } = input;
  checkIin(head.iin, head.birthDate, 'head.iin', errors);
  const members = (input.members ?? []).map((member, i): PersonRecord => {
    const field = `members[${i}]`;
    if (!member.birthDate && !member.ageBand) {
      errors.push({ field, message: `"${field}" needs a birthDate or an ageBand`, type: 'any.required' });
    }
    let hash: string | null = null;
    if (member.iin) {
      checkIin(member.iin, member.birthDate, `${field}.iin`, errors);
      hash = addIin(member.iin, `${field}.iin`);
    } else if (member.name && member.birthDate) {
      personKeys.push(personKey(member.name, member.birthDate, settlement));
    }
    return {
      _id: new Types.ObjectId(),
      name: member.name ?? null,
      relation: member.relation ?? null,
      birthDate: member.birthDate ?? null,
      ageBand: member.ageBand ?? null,
      iin: sealMaybe(member.iin, 'iin'),
      iinHash: hash,
    };
  });
  const headHash = addIin(head.iin, 'head.iin');
  return {
    head: {
      name: head.name,
      birthDate: head.birthDate,
      iin: sealHead(head.iin, 'iin'),
      iinHash: headHash,
      phone: sealMaybe(head.phone, 'phone'),
    },
    institution: null,
    members,
    size: 1 + members.length,
    iinHashes: [headHash, ...hashes.filter((h) => h !== headHash)],
    personKeys,
  };
}

function retentionDefault(from: Date): Date {
  const date = new Date(from);
  date.setUTCFullYear(date.getUTCFullYear() + DEFAULT_RETENTION_YEARS);
  return date;
}

export async function registerHousehold(input: HouseholdInput, actor: Actor): Promise<HouseholdDto> {
  const errors: FieldError[] = [];
  const [record] = await prepareHouseholds([input], actor, [errors]);
  if (errors.length || !record) throw validationError(errors);
  await withTransaction((session) => insertHouseholds([record], actor, session));
  return toHouseholdDto(record);
}

/**
 * Households ready to insert, built as one registration builds one but for a whole batch (a CSV import's 500 rows):
 * each checked (IINs, criteria: the custom criteria of all of them read in one query), its personal fields sealed
 * and its IINs hashed in process, the numbers reserved as one range (one `$inc`, outside any transaction: a retried
 * transaction keeps them, a failed one leaves a gap). Nothing is written to the registry. `errorsOf[i]` receives
 * the i-th input's errors (fields as in the API's body); an input with errors has no record (null).
 */
export async function prepareHouseholds(
  inputs: readonly HouseholdInput[],
  actor: Actor,
  errorsOf: FieldError[][] = inputs.map(() => []),
): Promise<(HouseholdRecord | null)[]> {
  const { organisationId } = owned(Household, actor);
  const people = inputs.map((input, i) =>
    buildPeople(input.kind, input, input.address.settlement, errorsOf[i] as FieldError[]),
  );
  await checkVulnerabilitiesOf(
    actor,
    inputs.map((input) => input.vulnerabilities ?? []),
    errorsOf,
  );
  const valid = inputs.map((_, i) => (errorsOf[i] as FieldError[]).length === 0);
  const numbers = await reserveDocumentNumbers('HH', valid.filter(Boolean).length);
  const now = new Date();
  const by = ledgerActorOf(actor);
  let next = 0;
  return inputs.map((input, i): HouseholdRecord | null => {
    if (!valid[i]) return null;
    return {
      _id: new Types.ObjectId(),
      organisationId,
      number: numbers[next++] as string,
      kind: input.kind,
      status: 'active',
      ...(people[i] as PersonalFields),
      address: {
        region: input.address.region,
        settlement: input.address.settlement,
        line: sealOrNull(input.address.line, 'address'),
      },
      vulnerabilities: [...new Set(input.vulnerabilities ?? [])],
      notes: input.notes ?? null,
      legalBasis: {
        basis: input.legalBasis.basis,
        purpose: input.legalBasis.purpose,
        recordedOn: input.legalBasis.recordedOn ?? now,
        recordedBy: by,
      },
      retainUntil: input.retainUntil ?? retentionDefault(now),
      erasedAt: null,
      createdBy: by,
      createdAt: now,
      updatedAt: now,
    };
  });
}

/**
 * Writes prepared households in the caller's transaction: one insert for all of them, and their audit entries
 * (one per household, as a registration writes) in the transaction's one audit insert.
 */
export async function insertHouseholds(
  records: readonly HouseholdRecord[],
  actor: Actor,
  session: ClientSession,
): Promise<void> {
  if (records.length === 0) return;
  await owned(Household, actor).insertMany(records, { session, lean: true });
  await recordAudits(
    records.map((record) => ({
      actor,
      action: 'household.register',
      targetType: 'household',
      targetId: record._id,
      summary: { number: record.number, kind: record.kind, size: record.size, region: record.address.region },
    })),
    session,
  );
}

/**
 * The organisation's households (erased ones left out), masked as lists show them (IINs, phones and address lines
 * as `******1234`), in batches of `batch` from one cursor: what a CSV export streams. The export is audited once.
 */
export async function* householdsForExport(actor: Actor, batch = 1000): AsyncGenerator<HouseholdDto[]> {
  const cursor = owned(Household, actor)
    .find({ status: { $ne: 'erased' } })
    .sort({ _id: 1 })
    .lean<HouseholdRecord>()
    .cursor({ batchSize: batch });
  await recordAudit({ actor, action: 'household.export', targetType: 'household', summary: { masked: true } }, null);
  try {
    for await (const page of batchesOf(cursor, batch)) yield page.map((h) => toHouseholdDto(h as HouseholdRecord));
  } finally {
    await cursor.close();
  }
}

/** The household, if the actor's organisation owns it; otherwise NOT_FOUND as for a missing one. */
export async function requireHousehold(id: string, actor: Actor, session?: ClientSession): Promise<HouseholdRecord> {
  const household = Types.ObjectId.isValid(id)
    ? await owned(Household, actor)
        .findById(id)
        .session(session ?? null)
        .lean<HouseholdRecord>()
    : null;
  if (!household) throw notFound('Household', id);
  return household;
}

export async function getHousehold(id: string, actor: Actor): Promise<HouseholdDto> {
  return toHouseholdDto(await requireHousehold(id, actor));
}

/**
 * The household with IINs, phones and address in clear: for the coordinator who must call or visit (`reveal`) or
 * for the person's own subject-access request. Each opening is audited.
 */
async function openedHousehold(id: string, actor: Actor, purpose: 'reveal' | 'subject_access'): Promise<HouseholdDto> {
  const household = await requireHousehold(id, actor);
  await recordAudit(
    {
      actor,
      action: `household.${purpose}`,
      targetType: 'household',
      targetId: household._id,
      summary: { number: household.number },
    },
    null,
  );
  return toHouseholdDto(household, revealed);
}

export function revealHousehold(id: string, actor: Actor): Promise<HouseholdDto> {
  return openedHousehold(id, actor, 'reveal');
}

/** Families ('household' sorts before 'institution') by their head's name, then institutions by theirs. */
const BY_NAME = { kind: 1, 'head.name': 1, 'institution.name': 1, _id: 1 } as const;

export async function listHouseholds(query: HouseholdQuery, actor: Actor): Promise<Page<HouseholdDto>> {
  const filter: QueryFilter<HouseholdRecord> = {};
  if (query.status) filter.status = query.status;
  if (query.kind) filter.kind = query.kind;
  if (query.region) filter['address.region'] = query.region;
  if (query.settlement) filter['address.settlement'] = query.settlement;
  if (query.vulnerability) filter.vulnerabilities = query.vulnerability;
  if (query.iin) filter.iinHashes = iinHash(query.iin);
  const page =
    query.sort === 'name'
      ? await owned(Household, actor).paginate(filter, query, BY_NAME, nameCollation(query.lang ?? 'en'))
      : await owned(Household, actor).paginate(filter, query, { createdAt: -1, _id: -1 });
  return { ...page, data: page.data.map((h) => toHouseholdDto(h)) };
}

export async function updateHousehold(id: string, input: HouseholdUpdate, actor: Actor): Promise<HouseholdDto> {
  const before = await requireHousehold(id, actor);
  if (before.status === 'erased') {
    throw new AppError('INVALID_STATE', `Household ${before.number} is erased`, { status: before.status });
  }
  const errors: FieldError[] = [];
  const set: Partial<HouseholdRecord> = {};
  const settlement = input.address?.settlement ?? before.address.settlement;
  if (input.head || input.members || input.institution || input.address?.settlement) {
    const people = buildPeople(
      before.kind,
      {
        head: input.head ?? (before.head ? revealedHead(before) : undefined),
        institution: input.institution ?? (before.institution ? revealedInstitution(before) : undefined),
        members: input.members ?? before.members.map(revealedPerson),
      },
      settlement,
      errors,
    );
    Object.assign(set, people);
  }
  if (input.address) {
    set.address = {
      region: input.address.region,
      settlement: input.address.settlement,
      line: input.address.line === undefined ? before.address.line : sealOrNull(input.address.line, 'address'),
    };
  }
  if (input.vulnerabilities) {
    await checkVulnerabilities(actor, input.vulnerabilities, errors);
    set.vulnerabilities = [...new Set(input.vulnerabilities)];
  }
  if (errors.length) throw validationError(errors);
  if (input.notes !== undefined) set.notes = input.notes;
  if (input.retainUntil) set.retainUntil = input.retainUntil;
  if (input.legalBasis) {
    set.legalBasis = {
      basis: input.legalBasis.basis,
      purpose: input.legalBasis.purpose,
      recordedOn: input.legalBasis.recordedOn ?? new Date(),
      recordedBy: ledgerActorOf(actor),
    };
  }
  const after = await withTransaction((session) =>
    guardedChange(HOUSEHOLD_CHANGES, {
      id: before._id,
      actor,
      session,
      scope: ownerFilter(actor),
      action: 'household.update',
      change: (now) => {
        if (now.status === 'erased') {
          throw new AppError('INVALID_STATE', `Household ${now.number} is erased`, { status: now.status });
        }
        return {
          set,
          // The details were read before this transaction: a change meanwhile is a CONFLICT to retry.
          guard: { updatedAt: before.updatedAt, status: { $ne: 'erased' } },
          // Which parts changed, never their values: personal data has no place in the audit log.
          summary: { number: before.number, changed: Object.keys(input).sort(), size: set.size ?? before.size },
        };
      },
    }),
  );
  return toHouseholdDto(after);
}

function revealedHead(h: HouseholdRecord): HouseholdInput['head'] {
  const head = h.head as NonNullable<HouseholdRecord['head']>;
  return {
    name: head.name,
    birthDate: head.birthDate,
    iin: revealed(head.iin, 'iin') as string,
    phone: revealed(head.phone, 'phone'),
  };
}

function revealedInstitution(h: HouseholdRecord): HouseholdInput['institution'] {
  const institution = h.institution as NonNullable<HouseholdRecord['institution']>;
  return { ...institution, phone: revealed(institution.phone, 'phone') };
}

function revealedPerson(m: PersonRecord): PersonInput {
  return {
    name: m.name,
    relation: m.relation,
    birthDate: m.birthDate,
    ageBand: m.ageBand,
    iin: revealed(m.iin, 'iin'),
  };
}

/** Households of the actor's organisation by id, for modules that enrol, allocate and hand over in bulk. */
export async function householdsByIds(
  ids: readonly Types.ObjectId[],
  actor: Actor,
  session?: ClientSession,
): Promise<Map<string, HouseholdRecord>> {
  const found = await owned(Household, actor)
    .find({ _id: { $in: ids } })
    .session(session ?? null)
    .lean<HouseholdRecord[]>();
  return new Map(found.map((h) => [String(h._id), h]));
}

// ---------------------------------------------------------------------------------------------------------------
// Subject access and erasure

export type ErasedHousehold = Pick<HouseholdRecord, '_id' | 'organisationId'>;

export interface ErasureInput {
  reason: string;
}

/**
 * Erases a household by anonymisation: names, IINs, phones, the address line, birth dates and notes are removed;
 * what remains is what counts need (kind, size, region, settlement, vulnerabilities, dates). Distribution records
 * keep their quantities and lose their people (see `anonymise` hooks).
 */
export async function eraseHousehold(
  id: string,
  input: ErasureInput,
  actor: Actor,
  hooks: readonly ((household: ErasedHousehold, actor: Actor, session: ClientSession) => Promise<void>)[] = [],
): Promise<HouseholdDto> {
  const erased = await withTransaction((session) =>
    householdLife.step('erase', {
      id: objectIdOrNotFound(id),
      actor,
      session,
      scope: ownerFilter(actor),
      change: async (before) => {
        for (const hook of hooks) await hook(before, actor, session);
        return {
          set: {
            head: null,
            institution: before.institution ? { ...before.institution, contactName: null, phone: null } : null,
            members: before.members.map((m) => ({
              _id: m._id,
              name: null,
              relation: m.relation,
              birthDate: null,
              ageBand: m.ageBand,
              iin: null,
              iinHash: null,
            })),
            'address.line': null,
            notes: null,
            iinHashes: [],
            personKeys: [],
            erasedAt: new Date(),
          },
          summary: { number: before.number, reason: input.reason },
        };
      },
    }),
  );
  return toHouseholdDto(erased);
}

/** Stops (or resumes) a household's taking part in new enrolments: its records stay. */
export async function setHouseholdActive(id: string, active: boolean, actor: Actor): Promise<HouseholdDto> {
  const after = await withTransaction((session) =>
    householdLife.step(active ? 'reactivate' : 'deactivate', {
      id: objectIdOrNotFound(id),
      actor,
      session,
      scope: ownerFilter(actor),
      change: (before) => ({ summary: { number: before.number } }),
    }),
  );
  return toHouseholdDto(after);
}

/** The person's own data, in clear, for a subject-access request; the caller adds what was received. Audited. */
export function subjectAccessHousehold(id: string, actor: Actor): Promise<HouseholdDto> {
  return openedHousehold(id, actor, 'subject_access');
}

// ---------------------------------------------------------------------------------------------------------------
// Vulnerability criteria

export interface CriterionInput {
  code: string;
  label: { kk?: string; ru?: string; en?: string };
}

export async function addVulnerabilityCriterion(input: CriterionInput, actor: Actor) {
  const criteria = owned(VulnerabilityCriterion, actor);
  if ((BUILT_IN_VULNERABILITIES as readonly string[]).includes(input.code)) {
    throw new AppError('CONFLICT', `"${input.code}" is a built-in criterion`, { field: 'code' });
  }
  const created = await withTransaction(async (session) => {
    const [criterion] = await criteria.create([{ code: input.code, label: input.label }], { session });
    if (!criterion) throw new Error('the criterion was not created');
    await recordAudit(
      {
        actor,
        action: 'vulnerability_criterion.create',
        targetType: 'vulnerability_criterion',
        targetId: criterion._id,
        summary: { code: input.code },
      },
      session,
    );
    return criterion;
  });
  return {
    id: String(created._id),
    organisationId: String(criteria.organisationId),
    code: created.code,
    label: input.label,
  };
}

export async function listVulnerabilityCriteria(actor: Actor) {
  const custom = await owned(VulnerabilityCriterion, actor).find().sort({ code: 1 }).lean();
  return {
    builtIn: [...BUILT_IN_VULNERABILITIES],
    custom: custom.map((c) => ({ id: String(c._id), code: c.code, label: c.label })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Counts for hubs: totals only, never a person

export const COUNT_DIMENSIONS = ['region', 'settlement', 'vulnerability', 'kind'] as const;
export type CountDimension = (typeof COUNT_DIMENSIONS)[number];

export interface HouseholdCount {
  key: string;
  households: number;
  people: number;
}

/**
 * Households and people, grouped by one dimension, over active households: totals, never a person. A hub counts its
 * current members' households; any other organisation its own; the deployment's operator every organisation's.
 */
export async function countHouseholds(by: CountDimension, actor: Actor): Promise<HouseholdCount[]> {
  if (!actor.organisationId) return countHouseholdsOf(null, by);
  if (await isHub(actor.organisationId)) {
    const members = [...new Set((await hubMembersOf(actor)).map((m) => String(m.memberId)))];
    return countHouseholdsOf(
      members.map((id) => new Types.ObjectId(id)),
      by,
    );
  }
  return countHouseholdsOf([owned(Household, actor).organisationId], by);
}

/** The same counts over the given organisations (a hub's members, one organisation's own; null: every one). */
export async function countHouseholdsOf(
  organisationIds: readonly Types.ObjectId[] | null,
  by: CountDimension,
): Promise<HouseholdCount[]> {
  if (organisationIds?.length === 0) return [];
  const field = {
    region: '$address.region',
    settlement: '$address.settlement',
    vulnerability: '$vulnerabilities',
    kind: '$kind',
  }[by];
  const pipeline: Record<string, unknown>[] = [
    { $match: { ...(organisationIds ? { organisationId: { $in: [...organisationIds] } } : {}), status: 'active' } },
  ];
  if (by === 'vulnerability') pipeline.push({ $unwind: '$vulnerabilities' });
  pipeline.push({ $group: { _id: field, households: { $sum: 1 }, people: { $sum: '$size' } } }, { $sort: { _id: 1 } });
  const rows = await acrossOrganisations("a hub counts its members' households, never a person", () =>
    Household.aggregate<{ _id: string; households: number; people: number }>(pipeline as never).exec(),
  );
  return rows.map((r) => ({ key: String(r._id), households: r.households, people: r.people }));
}

/** What a report may know of a household: where it lives (region), its size and its vulnerabilities; no person. */
export interface HouseholdFacts {
  region: string;
  size: number;
  vulnerabilities: string[];
}

/**
 * The facts of an organisation's households, by id (households served, counted by region or vulnerability): no name,
 * identifier, address line or contact leaves this function.
 */
export async function householdFactsOf(
  organisationId: Types.ObjectId | string,
  ids: readonly Types.ObjectId[],
): Promise<Map<string, HouseholdFacts>> {
  if (ids.length === 0) return new Map();
  const found = await owned(Household, organisationActor(String(organisationId)))
    .find({ _id: { $in: [...ids] } }, { 'address.region': 1, size: 1, vulnerabilities: 1 })
    .lean<Pick<HouseholdRecord, '_id' | 'address' | 'size' | 'vulnerabilities'>[]>();
  return new Map(
    found.map((h) => [
      String(h._id),
      { region: h.address.region, size: h.size, vulnerabilities: [...(h.vulnerabilities ?? [])] },
    ]),
  );
}

/**
 * What registering this (schema-valid) input would refuse, without writing anything: the IINs (valid, matching the
 * birth date, not repeated in the household) and the vulnerability criteria. A CSV import's dry run asks it per row.
 */
export async function registrationErrors(input: HouseholdInput, actor: Actor): Promise<FieldError[]> {
  return (await registrationErrorsOf([input], actor))[0] as FieldError[];
}

/** `registrationErrors` of several inputs, with one query for the custom criteria of them all; nothing sealed. */
export async function registrationErrorsOf(inputs: readonly HouseholdInput[], actor: Actor): Promise<FieldError[][]> {
  const errorsOf = inputs.map((): FieldError[] => []);
  inputs.forEach((input, i) => {
    buildPeople(input.kind, input, input.address.settlement, errorsOf[i] as FieldError[], { sealed: false });
  });
  await checkVulnerabilitiesOf(
    actor,
    inputs.map((input) => input.vulnerabilities ?? []),
    errorsOf,
  );
  return errorsOf;
}

/** Which of these keyed IIN hashes a household of the actor's organisation already holds, and its number. */
export async function registeredIinHashes(hashes: readonly string[], actor: Actor): Promise<Map<string, string>> {
  if (hashes.length === 0) return new Map();
  const found = await owned(Household, actor)
    .find({ iinHashes: { $in: [...hashes] } }, { number: 1, iinHashes: 1 })
    .lean<Pick<HouseholdRecord, 'number' | 'iinHashes'>[]>();
  const wanted = new Set(hashes);
  const numbers = new Map<string, string>();
  for (const h of found) for (const hash of h.iinHashes) if (wanted.has(hash)) numbers.set(hash, h.number);
  return numbers;
}

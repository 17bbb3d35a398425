/**
 * `npm run bench:households`: the household registry, the duplicate check and a distribution day (issue 12).
 *
 * One process starts the embedded database in memory (on its worker thread) and calls the services directly, with
 * coordinators of two organisations:
 *
 * - FIXTURE: 50,000 households of 4 people each (200,000 people, every one with an IIN), half per organisation,
 *   sealed and hashed as the registry stores them, written with insertMany in batches; 40,000 of organisation A's
 *   and B's households are already enrolled in the round (their claims, 160,000, written as the enrolment writes
 *   them), so that the duplicate check runs against a full index;
 * - bulk enrolment: 10,000 further households of organisation B enrolled with `enrolHouseholds` (the service of
 *   `POST .../enrolments/bulk`: chunks of 500 per transaction, every person checked against every organisation);
 * - the duplicate check: p50/p95 of the check itself (claims read for a household's 4 keyed hashes + the verdict),
 *   and of a whole refused enrolment (`enrolHousehold` of a household already enrolled by the other organisation,
 *   which answers DUPLICATE_AID), 1,000 samples each;
 * - a distribution day: 2,000 enrolled households allocated in calls of 200 (reserving 2,000 food baskets), then
 *   handed over by 16 concurrent clerks (`handOver`: issue against the reservation, one transaction each); then the
 *   invariants: stock (ledger = balance, reserved = open reservations), every allocation handed over exactly once,
 *   nothing left reserved, on hand down by exactly 2,000.
 *
 *   npm run bench:households -- [--households 50000] [--enrol 10000] [--day 2000] [--clerks 16] [--quick]
 *
 * Exits 1 on an invariant violation, or (with --strict) when a target is missed.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import mongoose, { Types } from 'mongoose';
import { kzCheckDigit } from '../src/core/kz-identifiers';
import { connectMongoose, disconnectMongoose } from '../src/db/connection';
import { startEmbeddedServerThread } from '../src/embedded-db/thread';
import { type Actor, permissionsOf, SYSTEM_ACTOR } from '../src/modules/access/permissions';
import { createItem } from '../src/modules/catalog/catalog.service';
import { Allocation, HandOver } from '../src/modules/distributions/distributions.model';
import { allocate, createBatch, handOver } from '../src/modules/distributions/distributions.service';
import { Household, type HouseholdRecord } from '../src/modules/households/households.model';
import { iinHash } from '../src/modules/households/households.service';
import { Organisation } from '../src/modules/organisations/organisations.model';
import { claimsOnKeys, verdictFor } from '../src/modules/programmes/dedup';
import {
  AidClaim,
  type AidClaimRecord,
  Enrolment,
  type EnrolmentRecord,
} from '../src/modules/programmes/programmes.model';
import {
  createProgramme,
  enrolHousehold,
  enrolHouseholds,
  requireRound,
} from '../src/modules/programmes/programmes.service';
import { StockBalance } from '../src/modules/stock/stock.model';
import { findInvariantViolations } from '../src/modules/stock/stock.queries';
import { receive } from '../src/modules/stock/stock.service';
import { createWarehouse } from '../src/modules/warehouses/warehouses.service';
import { open, seal } from '../src/personal-data/personal-data';
import { formatRate, latencies, measure, percentile, printTable } from './bench/report';

const { values: flags } = parseArgs({
  options: {
    households: { type: 'string' },
    enrol: { type: 'string' },
    day: { type: 'string' },
    clerks: { type: 'string' },
    quick: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
  },
});

const quick = flags.quick ?? false;
const HOUSEHOLDS = Number(flags.households ?? (quick ? 5_000 : 50_000));
const ENROL = Number(flags.enrol ?? (quick ? 1_000 : 10_000));
const DAY = Number(flags.day ?? (quick ? 400 : 2_000));
const CLERKS = Number(flags.clerks ?? 16);
const PEOPLE_PER_HOUSEHOLD = 4;
const SAMPLES = quick ? 200 : 1_000;
const BATCH = 1_000;

function coordinatorOf(organisationId: Types.ObjectId, name: string): Actor {
  return {
    kind: 'user',
    id: new Types.ObjectId().toHexString(),
    name,
    organisationId: String(organisationId),
    roles: ['coordinator'],
    permissions: permissionsOf(['coordinator']),
  };
}

/** The n-th IIN of the fixture: a birth date from n, a serial, and its check digit (skipping numbers without one). */
function* iins(): Generator<{ iin: string; birthDate: Date }> {
  for (let day = 0; ; day++) {
    const birth = new Date(Date.UTC(1940, 0, 1) + day * 86_400_000);
    if (birth.getUTCFullYear() > 2023) throw new Error('ran out of birth dates');
    const yymmdd = birth.toISOString().slice(2, 10).replace(/-/g, '');
    const century = birth.getUTCFullYear() >= 2000 ? '5' : '3';
    for (let serial = 0; serial < 40; serial++) {
      const first11 = `${yymmdd}${century}${String(serial).padStart(4, '0')}`;
      const check = kzCheckDigit(first11);
      if (check !== null) yield { iin: `${first11}${check}`, birthDate: birth };
    }
  }
}

function fixtureHousehold(
  organisationId: Types.ObjectId,
  n: number,
  people: { iin: string; birthDate: Date }[],
): HouseholdRecord {
  const now = new Date();
  const [head, ...members] = people as [{ iin: string; birthDate: Date }, ...{ iin: string; birthDate: Date }[]];
  const hashes = people.map((p) => iinHash(p.iin));
  const actor = { kind: 'system', id: 'system', name: 'bench' };
  return {
    _id: new Types.ObjectId(),
    organisationId,
    number: `HH-BENCH-${String(n).padStart(6, '0')}`,
    kind: 'household',
    status: 'active',
    head: {
      name: `Head ${n}`,
      birthDate: head.birthDate,
      iin: seal(head.iin, 'iin'),
      iinHash: hashes[0] as string,
      phone: seal('+77010000000', 'phone'),
    },
    institution: null,
    members: members.map((m, i) => ({
      _id: new Types.ObjectId(),
      name: `Member ${n}.${i}`,
      relation: 'child',
      birthDate: m.birthDate,
      ageBand: null,
      iin: seal(m.iin, 'iin'),
      iinHash: hashes[i + 1] as string,
    })),
    size: people.length,
    address: { region: 'karaganda', settlement: `Settlement ${n % 40}`, line: null },
    vulnerabilities: ['displaced_by_disaster'],
    notes: null,
    legalBasis: { basis: 'vital_interest', purpose: 'bench', recordedOn: now, recordedBy: actor },
    retainUntil: new Date(now.getTime() + 3 * 365 * 86_400_000),
    iinHashes: hashes,
    personKeys: [],
    erasedAt: null,
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
  };
}

async function main(): Promise<void> {
  const database = await startEmbeddedServerThread({ port: 0 });
  await connectMongoose(database.uri, { backend: 'embedded', dbName: 'asar_bench_households' });
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  const violations: string[] = [];
  const rows: string[][] = [];
  try {
    const [orgA, orgB] = await Organisation.insertMany([
      { name: 'Love Kazakhstan', type: 'ngo', contact: {}, active: true },
      { name: 'Kamkor', type: 'ngo', contact: {}, active: true },
    ]);
    const a = coordinatorOf(orgA?._id as Types.ObjectId, 'Coordinator A');
    const b = coordinatorOf(orgB?._id as Types.ObjectId, 'Coordinator B');
    const basket = await createItem(
      {
        sku: 'FOOD-BASKET',
        name: { kk: 'Азық-түлік себеті', ru: 'Продуктовый набор', en: 'Food basket' },
        category: 'food',
        baseUnit: 'kit',
        packs: [],
      },
      SYSTEM_ACTOR,
    );
    const warehouse = await createWarehouse(
      {
        code: 'KRG-1',
        name: 'Karaganda central',
        region: 'karaganda',
        city: 'Karaganda',
        address: 'Bukhar-Zhyrau 1',
        locations: [],
      },
      SYSTEM_ACTOR,
    );
    await receive(
      {
        warehouseId: warehouse.id,
        source: { type: 'bench', id: null, number: null },
        lines: [{ itemId: basket.id, quantity: DAY + 100, condition: 'new' }],
      },
      SYSTEM_ACTOR,
    );
    const { id: programmeId, rounds } = await createProgramme(
      {
        name: 'Flood response 2024, Karaganda region',
        participatingOrganisationIds: [String(orgB?._id)],
        rounds: [
          {
            name: 'Round 1',
            startsOn: new Date('2024-05-01'),
            endsOn: new Date('2024-06-30'),
            entitlements: [{ itemId: basket.id, category: 'food', basis: 'household', quantity: 1 }],
          },
        ],
      },
      a,
    );
    const roundId = rounds[0]?.id as string;
    const { programme, round } = await requireRound(programmeId, roundId, a);

    // Fixture: the registry, and the enrolments already in the round.
    const started = performance.now();
    const source = iins();
    const preEnrolled = HOUSEHOLDS - ENROL;
    const toEnrolB: string[] = [];
    const enrolledHouseholds: HouseholdRecord[] = [];
    for (let start = 0; start < HOUSEHOLDS; start += BATCH) {
      const batch: HouseholdRecord[] = [];
      for (let n = start; n < Math.min(HOUSEHOLDS, start + BATCH); n++) {
        const people = Array.from(
          { length: PEOPLE_PER_HOUSEHOLD },
          () => source.next().value as { iin: string; birthDate: Date },
        );
        // The last ENROL households, all registered with organisation B, are what the bulk enrolment measures.
        const owner = n >= preEnrolled || n % 2 === 1 ? orgB : orgA;
        batch.push(fixtureHousehold(owner?._id as Types.ObjectId, n, people));
      }
      await Household.insertMany(batch, { lean: true });
      const enrolments: EnrolmentRecord[] = [];
      const claims: AidClaimRecord[] = [];
      for (const [i, household] of batch.entries()) {
        if (start + i >= preEnrolled) {
          toEnrolB.push(String(household._id));
          continue;
        }
        const enrolment: EnrolmentRecord = {
          _id: new Types.ObjectId(),
          organisationId: household.organisationId,
          programmeId: programme._id,
          roundId: round._id,
          householdId: household._id,
          status: 'enrolled',
          outcome: 'unique',
          possibleMatches: [],
          override: null,
          size: household.size,
          region: household.address.region,
          enrolledAt: new Date(),
          enrolledBy: { kind: 'system', id: 'system', name: 'bench' },
          withdrawnAt: null,
          createdAt: new Date(),
          updatedAt: new Date(),
        };
        enrolments.push(enrolment);
        enrolledHouseholds.push(household);
        for (const hash of household.iinHashes) {
          claims.push({
            _id: new Types.ObjectId(),
            roundId: round._id,
            programmeId: programme._id,
            keyType: 'iin',
            hash,
            organisationId: household.organisationId,
            enrolmentId: enrolment._id,
            overrideOf: null,
            active: true,
            at: enrolment.enrolledAt,
          });
        }
      }
      if (enrolments.length) {
        await Enrolment.insertMany(enrolments, { lean: true });
        await AidClaim.insertMany(claims, { lean: true });
      }
    }
    const fixtureSeconds = (performance.now() - started) / 1000;
    console.log(
      `fixture: ${HOUSEHOLDS.toLocaleString('en-US')} households, ${(HOUSEHOLDS * PEOPLE_PER_HOUSEHOLD).toLocaleString('en-US')} people, ${(preEnrolled * PEOPLE_PER_HOUSEHOLD).toLocaleString('en-US')} claims in ${fixtureSeconds.toFixed(1)} s`,
    );

    // Bulk enrolment.
    const enrolStarted = performance.now();
    const enrolled = await enrolHouseholds(programmeId, roundId, { householdIds: toEnrolB }, b);
    const enrolSeconds = (performance.now() - enrolStarted) / 1000;
    if (enrolled.enrolled.length !== toEnrolB.length)
      violations.push(`bulk enrolment enrolled ${enrolled.enrolled.length} of ${toEnrolB.length}`);
    rows.push([
      `bulk enrolment of ${ENROL.toLocaleString('en-US')} households (${ENROL * PEOPLE_PER_HOUSEHOLD} people checked)`,
      `${enrolSeconds.toFixed(1)} s`,
      '< 60 s',
      enrolSeconds < 60 ? 'met' : 'MISSED',
    ]);

    // The duplicate check, alone and as a refused enrolment.
    let sample = 0;
    const check = await latencies(SAMPLES, async () => {
      const household = enrolledHouseholds[(sample++ * 7919) % enrolledHouseholds.length] as HouseholdRecord;
      const claims = await claimsOnKeys(round._id, household);
      const verdict = verdictFor(household, claims, { programme, round });
      if (verdict.outcome !== 'unique') return;
      violations.push(`an enrolled household was not found by the duplicate check`);
    });
    rows.push([
      'duplicate check (claims read + verdict), p50 / p95',
      `${percentile(check, 50).toFixed(2)} / ${percentile(check, 95).toFixed(2)} ms`,
      'p95 < 20 ms',
      percentile(check, 95) < 20 ? 'met' : 'MISSED',
    ]);

    // A duplicate registered with B of a household A enrolled: B's enrolment is refused.
    const duplicates: string[] = [];
    for (const household of enrolledHouseholds
      .filter((h) => h.organisationId.equals(orgA?._id as Types.ObjectId))
      .slice(0, SAMPLES)) {
      const copy = {
        ...household,
        _id: new Types.ObjectId(),
        organisationId: orgB?._id as Types.ObjectId,
        number: `${household.number}-B`,
      };
      duplicates.push(String(copy._id));
      await Household.insertMany([copy], { lean: true });
    }
    let next = 0;
    const refused = await latencies(duplicates.length, async () => {
      try {
        await enrolHousehold(programmeId, roundId, duplicates[next++] as string, b);
        violations.push('a duplicate enrolment was accepted');
      } catch (error) {
        if ((error as { code?: string }).code !== 'DUPLICATE_AID') throw error;
      }
    });
    rows.push([
      'refused enrolment (409 DUPLICATE_AID), p50 / p95',
      `${percentile(refused, 50).toFixed(2)} / ${percentile(refused, 95).toFixed(2)} ms`,
      '',
      '',
    ]);

    // A distribution day.
    const dayHouseholds = toEnrolB.slice(0, DAY);
    const batch = await createBatch(
      {
        programmeId,
        roundId,
        warehouseId: warehouse.id,
        site: { name: 'Karaganda school No. 5', region: 'karaganda', settlement: 'Karaganda' },
        plannedOn: new Date(),
      },
      b,
    );
    const allocateStarted = performance.now();
    for (let start = 0; start < dayHouseholds.length; start += 200) {
      const result = await allocate(batch.id, { householdIds: dayHouseholds.slice(start, start + 200) }, b);
      if (result.failed.length)
        violations.push(`allocation refused ${result.failed.length}: ${result.failed[0]?.message}`);
    }
    const allocateSeconds = (performance.now() - allocateStarted) / 1000;
    rows.push([
      `allocation of ${DAY.toLocaleString('en-US')} households (calls of 200, reserving)`,
      `${formatRate(DAY / allocateSeconds)} households/s`,
      '',
      '',
    ]);
    const allocations = await Allocation.find(
      { batchId: new Types.ObjectId(batch.id) },
      { _id: 1, householdId: 1 },
    ).lean();
    const heads = new Map(
      (await Household.find({ _id: { $in: allocations.map((x) => x.householdId) } }).lean<HouseholdRecord[]>()).map(
        (h) => [String(h._id), h.head?.iin as string],
      ),
    );
    const day = await measure(allocations.length, CLERKS, async (index) => {
      const allocation = allocations[index] as { _id: Types.ObjectId; householdId: Types.ObjectId };
      await handOver(
        String(allocation._id),
        {
          outcome: 'all',
          receivedBy: { kind: 'head', iin: open(heads.get(String(allocation.householdId)) as string, 'iin') },
          proof: { kind: 'paper', sheet: `S-${index % 50}` },
        },
        b,
      );
    });
    rows.push([
      `distribution day: ${DAY.toLocaleString('en-US')} hand-overs, ${CLERKS} concurrent clerks`,
      `${formatRate(day.perSecond)} hand-overs/s`,
      '',
      '',
    ]);

    // Invariants.
    const stock = await findInvariantViolations();
    for (const v of stock) violations.push(`stock: ${JSON.stringify(v)}`);
    const handedOver = await HandOver.countDocuments({ batchId: new Types.ObjectId(batch.id) });
    const perAllocation = await HandOver.aggregate([
      { $group: { _id: '$allocationId', n: { $sum: 1 } } },
      { $match: { n: { $gt: 1 } } },
    ]);
    if (handedOver !== DAY) violations.push(`hand-overs ${handedOver}, expected ${DAY}`);
    if (perAllocation.length) violations.push(`${perAllocation.length} allocations handed over more than once`);
    const balance = await StockBalance.findOne({ itemId: new Types.ObjectId(basket.id) }).lean();
    if (balance?.onHand !== 100 || (balance?.reserved ?? 0) !== 0)
      violations.push(
        `balance ${JSON.stringify({ onHand: balance?.onHand, reserved: balance?.reserved })}, expected 100 on hand, 0 reserved`,
      );
    const twice = await Enrolment.aggregate([
      { $match: { roundId: round._id, status: 'enrolled' } },
      { $group: { _id: '$householdId', n: { $sum: 1 } } },
      { $match: { n: { $gt: 1 } } },
    ]);
    if (twice.length) violations.push(`${twice.length} households enrolled twice`);
    rows.push([
      'invariant violations (stock, reservations, served twice, enrolled twice)',
      String(violations.length),
      '0',
      violations.length === 0 ? 'met' : 'MISSED',
    ]);

    printTable(
      `bench:households (${HOUSEHOLDS.toLocaleString('en-US')} households, ${(HOUSEHOLDS * PEOPLE_PER_HOUSEHOLD).toLocaleString('en-US')} people)`,
      ['measure', 'result', 'target', ''],
      rows,
    );
    for (const v of violations.slice(0, 20)) console.log(`violation: ${v}`);
    if (violations.length || (flags.strict && rows.some((r) => r[3] === 'MISSED'))) process.exitCode = 1;
  } finally {
    await disconnectMongoose();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

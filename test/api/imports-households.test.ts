/**
 * Households (with members) from CSV, through the import machinery: the dry run reports each bad row by row and
 * column as the API's registration would refuse it, without quoting an IIN; a family cannot be imported twice (in
 * one file or over one already registered); IINs, phones and addresses are stored sealed, matched by keyed hashes,
 * and the uploaded file itself is kept sealed; a resumed import registers no one twice.
 */
import { Types } from 'mongoose';
import { organisationActor } from '../../src/modules/access/permissions';
import { Household } from '../../src/modules/households/households.model';
import { registerHousehold } from '../../src/modules/households/households.service';
import { Import, ImportChunk } from '../../src/modules/imports/imports.model';
import { setupTestApp } from '../support/app';
import { givenHouseholds, householdInput } from '../support/given-households';
import { bearer, given } from '../support/given-identity';

const t = setupTestApp();

const BOM = '\uFEFF';
const HEADER =
  'Head name;Head birth date;Head IIN;Phone;Region;Settlement;Address;Vulnerabilities;Members;Legal basis;Purpose;Notes';

function upload(headers: Record<string, string>, csv: string) {
  return t.api
    .post('/api/v1/imports/households?filename=families.csv')
    .set(headers)
    .set('Content-Type', 'text/csv')
    .send(Buffer.from(csv, 'utf8'));
}

async function untilFinished(headers: Record<string, string>, id: string) {
  for (let i = 0; i < 200; i += 1) {
    const res = await t.api.get(`/api/v1/imports/${id}`).set(headers);
    if (['done', 'failed'].includes(res.body.status)) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the import did not finish');
}

async function coordinatorOf() {
  const org = await given.organisation({ name: 'Zhanuya Kamkory', type: 'ngo' });
  const headers = bearer((await given.user({ role: 'coordinator', organisationId: org.id })).token);
  return { org, headers };
}

/** A row as Excel in Kazakhstan saves it: semicolons, dates as DD.MM.YYYY, members in one cell. */
function row(head: { name: string; iin: string; born?: string }, extra: Partial<Record<string, string>> = {}) {
  return [
    head.name,
    head.born ?? '12.04.1985',
    head.iin,
    extra.phone ?? '+7 701 123 45 67',
    extra.region ?? 'almaty_region',
    extra.settlement ?? 'Талғар',
    extra.address ?? 'Абай көшесі 12',
    extra.vulnerabilities ?? 'single_parent, low_income',
    // Excel quotes a cell holding the separator.
    extra.members ? `"${extra.members}"` : '',
    extra.basis ?? 'vital_interest',
    'Flood response 2024',
    '',
  ].join(';');
}

describe('households from CSV', () => {
  test('when a households file has bad rows, then the dry run names their row and column without quoting an IIN, and all-or-nothing registers no one', async () => {
    const { org, headers } = await coordinatorOf();
    const actor = organisationActor(org.id);
    const registered = givenHouseholds.iin();
    await registerHousehold(
      householdInput({ head: { name: 'Бар', birthDate: new Date('1985-04-12'), iin: registered } }),
      actor,
    );
    const repeated = givenHouseholds.iin('1988-02-03', 'f');
    const csv = [
      `${BOM}${HEADER}`,
      row(
        { name: 'Әбенова Гүлнар', iin: givenHouseholds.iin() },
        { members: `Әсел|spouse|03.02.1988|${repeated}; Нұрлан|child|01.09.2015|` },
      ),
      row({ name: 'Сейітов Ерлан', iin: '850412300000' }), // a bad check digit
      row({ name: 'Омаров Дәулет', iin: givenHouseholds.iin() }, { region: 'atlantis' }),
      row({ name: 'Нұрланова Айгерім', iin: givenHouseholds.iin() }, { members: `Әсел|spouse|03.02.1988|${repeated}` }),
      row({ name: 'Бар екінші рет', iin: registered }),
      row({ name: 'Жақсылықова Мөлдір', iin: givenHouseholds.iin() }, { members: 'Алма|cousin||' }),
      row({ name: 'Тұрсынов Арман', iin: givenHouseholds.iin() }, { vulnerabilities: 'dragons' }),
    ].join('\r\n');
    const res = await upload(headers, csv);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'validated', delimiter: ';', total: 7, valid: 1, errorCount: 6 });
    expect(res.body.errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([
      [3, 'head_iin'],
      [4, 'region'],
      [5, 'head_iin'],
      [6, 'head_iin'],
      [7, 'members'],
      [8, 'vulnerabilities'],
    ]);
    expect(res.body.errors[2].message).toBe('A person of this household is in an earlier row too');
    expect(res.body.errors[3].message).toMatch(/already registered \(household HH-[\d-]+\)/);
    const answer = JSON.stringify(res.body);
    for (const iin of ['850412300000', repeated, registered]) expect(answer).not.toContain(iin);

    const start = await t.api
      .post(`/api/v1/imports/${res.body.id}/start`)
      .set(headers)
      .send({ mode: 'all_or_nothing' });
    expect(start.status).toBe(422);
    expect(await Household.countDocuments({ organisationId: new Types.ObjectId(org.id) })).toBe(1);

    const clerk = bearer((await given.user({ role: 'warehouse', organisationId: org.id })).token);
    const refused = await upload(clerk, csv);
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toMatchObject({ permission: 'households:write' });
  });

  test('when the valid rows are imported in the background, then each family is registered with its members, its IINs sealed and hashed, and the stored file is sealed', async () => {
    const { org, headers } = await coordinatorOf();
    const heads = [givenHouseholds.iin(), givenHouseholds.iin(), givenHouseholds.iin()];
    const spouse = givenHouseholds.iin('1988-02-03', 'f');
    const csv = [
      `${BOM}${HEADER}`,
      row(
        { name: 'Әбенова Гүлнар', iin: heads[0] as string },
        { members: `Әсел|spouse|1988-02-03|${spouse}; Нұрлан|child|01.09.2015|` },
      ),
      row({ name: 'Сейітов Ерлан', iin: heads[1] as string }, { region: 'Astana', vulnerabilities: '' }),
      row({ name: 'Омаров Дәулет', iin: heads[2] as string }, { region: 'atlantis' }),
    ].join('\r\n');
    const { body } = await upload(headers, csv);
    expect(body).toMatchObject({ total: 3, valid: 2, errorCount: 1 });
    const chunks = await ImportChunk.find({ importId: new Types.ObjectId(body.id) }).lean();
    const stored = chunks.map((c) => Buffer.from(c.data.buffer ?? c.data).toString('utf8')).join('');
    for (const clear of [heads[0], spouse, 'Әбенова', '+7 701 123 45 67']) expect(stored).not.toContain(clear);

    const start = await t.api.post(`/api/v1/imports/${body.id}/start`).set(headers).send({ mode: 'valid_only' });
    expect(start.status).toBe(202);
    expect(await untilFinished(headers, body.id)).toMatchObject({
      status: 'done',
      progress: { rowsDone: 3, total: 3, written: 2 },
    });
    const families = await Household.find({ organisationId: new Types.ObjectId(org.id) })
      .sort({ number: 1 })
      .lean();
    expect(families.map((f) => [f.head?.name, f.size, f.address.region, f.vulnerabilities])).toEqual([
      ['Әбенова Гүлнар', 3, 'almaty_region', ['single_parent', 'low_income']],
      ['Сейітов Ерлан', 1, 'astana', []],
    ]);
    const [first] = families;
    expect(first?.members.map((m) => [m.name, m.relation, m.birthDate?.toISOString().slice(0, 10)])).toEqual([
      ['Әсел', 'spouse', '1988-02-03'],
      ['Нұрлан', 'child', '2015-09-01'],
    ]);
    const raw = JSON.stringify(families);
    for (const clear of [...heads.slice(0, 2), spouse, '7011234567', 'Абай көшесі']) expect(raw).not.toContain(clear);
    expect(first?.iinHashes).toHaveLength(2);

    // The API finds the imported family by IIN, as a typed one (through the keyed hash).
    const found = await t.api.get(`/api/v1/households?iin=${spouse}`).set(headers);
    expect(found.body.data.map((h: { id: string }) => h.id)).toEqual([String(first?._id)]);
    // Once done, the file is gone.
    expect(await ImportChunk.countDocuments({ importId: new Types.ObjectId(body.id) })).toBe(0);
  });

  test('when a households import stopped after a batch was committed, then resuming registers every family once', async () => {
    const { org, headers } = await coordinatorOf();
    const heads = [givenHouseholds.iin(), givenHouseholds.iin(), givenHouseholds.iin()];
    const csv = [HEADER, ...heads.map((iin, i) => row({ name: `Отбасы ${i}`, iin }))].join('\n');
    const { body } = await upload(headers, csv);
    expect(body).toMatchObject({ total: 3, valid: 3 });
    // What a crash after the first committed batch leaves: its family registered, its progress saved with it.
    await registerHousehold(
      householdInput({
        head: { name: 'Отбасы 0', birthDate: new Date('1985-04-12'), iin: heads[0] as string },
        members: [],
      }),
      organisationActor(org.id),
    );
    await Import.updateOne(
      { _id: new Types.ObjectId(body.id) },
      {
        $set: {
          status: 'running',
          mode: 'all_or_nothing',
          rowsDone: 1,
          written: 1,
          holder: 'dead',
          leaseUntil: new Date(0),
        },
      },
    );
    const run = await t.api
      .post('/api/v1/jobs/imports-resume/run')
      .set(bearer((await given.user({ role: 'operator' })).token));
    expect(run.body).toMatchObject({ status: 'succeeded', result: { resumed: 1 } });
    expect(await untilFinished(headers, body.id)).toMatchObject({
      status: 'done',
      progress: { rowsDone: 3, written: 3 },
    });
    const names = (await Household.find({ organisationId: new Types.ObjectId(org.id) }).lean()).map(
      (h) => h.head?.name,
    );
    expect(names.sort()).toEqual(['Отбасы 0', 'Отбасы 1', 'Отбасы 2']);
  });

  test('when a coordinator exports the households, then the CSV has the columns of the import with IINs, phones and addresses masked, and the export is audited', async () => {
    const { org, headers } = await coordinatorOf();
    const head = givenHouseholds.iin();
    const spouse = givenHouseholds.iin('1988-02-03', 'f');
    const csv = [
      HEADER,
      row({ name: 'Әбенова Гүлнар', iin: head }, { members: `Әсел|spouse|1988-02-03|${spouse}; Нұрлан|child|5-17|` }),
    ].join('\n');
    const { body } = await upload(headers, csv);
    await t.api.post(`/api/v1/imports/${body.id}/start`).set(headers).send({ mode: 'all_or_nothing' });
    expect(await untilFinished(headers, body.id)).toMatchObject({ status: 'done' });

    const res = await t.api
      .get('/api/v1/exports/households?delimiter=;')
      .set(headers)
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks).toString('utf8')));
      });
    expect(res.status).toBe(200);
    const text = res.body as string;
    const [header, line] = text.replace(BOM, '').trimEnd().split(/\r?\n/);
    expect(text.startsWith(BOM)).toBe(true);
    expect(header?.split(';').slice(0, 6)).toEqual([
      'number',
      'kind',
      'status',
      'head_name',
      'head_birth_date',
      'head_iin',
    ]);
    const cells = line?.split(';') ?? [];
    expect(cells.slice(1, 6)).toEqual([
      'household',
      'active',
      'Әбенова Гүлнар',
      '1985-04-12',
      `******${head.slice(-4)}`,
    ]);
    expect(line).toContain(`Әсел|spouse|1988-02-03|******${spouse.slice(-4)}`);
    expect(line).toContain('Нұрлан|child|5-17|');
    for (const clear of [head, spouse, '7011234567', '+7 701 123 45 67', 'Абай көшесі'])
      expect(text).not.toContain(clear);
    const audited = await t.api
      .get('/api/v1/audit?action=household.export')
      .set(bearer((await given.user({ role: 'admin', organisationId: org.id })).token));
    expect(audited.status).toBe(200);
    expect(audited.body.data).toHaveLength(1);

    const clerk = bearer((await given.user({ role: 'warehouse', organisationId: org.id })).token);
    const refused = await t.api.get('/api/v1/exports/households').set(clerk);
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toMatchObject({ permission: 'households:read' });
  });
});

/**
 * Golden flows of families, in a real browser against the real server. A capital-city headquarters runs a winter
 * programme with two member NGOs. The partner NGO's coordinator registers a family on a phone (the IIN checked as
 * it is typed, masked once saved) and enrols it: the family is already enrolled by the other NGO, and the refusal
 * says so. Then a distribution day at a school gym: a family found by name gets its food basket with a signature
 * drawn on the screen and the receipt prints; the connection drops before the next hand-over, which waits on the
 * tablet and is recorded once when the connection returns.
 */

import { Types } from 'mongoose';
import type { Page } from 'playwright-core';
import { Allocation, HandOver, Signature } from '../../../src/modules/distributions/distributions.model';
import { Household } from '../../../src/modules/households/households.model';
import { Organisation } from '../../../src/modules/organisations/organisations.model';
import { Enrolment } from '../../../src/modules/programmes/programmes.model';
import { readPdfText } from '../../documents/read-pdf';
import { given } from '../../support/given-identity';
import { givenInventory } from '../../support/given-inventory';
import { type ApiClient, signInApi } from './api-client';
import { DEMO_PASSWORD, FLOW_TIMEOUT, PHONE, setupBrowserWorld, signIn } from './harness';

const world = setupBrowserWorld();
const PARTNER_NGO_BIN = '091240005670';

/** A valid IIN for a birth date (YYMMDD) and the century-and-sex digit: the check digit as the server computes it. */
function iinFor(first11: string): string {
  const digits = [...first11].map(Number);
  const weighted = (weights: number[]) => digits.reduce((sum, d, i) => sum + d * weights[i], 0) % 11;
  let check = weighted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  if (check === 10) check = weighted([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
  if (check === 10) throw new Error(`no check digit for ${first11}`);
  return `${first11}${check}`;
}

function familyBody(name: string, iin: string, birthDate: string) {
  return {
    head: { name, birthDate, iin, phone: null },
    members: [{ name: null, relation: 'child', ageBand: '5-17' }],
    address: { region: 'astana', settlement: 'Астана' },
    vulnerabilities: ['single_parent'],
    legalBasis: { basis: 'consent', purpose: 'Winter food baskets 2026' },
  };
}

async function pick(page: Page, testId: string, option: RegExp | string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option }).first().click();
}

/** Draws a signature stroke across the canvas with the mouse (a finger's path on a touch screen). */
async function sign(page: Page): Promise<void> {
  const canvas = page.getByTestId('signature');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box) throw new Error('no signature canvas');
  await page.mouse.move(box.x + 20, box.y + box.height * 0.7);
  await page.mouse.down();
  for (let step = 1; step <= 12; step += 1) {
    await page.mouse.move(box.x + 20 + step * (box.width / 16), box.y + box.height * (step % 2 ? 0.3 : 0.7), {
      steps: 3,
    });
  }
  await page.mouse.up();
}

interface World {
  programmeId: string;
  roundId: string;
  batchId: string;
  duplicateIin: string;
  ngo: ApiClient;
}

/**
 * The headquarters, its two member NGOs, the programme with its December round, the other NGO's enrolment of the
 * family, and a distribution day at the partner NGO's warehouse with two families allocated.
 */
async function arrange(): Promise<World> {
  const partner = await Organisation.findOne({ bin: PARTNER_NGO_BIN }).lean();
  if (!partner) throw new Error('the seed has no partner NGO');
  const hq = await given.organisation({ name: 'Astana volunteer headquarters', type: 'hub' });
  const other = await given.organisation({ name: 'Love Kazakhstan' });
  const operator = await signInApi(world.baseUrl, 'operator@asar.demo', DEMO_PASSWORD);
  for (const member of [String(partner._id), other.id]) {
    await operator.call('POST', `/organisations/${hq.id}/members`, { organisationId: member, from: '2026-01-01' });
  }
  const hqUser = await given.user({ role: 'coordinator', organisationId: hq.id, password: DEMO_PASSWORD });
  const otherUser = await given.user({ role: 'coordinator', organisationId: other.id, password: DEMO_PASSWORD });
  const hqApi = await signInApi(world.baseUrl, hqUser.user.email, DEMO_PASSWORD);
  const otherApi = await signInApi(world.baseUrl, otherUser.user.email, DEMO_PASSWORD);
  const ngo = await signInApi(world.baseUrl, 'coordinator@asar.demo', DEMO_PASSWORD);

  const warehouse = await givenInventory.warehouse({ code: 'GYM-01' }, { organisationId: String(partner._id) });
  const { item } = await givenInventory.stockOf({
    warehouse,
    quantity: 20,
    itemOverrides: {
      name: { kk: 'Азық-түлік себеті', ru: 'Продуктовая корзина', en: 'Food basket' },
      category: 'food',
      packs: [],
    },
  });
  const programme = await hqApi.call<{ id: string; rounds: { id: string }[] }>('POST', '/programmes', {
    name: 'Astana winter 2026',
    participatingOrganisationIds: [String(partner._id), other.id],
    rounds: [
      {
        name: 'December',
        startsOn: '2026-12-01',
        endsOn: '2026-12-31',
        entitlements: [{ itemId: item.id, category: 'food', basis: 'household', quantity: 1 }],
      },
    ],
  });
  const roundId = programme.rounds[0].id;
  const enrol = (client: ApiClient, householdId: string) =>
    client.call('POST', `/programmes/${programme.id}/rounds/${roundId}/enrolments`, { householdId });

  // The family Love Kazakhstan enrolled first.
  const duplicateIin = iinFor('88030240123');
  const theirs = await otherApi.call<{ id: string }>(
    'POST',
    '/households',
    familyBody('Сейітова Гүлнар', duplicateIin, '1988-03-02'),
  );
  await enrol(otherApi, theirs.id);

  // The partner NGO's own families for the distribution day.
  const families = [];
  for (const [name, first11, born] of [
    ['Нұрланова Әсел Қуанышқызы', '90050140234', '1990-05-01'],
    ['Ким Асель', '92111540345', '1992-11-15'],
  ] as const) {
    const household = await ngo.call<{ id: string }>('POST', '/households', familyBody(name, iinFor(first11), born));
    await enrol(ngo, household.id);
    families.push(household.id);
  }
  const batch = await ngo.call<{ id: string }>('POST', '/distribution-batches', {
    programmeId: programme.id,
    roundId,
    warehouseId: warehouse.id,
    site: { name: 'School No. 54 gym', region: 'astana', settlement: 'Астана' },
    plannedOn: '2026-12-15',
  });
  await ngo.call('POST', `/distribution-batches/${batch.id}/allocations`, { householdIds: families });
  return { programmeId: programme.id, roundId, batchId: batch.id, duplicateIin, ngo };
}

let arranged: World;
beforeAll(async () => {
  arranged = await arrange();
}, 120_000);

test(
  'when a family already enrolled by another NGO is registered and enrolled on a phone, then the IIN is checked as typed, masked once saved, and the enrolment refused',
  async () => {
    const context = await world.newContext(PHONE, 'kk');
    const page = await context.newPage();
    await signIn(page, 'coordinator@asar.demo');
    await page.goto('/households/new');
    await page.getByTestId('head-name').fill('Сейітова Гүлнар');
    // A mistyped last digit: the check digit does not match, said before anything is sent.
    const wrong = `${arranged.duplicateIin.slice(0, 11)}${(Number(arranged.duplicateIin[11]) + 1) % 10}`;
    await page.getByTestId('head-iin').fill(wrong);
    await page.getByText('Бақылау цифры сәйкес емес').waitFor();
    await page.getByTestId('head-iin').fill(arranged.duplicateIin);
    expect(await page.getByText('Бақылау цифры сәйкес емес').count()).toBe(0);
    // The birth date was read from the IIN.
    expect(await page.getByTestId('head-birth-date').inputValue()).toBe('02.03.1988');
    await pick(page, 'region', 'Астана');
    await page.getByTestId('settlement').fill('Астана');
    await page.getByTestId('purpose').fill('Қысқы азық-түлік себеттері');
    await world.screenshot(page, 'kk-phone-household-register-typed');
    await page.getByTestId('submit-household').click();

    const masked = page.getByTestId('household-iin');
    await masked.waitFor();
    expect(await masked.innerText()).not.toContain(arranged.duplicateIin.slice(0, 8));
    expect(await masked.innerText()).toContain(arranged.duplicateIin.slice(-4));

    await pick(page, 'programme', 'Astana winter 2026');
    await pick(page, 'round', 'December');
    await page.getByTestId('enrol').click();
    const refused = page.getByTestId('duplicate-refused');
    await refused.waitFor();
    expect(await refused.innerText()).toContain('December');
    await world.screenshot(page, 'kk-phone-household-duplicate');
    const householdId = new URL(page.url()).pathname.split('/').pop();
    expect(await Household.exists({ _id: householdId })).not.toBeNull();
    expect(await Enrolment.countDocuments({ householdId: new Types.ObjectId(householdId) })).toBe(0);
    expect(await Enrolment.countDocuments({ roundId: new Types.ObjectId(arranged.roundId) })).toBe(3);
  },
  FLOW_TIMEOUT,
);

test(
  'when a family found by name signs on the tablet, then the hand-over is recorded with its signature and the receipt prints; offline, the next one waits and is sent once',
  async () => {
    const context = await world.newContext(PHONE, 'ru');
    const page = await context.newPage();
    await signIn(page, 'coordinator@asar.demo');
    await page.goto(`/distributions/${arranged.batchId}`);
    await page.getByTestId('due-row').nth(1).waitFor();
    // Typed on a Russian keyboard: "Асел" finds "Әсел".
    await page.getByTestId('day-search').fill('асел нурланова');
    await page.getByTestId('due-row').filter({ hasText: 'Нұрланова' }).getByTestId('hand-over').click();
    await page.getByTestId('receiver-iin').fill(iinFor('90050140234'));
    await page.getByTestId('record-hand-over').click();
    // No signature yet: said next to the pad.
    await page.getByText('Получатель расписывается').waitFor();
    await sign(page);
    await world.screenshot(page, 'ru-phone-hand-over');
    await page.getByTestId('record-hand-over').click();
    await page.getByTestId('handed-over').waitFor();

    const receipt = new Promise<Buffer>((resolve) => {
      void page.route('**/receipt.pdf*', async (route) => {
        const answer = await route.fetch();
        const body = await answer.body();
        await route.fulfill({ response: answer, body });
        resolve(body);
      });
    });
    await page.getByTestId('print-hand-over').click();
    const text = (await readPdfText(await receipt)).pages.join('\n');
    expect(text).toContain('Нұрланова');

    const first = await HandOver.findOne({}).sort({ handedOverAt: -1 }).lean();
    expect(first?.proof).toMatchObject({ kind: 'image' });
    expect(await Signature.countDocuments({ handOverId: first?._id })).toBe(1);

    // The gym's wifi drops: the next family's hand-over waits on the tablet.
    await page.keyboard.press('Escape');
    await page.getByTestId('day-search').fill('');
    await context.setOffline(true);
    await page.getByTestId('due-row').filter({ hasText: 'Ким Асель' }).getByTestId('hand-over').click();
    await page.getByTestId('receiver-iin').fill(iinFor('92111540345'));
    await sign(page);
    await page.getByTestId('record-hand-over').click();
    await page.getByTestId('day-message').filter({ hasText: 'Нет связи' }).waitFor();
    await page.getByTestId('queue-badge').filter({ hasText: 'Ожидают: 1' }).waitFor();
    expect(await HandOver.countDocuments({})).toBe(1);

    const sent = page.waitForResponse((r) => r.url().includes('/hand-over') && r.request().method() === 'POST');
    await context.setOffline(false);
    expect((await sent).status()).toBe(201);
    await page.getByTestId('queue-badge').waitFor({ state: 'detached' });
    expect(await HandOver.countDocuments({})).toBe(2);
    expect(await Allocation.countDocuments({ status: 'handed_over' })).toBe(2);
  },
  2 * FLOW_TIMEOUT,
);

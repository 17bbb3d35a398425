/**
 * Golden flows of families, in a real browser against the real server. A capital-city headquarters runs a winter
 * programme with two member NGOs. The partner NGO's coordinator registers a family on a phone (the IIN checked as
 * it is typed, masked once saved) and enrols it: the family is already enrolled by the other NGO, and the refusal
 * says so. Then a distribution day at a school gym: a family found by name gets its food basket with a signature
 * drawn on the screen and the receipt prints; the connection drops before the next hand-over, which waits on the
 * tablet and is recorded once when the connection returns.
 */

import { Types } from 'mongoose';
import { Allocation, HandOver, Signature } from '../../../src/modules/distributions/distributions.model';
import { Household } from '../../../src/modules/households/households.model';
import { Enrolment } from '../../../src/modules/programmes/programmes.model';
import { readPdfText } from '../../documents/read-pdf';
import type { ApiClient } from './api-client';
import { familyBody, iinFor, pick, sign, winterProgramme } from './flows';
import { FLOW_TIMEOUT, PHONE, setupBrowserWorld, signIn } from './harness';

const world = setupBrowserWorld();

interface World {
  programmeId: string;
  roundId: string;
  batchId: string;
  duplicateIin: string;
  ngo: ApiClient;
}

/**
 * The winter programme (flows.ts) and a distribution day at the partner NGO's warehouse with two of its families
 * allocated.
 */
async function arrange(): Promise<World> {
  const winter = await winterProgramme(world.baseUrl, 'GYM-01');
  const { ngo } = winter;
  const families = [];
  for (const [name, first11, born] of [
    ['Нұрланова Әсел Қуанышқызы', '90050140234', '1990-05-01'],
    ['Ким Асель', '92111540345', '1992-11-15'],
  ] as const) {
    const household = await ngo.call<{ id: string }>('POST', '/households', familyBody(name, iinFor(first11), born));
    await winter.enrol(ngo, household.id);
    families.push(household.id);
  }
  const batch = await ngo.call<{ id: string }>('POST', '/distribution-batches', {
    programmeId: winter.programmeId,
    roundId: winter.roundId,
    warehouseId: winter.warehouseId,
    site: { name: 'School No. 54 gym', region: 'astana', settlement: 'Астана' },
    plannedOn: '2026-12-15',
  });
  await ngo.call('POST', `/distribution-batches/${batch.id}/allocations`, { householdIds: families });
  return {
    programmeId: winter.programmeId,
    roundId: winter.roundId,
    batchId: batch.id,
    duplicateIin: winter.duplicateIin,
    ngo,
  };
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

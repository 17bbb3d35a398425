/**
 * Distribution days in a real browser against the real server: a coordinator plans today's day at a culture house
 * through the form (every household enrolled in the round is allocated), finds it in today's list, and records a
 * family that takes only part of its goods, with a signature; a family another NGO enrolled first is refused, a
 * coordinator is told that a supervisor may decide, and the supervisor enrols it anyway with a reason.
 */
import { Types } from 'mongoose';
import { AuditEntry } from '../../../src/modules/audit/audit.model';
import { Allocation, DistributionBatch, HandOver } from '../../../src/modules/distributions/distributions.model';
import { Enrolment } from '../../../src/modules/programmes/programmes.model';
import { familyBody, iinFor, pick, sign, type WinterProgramme, winterProgramme } from './flows';
import { FLOW_TIMEOUT, LAPTOP, PHONE, setupBrowserWorld, signIn } from './harness';

const world = setupBrowserWorld();

/** The two families of the partner NGO enrolled in the round, and the one Love Kazakhstan enrolled first. */
let winter: WinterProgramme;
let duplicateId: string;
const FAMILIES = [
  ['Жұмабаева Айгүл', '85070340456', '1985-07-03'],
  ['Петров Сергей', '79021130567', '1979-02-11'],
] as const;

beforeAll(async () => {
  winter = await winterProgramme(world.baseUrl, 'HALL-01', 2);
  for (const [name, first11, born] of FAMILIES) {
    const household = await winter.ngo.call<{ id: string }>(
      'POST',
      '/households',
      familyBody(name, iinFor(first11), born),
    );
    await winter.enrol(winter.ngo, household.id);
  }
  const duplicate = await winter.ngo.call<{ id: string }>(
    'POST',
    '/households',
    familyBody('Сейітова Гүлнар', winter.duplicateIin, '1988-03-02'),
  );
  duplicateId = duplicate.id;
}, 120_000);

/** Today as the device's calendar says it, typed as people write it. */
function todayTyped(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(now.getDate())}.${pad(now.getMonth() + 1)}.${now.getFullYear()}`;
}

test(
  "when a coordinator plans today's day through the form, then it is in today's list with its households, and a family taking part of its goods signs for what it took",
  async () => {
    const context = await world.newContext(LAPTOP, 'ru');
    const page = await context.newPage();
    await signIn(page, 'coordinator@asar.demo');
    await page.goto('/distributions');
    // Nothing today yet: the screen says what to do next.
    await page.getByTestId('days-empty').filter({ hasText: 'Запланируйте его кнопкой' }).waitFor();
    await world.screenshot(page, 'ru-laptop-distribution-days-empty');
    await page.getByTestId('open-plan-day').click();

    // Sent empty: each required field says so, next to it, and nothing is created.
    await page.getByTestId('plan-day').click();
    await page.getByText('Обязательное поле').nth(6).waitFor();
    expect(await DistributionBatch.countDocuments({})).toBe(0);

    await pick(page, 'programme', 'Astana winter 2026');
    await pick(page, 'round', 'December');
    await pick(page, 'day-warehouse', /^HALL-01/);
    await page.getByTestId('day-site').fill('Дом культуры «Жастар»');
    await pick(page, 'day-region', 'Астана');
    await page.getByTestId('day-settlement').fill('Астана');
    await page.getByTestId('day-date').fill(todayTyped());
    await page.getByTestId('day-date').press('Tab');
    await page.getByTestId('plan-day').click();

    await page.getByTestId('progress').filter({ hasText: 'Выдано: 0 из 2' }).waitFor();
    const batchId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const batch = await DistributionBatch.findById(batchId).lean();
    expect(batch?.site).toMatchObject({ name: 'Дом культуры «Жастар»', region: 'astana', settlement: 'Астана' });
    expect(await Allocation.countDocuments({ batchId: batch?._id, status: 'reserved' })).toBe(2);

    // Today's list holds it, with its households counted.
    await page.goto('/distributions');
    const row = page.getByTestId('batch-row').filter({ hasText: 'Дом культуры «Жастар»' });
    await row.filter({ hasText: 'Выдано: 0 из 2' }).waitFor();
    await world.screenshot(page, 'ru-laptop-distribution-days');
    await row.getByRole('link').click();

    // The first family takes one basket of the two: a partial hand-over, with why, and a signature.
    await page.getByTestId('due-row').filter({ hasText: 'Жұмабаева' }).getByTestId('hand-over').click();
    await page.getByTestId('hand-over-outcome').getByText('Часть').click();
    await page.getByTestId('part-quantity').fill('3');
    await page.getByTestId('receiver-iin').fill(iinFor(FAMILIES[0][1]));
    await page.getByTestId('record-hand-over').click();
    // Three is more than the two reserved; the reason and the signature are missing: each is said where it belongs.
    await page.getByText('Больше, чем зарезервировано').waitFor();
    await page.getByText('Укажите причину').waitFor();
    await page.getByText('Получатель расписывается').waitFor();
    await page.getByTestId('part-quantity').fill('1');
    await page.getByTestId('hand-over-reason').fill('Семья взяла одну корзину, вторую заберёт завтра');
    await sign(page);
    await world.screenshot(page, 'ru-laptop-hand-over-part');
    await page.getByTestId('record-hand-over').click();
    await page.getByTestId('handed-over').waitFor();

    const handOver = await HandOver.findOne({}).lean();
    expect(handOver).toMatchObject({ outcome: 'part', proof: { kind: 'image' } });
    expect(handOver?.lines.map((line) => line.received)).toEqual([1]);
    const allocation = await Allocation.findOne({ _id: handOver?.allocationId }).lean();
    expect(allocation?.lines[0]).toMatchObject({ reserved: 2, issued: 1 });

    await page.keyboard.press('Escape');
    await page.goto('/distributions');
    await page.getByTestId('batch-row').filter({ hasText: 'Выдано: 1 из 2' }).waitFor();
  },
  2 * FLOW_TIMEOUT,
);

test(
  'when a family another NGO enrolled first is refused, then a coordinator is told a supervisor may decide, and the supervisor enrols it anyway with a reason that the audit keeps',
  async () => {
    const coordinator = await (await world.newContext(PHONE, 'kk')).newPage();
    await signIn(coordinator, 'coordinator@asar.demo');
    await coordinator.goto(`/households/${duplicateId}`);
    await pick(coordinator, 'programme', 'Astana winter 2026');
    await pick(coordinator, 'round', 'December');
    await coordinator.getByTestId('enrol').click();
    await coordinator.getByTestId('duplicate-refused').filter({ hasText: 'супервайзер' }).waitFor();
    expect(await coordinator.getByTestId('override').count()).toBe(0);

    const page = await (await world.newContext(PHONE, 'kk')).newPage();
    await signIn(page, 'supervisor@asar.demo');
    await page.goto(`/households/${duplicateId}`);
    await pick(page, 'programme', 'Astana winter 2026');
    await pick(page, 'round', 'December');
    await page.getByTestId('enrol').click();
    await page.getByTestId('override').waitFor();
    // Too short a reason is refused before anything is sent.
    await page.getByTestId('override-reason').fill('Қате');
    await page.getByTestId('override-submit').click();
    await page.getByText('Кемінде 10 таңба жазыңыз').waitFor();
    await page
      .getByTestId('override-reason')
      .fill('Отбасы су тасқынынан кейін екіге бөлінді: басқа ұйым тек ананы тіркеген');
    await world.screenshot(page, 'kk-phone-household-override');
    await page.getByTestId('override-submit').click();
    await page.getByTestId('enrolment-outcome').filter({ hasText: 'Супервайзердің шешімімен' }).waitFor();

    const enrolment = await Enrolment.findOne({
      householdId: new Types.ObjectId(duplicateId),
      roundId: new Types.ObjectId(winter.roundId),
    }).lean();
    expect(enrolment?.override).toMatchObject({
      reason: 'Отбасы су тасқынынан кейін екіге бөлінді: басқа ұйым тек ананы тіркеген',
      by: { name: 'Gulnar Supervisor' },
    });
    expect(
      await AuditEntry.countDocuments({ action: 'enrolment.override_duplicate', targetId: String(enrolment?._id) }),
    ).toBe(1);
  },
  2 * FLOW_TIMEOUT,
);

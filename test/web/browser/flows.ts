/**
 * What the families' browser tests share: valid IINs, a household's body for the API, picking an option of a
 * Mantine select, drawing a signature, and the world of a capital-city headquarters running a winter programme with
 * the partner NGO of the demo seed and a second member NGO that enrolled a family first.
 */
import type { Page } from 'playwright-core';
import { Organisation } from '../../../src/modules/organisations/organisations.model';
import { given } from '../../support/given-identity';
import { givenInventory } from '../../support/given-inventory';
import { type ApiClient, signInApi } from './api-client';
import { DEMO_PASSWORD } from './harness';

export const PARTNER_NGO_BIN = '091240005670';

/** A valid IIN for a birth date (YYMMDD) and the century-and-sex digit: the check digit as the server computes it. */
export function iinFor(first11: string): string {
  const digits = [...first11].map(Number);
  const weighted = (weights: number[]) => digits.reduce((sum, d, i) => sum + d * weights[i], 0) % 11;
  let check = weighted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  if (check === 10) check = weighted([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
  if (check === 10) throw new Error(`no check digit for ${first11}`);
  return `${first11}${check}`;
}

export function familyBody(name: string, iin: string, birthDate: string) {
  return {
    head: { name, birthDate, iin, phone: null },
    members: [{ name: null, relation: 'child', ageBand: '5-17' }],
    address: { region: 'astana', settlement: 'Астана' },
    vulnerabilities: ['single_parent'],
    legalBasis: { basis: 'consent', purpose: 'Winter food baskets 2026' },
  };
}

export async function pick(page: Page, testId: string, option: RegExp | string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option }).first().click();
}

/** Draws a signature stroke across the canvas with the mouse (a finger's path on a touch screen). */
export async function sign(page: Page): Promise<void> {
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

export interface WinterProgramme {
  programmeId: string;
  roundId: string;
  warehouseId: string;
  itemId: string;
  /** The family the other member NGO enrolled first. */
  duplicateIin: string;
  ngo: ApiClient;
  enrol(client: ApiClient, householdId: string): Promise<unknown>;
}

/**
 * The headquarters, its two member NGOs (the seed's partner NGO and Love Kazakhstan), the programme with its
 * December round of `perHousehold` food baskets a household, a warehouse of the partner NGO with 20 baskets, and Love
 * Kazakhstan's enrolment of the family whose IIN is `duplicateIin`.
 */
export async function winterProgramme(
  baseUrl: string,
  warehouseCode: string,
  perHousehold = 1,
): Promise<WinterProgramme> {
  const partner = await Organisation.findOne({ bin: PARTNER_NGO_BIN }).lean();
  if (!partner) throw new Error('the seed has no partner NGO');
  const hq = await given.organisation({ name: 'Astana volunteer headquarters', type: 'hub' });
  const other = await given.organisation({ name: 'Love Kazakhstan' });
  const operator = await signInApi(baseUrl, 'operator@asar.demo', DEMO_PASSWORD);
  for (const member of [String(partner._id), other.id]) {
    await operator.call('POST', `/organisations/${hq.id}/members`, { organisationId: member, from: '2026-01-01' });
  }
  const hqUser = await given.user({ role: 'coordinator', organisationId: hq.id, password: DEMO_PASSWORD });
  const otherUser = await given.user({ role: 'coordinator', organisationId: other.id, password: DEMO_PASSWORD });
  const hqApi = await signInApi(baseUrl, hqUser.user.email, DEMO_PASSWORD);
  const otherApi = await signInApi(baseUrl, otherUser.user.email, DEMO_PASSWORD);
  const ngo = await signInApi(baseUrl, 'coordinator@asar.demo', DEMO_PASSWORD);

  const warehouse = await givenInventory.warehouse({ code: warehouseCode }, { organisationId: String(partner._id) });
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
        entitlements: [{ itemId: item.id, category: 'food', basis: 'household', quantity: perHousehold }],
      },
    ],
  });
  const roundId = programme.rounds[0].id;
  const enrol = (client: ApiClient, householdId: string) =>
    client.call('POST', `/programmes/${programme.id}/rounds/${roundId}/enrolments`, { householdId });

  const duplicateIin = iinFor('88030240123');
  const theirs = await otherApi.call<{ id: string }>(
    'POST',
    '/households',
    familyBody('Сейітова Гүлнар', duplicateIin, '1988-03-02'),
  );
  await enrol(otherApi, theirs.id);
  return {
    programmeId: programme.id,
    roundId,
    warehouseId: warehouse.id,
    itemId: item.id,
    duplicateIin,
    ngo,
    enrol,
  };
}

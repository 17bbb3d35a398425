/**
 * An organisation holding one record of every kind the API serves, for the isolation walk
 * (test/api/isolation-route-walk.test.ts): a warehouse with bins and stock, a donor with contact details, a draft and
 * a received donation, a reservation, an open count, users of every role, an API key, an alert, a minimum level, a
 * webhook, an import, audit entries, and (for a hub) a membership. Every text it writes carries `marker`, so that an
 * answer quoting any of its records is found by a plain text search.
 *
 * A module that adds owned records adds one of them here (and its collection to `OrganisationRecords.ids` when the
 * walk must use that one and not just any of the organisation's records in the collection).
 */
import { Types } from 'mongoose';
import { acrossOrganisations } from '../../src/modules/access/ownership';
import { organisationActor, ROLES, type Role } from '../../src/modules/access/permissions';
import { raiseAlert } from '../../src/modules/alerts/alerts.service';
import { setMinimumLevel } from '../../src/modules/alerts/minimum-levels.service';
import { createWebhook } from '../../src/modules/alerts/webhooks.service';
import type { ItemDto } from '../../src/modules/catalog/catalog.service';
import { createDonation } from '../../src/modules/donations/donations.service';
import { uploadImport } from '../../src/modules/imports/imports.service';
import { HubMembership } from '../../src/modules/organisations/hub-membership.model';
import type { OrganisationType } from '../../src/modules/organisations/organisations.model';
import { arriveShipment, dispatchShipment, packShipment } from '../../src/modules/shipments/shipments.flow';
import { openReceipt } from '../../src/modules/shipments/shipments.receiving';
import { addHandlingUnits, createShipment } from '../../src/modules/shipments/shipments.service';
import { reserve } from '../../src/modules/stock';
import { LedgerEntry } from '../../src/modules/stock/stock.model';
import { startCount } from '../../src/modules/stock/stock-count.service';
import { apiKeyHeader, bearer, given } from './given-identity';
import { givenInventory } from './given-inventory';

/** The catalog is shared by the deployment: both organisations stock the same items. */
export interface SharedCatalog {
  item: ItemDto;
  kit: ItemDto;
}

export async function givenSharedCatalog(): Promise<SharedCatalog> {
  const item = await givenInventory.item({ name: { kk: 'Көрпе', ru: 'Одеяло', en: 'Blanket' } });
  const kit = await givenInventory.item({
    name: { kk: 'Жинақ', ru: 'Набор', en: 'Bedding kit' },
    packs: [],
    components: [{ itemId: item.id, quantity: '2' }],
  });
  return { item, kit };
}

export interface OrganisationRecords {
  organisationId: string;
  marker: string;
  /** Headers of a user of each role (and of an admin API key) of this organisation. */
  callers: Record<Role | 'apiKey', Record<string, string>>;
  /** The record the walk names for a collection; collections not listed here use any record of the organisation. */
  ids: Record<string, string>;
  warehouse: { id: string; code: string; locationCode: string };
  reservationSource: { type: string; id: string; line: string | null };
  ledgerOperationId: string;
  /** A line of the open shipment receipt (counts name it), and the shipment's truck. */
  receiptLineId: string;
  transportUnitId: string;
}

export interface GivenOrganisationRecords {
  marker: string;
  type?: OrganisationType;
  catalog: SharedCatalog;
  /** A hub: the memberships of these organisations in it are its records. */
  members?: readonly string[];
}

export async function givenOrganisationRecords(options: GivenOrganisationRecords): Promise<OrganisationRecords> {
  const { marker, catalog } = options;
  const organisation = await given.organisation({ name: `${marker} organisation`, type: options.type ?? 'ngo' });
  const organisationId = organisation.id;
  const actor = organisationActor(organisationId, `${marker} clerk`);
  const owner = { organisationId };

  const callers = {} as OrganisationRecords['callers'];
  for (const role of ROLES.filter((r) => r !== 'operator')) {
    const { token } = await given.user({ role, organisationId, name: `${marker} ${role}` });
    callers[role] = bearer(token);
  }
  const { key } = await given.apiKey({ roles: ['admin'], organisationId, label: `${marker} script` });
  callers.apiKey = apiKeyHeader(key);
  // The user and key that routes naming a user or a key are given: never the caller itself.
  const spareUser = await given.user({ role: 'viewer', organisationId, name: `${marker} spare`, session: false });
  const spareKey = await given.apiKey({ roles: ['viewer'], organisationId, label: `${marker} spare key` });

  const warehouse = await givenInventory.warehouse(
    { name: `${marker} warehouse`, address: `${marker} street 1`, city: `${marker} city` },
    owner,
  );
  await givenInventory.stockOf({ warehouse, item: catalog.item, quantity: 100, locationCode: 'A-01' });
  await givenInventory.stockOf({ warehouse, item: catalog.kit, quantity: 10, locationCode: 'A-01' });
  const donor = await givenInventory.donor(
    { name: `${marker} donor`, contact: { phone: '+7 701 555 01 02', email: `${marker}@donor.test`, address: marker } },
    owner,
  );
  const line = { itemId: catalog.item.id, quantity: '5', locationCode: 'A-01', condition: 'new' as const };
  const draft = await createDonation(
    { donorId: donor.id, warehouseId: warehouse.id, lines: [line], notes: `${marker} draft` },
    actor,
  );
  await createDonation(
    { donorId: donor.id, warehouseId: warehouse.id, lines: [line], notes: `${marker} received`, receive: true },
    actor,
  );
  // Not marked: a source is the caller's key, which another organisation may well use for its own reservations.
  const reservationSource = { type: 'shipment', id: `shipment-${new Types.ObjectId()}`, line: '1' };
  await reserve(
    { warehouseId: warehouse.id, itemId: catalog.item.id, quantity: '3', source: reservationSource, note: marker },
    actor,
  );
  const count = await startCount({ warehouseId: warehouse.id, locationCode: 'B-01' }, actor);
  const entry = await acrossOrganisations('the fixture reads its own ledger entry', () =>
    LedgerEntry.findOne({ organisationId: new Types.ObjectId(organisationId) })
      .sort({ _id: 1 })
      .lean()
      .exec(),
  );
  if (!entry) throw new Error('the fixture received stock, so it has a ledger entry');
  await raiseAlert({
    organisationId,
    kind: 'stock_low',
    severity: 'warning',
    subject: { type: 'warehouse', id: warehouse.id, label: `${marker} warehouse` },
    message: `${marker} is low on blankets`,
  });
  await setMinimumLevel({ warehouseId: warehouse.id, itemId: catalog.item.id, minimum: '500' }, actor);
  await createWebhook({ url: `https://${marker}.example.org/hook`, events: ['alert.raised'] }, actor);
  await uploadImport(
    {
      kind: 'donors',
      filename: `${marker}.csv`,
      content: Buffer.from(`type,name,country\ncompany,${marker} import donor,KZ\n`),
    },
    actor,
  );
  // A transfer between its two warehouses, arrived and being received: a shipment with a truck, a pallet, a receipt.
  const second = await givenInventory.warehouse({ name: `${marker} second warehouse` }, owner);
  const planned = await createShipment(
    {
      kind: 'transfer',
      consignee: { name: `${marker} second warehouse` },
      origin: { warehouseId: warehouse.id },
      destination: { warehouseId: second.id },
      notes: marker,
      transportUnits: [{ kind: 'vehicle', vehicle: { truckPlate: '123 ABC 02', driverName: `${marker} driver` } }],
    },
    actor,
  );
  const transportUnitId = planned.transportUnits[0]?.id;
  await addHandlingUnits(
    planned.id,
    {
      units: [
        {
          kind: 'pallet',
          count: 1,
          transportUnitId,
          lines: [{ itemId: catalog.item.id, quantity: '4', condition: 'new' }],
        },
      ],
    },
    actor,
  );
  await packShipment(planned.id, actor);
  await dispatchShipment(planned.id, actor);
  await arriveShipment(planned.id, actor);
  const receipt = await openReceipt(planned.id, { notes: marker }, actor);

  for (const memberId of options.members ?? []) {
    await HubMembership.create({ hubId: organisationId, memberId, from: new Date('2026-01-01') });
  }

  return {
    organisationId,
    marker,
    callers,
    ids: {
      organisations: organisationId,
      users: spareUser.user.id,
      api_keys: spareKey.apiKey.id,
      warehouses: warehouse.id,
      donors: donor.id,
      donations: draft.id,
      stock_counts: count.id,
      ledger_entries: String(entry._id),
      shipments: planned.id,
    },
    warehouse: { id: warehouse.id, code: warehouse.code, locationCode: 'A-01' },
    reservationSource,
    ledgerOperationId: String(entry.operationId),
    receiptLineId: String(receipt.lines[0]?.id),
    transportUnitId: String(transportUnitId),
  };
}

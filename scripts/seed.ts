/**
 * `npm run seed`: loads a small realistic demo so that a new user sees data right after `npm start`: a city volunteer
 * headquarters (a hub) with two members, the operator organisation and a partner NGO, each with its own users
 * (src/modules/users/seed.ts); the operator organisation's warehouses in Astana, Almaty and Shymkent, donors, a
 * catalog from flour to a yurt kit, a few received donations and a draft, a transfer and a kit assembly; the NGO's own
 * storeroom in Talgar with its donors and stock (scripts/seed/demo-inventory.ts). Signing in as each organisation's
 * users shows that neither sees the other's records.
 *
 * It connects the way the app does (MONGODB_URI, or the embedded database on ASAR_DATA_DIR). The embedded
 * database's data directory is used by one process at a time: stop the API before seeding it.
 *
 * Safe to run again: what exists is left as it is and the output says so. The demo users' password is
 * ASAR_SEED_PASSWORD, or a random one printed once when the users are first created.
 */
import { Types } from 'mongoose';
import { dataDirInUseMessage, isDataDirLocked } from '../src/start-problems';

async function main(): Promise<number> {
  let config: typeof import('../src/config').config;
  try {
    ({ config } = await import('../src/config'));
  } catch (error) {
    if (error instanceof Error && error.name === 'ConfigError') {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const { logger } = await import('../src/logger');
  // The embedded database logs its start and stop at info; the seed's own output is what the operator needs here.
  if (config.logLevel === 'info') logger.level = 'warn';

  const { connectDatabase } = await import('../src/db/connection');
  let database: Awaited<ReturnType<typeof connectDatabase>>;
  try {
    database = await connectDatabase(config);
  } catch (error) {
    if (isDataDirLocked(error)) {
      console.error(dataDirInUseMessage(error as Error, config.dataDir, 'npm run seed'));
      return 1;
    }
    throw error;
  }

  try {
    const mongoose = (await import('mongoose')).default;
    const { seedIdentity, describeIdentitySeed, DEMO_EMAIL_DOMAIN } = await import('../src/modules/users/seed');
    const { listUsers } = await import('../src/modules/users/users.service');
    const { userActor } = await import('../src/modules/auth/auth.service');
    const { organisationActor } = await import('../src/modules/access/permissions');
    const { seedDemoInventory } = await import('./seed/demo-inventory');
    const { seedDemoFamilies } = await import('./seed/demo-families');
    // Let Mongoose finish building the indexes (unique SKUs, codes, emails) before anything is written.
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));

    console.log(
      `Seeding the ${database.backend} database (${database.backend === 'embedded' ? config.dataDir : database.uri})`,
    );
    console.log('\nOrganisations and demo users:');
    const identity = await seedIdentity();
    for (const line of describeIdentitySeed(identity)) console.log(line);

    const actorFor = async (email: string, organisationId: string) => {
      const user = (await listUsers({ limit: 5, offset: 0, q: email }, organisationActor(organisationId))).data.find(
        (u) => u.email === email,
      );
      if (!user) throw new Error(`The demo user ${email} is missing after seeding identities`);
      if (!user.active)
        throw new Error(`The demo user ${email} is deactivated: reactivate it or seed another database`);
      return userActor({
        _id: new Types.ObjectId(user.id),
        name: user.name,
        organisationId: user.organisationId ? new Types.ObjectId(user.organisationId) : null,
        roles: user.roles,
      });
    };
    const { operatorId, partnerNgoId } = identity.organisations;

    console.log('\nDemo inventory:');
    const inventory = await seedDemoInventory({
      admin: await actorFor(`admin@${DEMO_EMAIL_DOMAIN}`, operatorId),
      warehouse: await actorFor(`warehouse@${DEMO_EMAIL_DOMAIN}`, operatorId),
      partnerWarehouse: await actorFor(`ngo-warehouse@${DEMO_EMAIL_DOMAIN}`, partnerNgoId),
    });
    for (const line of inventory.lines) console.log(line);

    console.log('\nDemo families:');
    const families = await seedDemoFamilies({
      hub: organisationActor(identity.organisations.hubId, 'seed'),
      partnerNgoId,
      coordinator: await actorFor(`coordinator@${DEMO_EMAIL_DOMAIN}`, partnerNgoId),
      operatorAdmin: await actorFor(`admin@${DEMO_EMAIL_DOMAIN}`, operatorId),
      operatorOrganisationId: operatorId,
    });
    for (const line of families) console.log(line);
    console.log(
      `\nDone. Start the API with npm start and sign in as warehouse@${DEMO_EMAIL_DOMAIN} (operator organisation) or ngo-warehouse@${DEMO_EMAIL_DOMAIN} (partner NGO): each sees only its own organisation's stock.`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('Seeding failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);

/**
 * Creates a user from the command line, typically the first admin of a new installation:
 *
 *   npm run user:create -- --email aigerim@example.kz --name "Aigerim S." --role admin [--role viewer] [--org <id or BIN>]
 *
 * The password never comes from the command line (it would sit in the shell history and in `ps`): it is read from
 * ASAR_USER_PASSWORD (through config), or from standard input when that is piped, or asked for twice without echo.
 * The user is created through the users service as the system actor, so the audit log records it.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';

const USAGE =
  'Usage: npm run user:create -- --email <email> --name "<name>" --role <role> [--role <role>...] [--org <organisation id or BIN>]';

/** Reads one line without echoing it (the terminal shows nothing while typing). */
function promptHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  rl.on('SIGINT', () => {
    rl.close();
    process.stdout.write('\n');
    process.exit(130);
  });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

async function readPipedLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

async function readPassword(fromConfig: string | undefined): Promise<string> {
  if (fromConfig) return fromConfig;
  if (!process.stdin.isTTY) return readPipedLine();
  const first = await promptHidden('Password (at least 12 characters): ');
  const second = await promptHidden('Repeat the password: ');
  if (first !== second) throw new Error('The two passwords differ');
  return first;
}

async function main(): Promise<void> {
  if (process.argv.some((arg) => arg === '--password' || arg.startsWith('--password='))) {
    throw new Error('A password is never given on the command line: set ASAR_USER_PASSWORD or type it at the prompt');
  }
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
      org: { type: 'string' },
    },
    strict: true,
  });
  if (!values.email || !values.name || !values.role?.length) throw new Error(USAGE);
  const { email } = await import('../src/modules/users/users.schemas');
  if (email().validate(values.email).error) throw new Error(`Not an email address: ${values.email}`);

  const { config } = await import('../src/config');
  const { ROLES, SYSTEM_ACTOR, organisationActor } = await import('../src/modules/access/permissions');
  const roles = values.role;
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length) throw new Error(`Unknown role ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);

  const password = await readPassword(config.userPassword);
  // Before the database starts, so that a short password is told at once.
  const { assertPasswordPolicy } = await import('../src/modules/users/passwords');
  assertPasswordPolicy(password);

  const { connectDatabase } = await import('../src/db/connection');
  const { Organisation } = await import('../src/modules/organisations/organisations.model');
  const { createUser } = await import('../src/modules/users/users.service');
  const database = await connectDatabase(config);
  try {
    let organisationId: string | null = null;
    if (values.org) {
      const filter = /^[0-9a-f]{24}$/i.test(values.org) ? { _id: values.org } : { bin: values.org };
      const organisation = await Organisation.findOne(filter).lean();
      if (!organisation) throw new Error(`No organisation with id or BIN ${values.org}`);
      organisationId = String(organisation._id);
    }
    // The deployment's operator belongs to no organisation; anyone else is created inside the one named by --org.
    const actor = organisationId ? organisationActor(organisationId) : SYSTEM_ACTOR;
    const user = await createUser(
      { email: values.email, name: values.name, roles: roles as (typeof ROLES)[number][], organisationId, password },
      actor,
    );
    console.log(`Created user ${user.email} (${user.roles.join(', ')}), id ${user.id}`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

/**
 * A test body reads the database directly to check what a request wrote (`await LedgerEntry.countDocuments(...)`),
 * across organisations: every test and hook body runs inside acrossOrganisations. The requests it sends are served in
 * the server's own asynchronous context, so the ownership check (src/modules/access/ownership.ts) still applies to
 * every query a route runs (test/api/scope-backstop.test.ts proves it).
 */
import { acrossOrganisations } from '../../src/modules/access/ownership';

type Body = (...args: unknown[]) => unknown;
type Registrar = (name: unknown, fn?: Body, timeout?: number) => unknown;

const inTest = (fn: Body | undefined): Body | undefined =>
  fn && (() => acrossOrganisations('a test checks the database', () => fn()));

function wrapRegistrar(original: Registrar & Record<string, unknown>): Registrar {
  const wrapped = ((name: unknown, fn?: Body, timeout?: number) => original(name, inTest(fn), timeout)) as Registrar &
    Record<string, unknown>;
  for (const [key, value] of Object.entries(original)) wrapped[key] = value;
  wrapped.only = (name: unknown, fn?: Body, timeout?: number) =>
    (original.only as Registrar)(name, inTest(fn), timeout);
  wrapped.each =
    (...table: unknown[]) =>
    (name: unknown, fn?: Body, timeout?: number) =>
      ((original.each as (...t: unknown[]) => Registrar)(...table) as Registrar)(
        name,
        fn && ((...args: unknown[]) => acrossOrganisations('a test checks the database', () => fn(...args))),
        timeout,
      );
  return wrapped;
}

const globals = globalThis as unknown as Record<string, Registrar & Record<string, unknown>>;
globals.test = wrapRegistrar(globals.test) as Registrar & Record<string, unknown>;
globals.it = globals.test;
// Not beforeAll: the app's server starts listening there, and requests must run outside this context.
for (const hook of ['beforeEach', 'afterEach']) {
  const original = globals[hook] as unknown as (fn: Body, timeout?: number) => unknown;
  globals[hook] = ((fn: Body, timeout?: number) => original(inTest(fn) as Body, timeout)) as never;
}

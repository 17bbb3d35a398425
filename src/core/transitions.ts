/**
 * Guarded changes of documents, and document lifecycles declared as tables.
 *
 * A lifecycle is a table one can read: every action, the states it may start from and the state it leads to.
 *
 *   const donationLife = defineLifecycle({
 *     name: 'Donation', targetType: 'donation', model: Donation, audit: recordAudit, label: (d) => d.number,
 *     transitions: {
 *       update:  { from: ['draft'], to: 'draft' },
 *       receive: { from: ['draft'], to: 'received' },
 *       cancel:  { from: ['draft'], to: 'cancelled' },
 *       reverse: { from: ['received'], to: 'reversed' },
 *     },
 *   });
 *   await donationLife.step('cancel', { id, actor, session, scope, change: () => ({ set: { cancelledAt: now } }) });
 *
 * A step reads the document (within `scope`, the caller's ownership filter: a document outside it is NOT_FOUND, as a
 * missing one), refuses an action the table does not allow from the current state (409 INVALID_STATE naming the
 * current state and the allowed next steps), lets the caller do its work (post stock, build lines) and say what to
 * set, then writes with a guarded `findOneAndUpdate({ _id, status: current, ...scope, ...guard })` and records the
 * audit entry, all in the caller's transaction. When the guarded write matches nothing the document changed between
 * the read and the write: that is answered here, once, for every module (INVALID_STATE when its state moved on,
 * NOT_FOUND when it left the scope, CONFLICT otherwise).
 *
 * `guardedChange` is the same without states (a warehouse's or a donor's details).
 */
import type { ClientSession, Model, Types } from 'mongoose';
import { AppError, notFound } from './errors';

/** The audit entry a change writes (the audit module's `recordAudit` fits). */
export interface ChangeAudit<A> {
  actor: A;
  action: string;
  targetType: string;
  targetId: Types.ObjectId;
  summary: Record<string, unknown>;
}

export type AuditWriter<A> = (entry: ChangeAudit<A>, session: ClientSession) => Promise<unknown>;

/** What a change does to the document it has read. */
export interface Change {
  /** `$set` of the update (a transition adds `status`). */
  set?: Record<string, unknown>;
  /** Other update operators (`$push`, `$inc`, `$unset`, ...). */
  operators?: Record<string, unknown>;
  /** More conditions for the guarded write (e.g. `{ updatedAt }` for optimistic concurrency). */
  guard?: Record<string, unknown>;
  /** The audit entry's summary. */
  summary?: Record<string, unknown>;
}

interface Identified {
  _id: Types.ObjectId;
}

export interface GuardedChangeInput<T, A> {
  id: string | Types.ObjectId;
  actor: A;
  session: ClientSession;
  /** The caller's ownership filter (e.g. `{ organisationId }`), added to the read and to the guarded write. */
  scope?: Record<string, unknown>;
  /** Audit action, e.g. 'warehouse.update'. */
  action: string;
  change: (before: T) => Change | Promise<Change>;
}

export interface GuardedChangeOptions<T, A> {
  model: Model<T>;
  /** Name in messages: 'Warehouse'. */
  name: string;
  targetType: string;
  audit: AuditWriter<A>;
  /** How a document is named in messages ('DN-000012'); defaults to its id. */
  label?: (doc: T) => string;
}

function updateOf(change: Change): Record<string, unknown> {
  const set = change.set && Object.keys(change.set).length ? { $set: change.set } : {};
  return { ...change.operators, ...set };
}

async function readScoped<T extends Identified>(
  model: Model<T>,
  id: string | Types.ObjectId,
  scope: Record<string, unknown> | undefined,
  session: ClientSession,
): Promise<T | null> {
  return model
    .findOne({ _id: id, ...scope })
    .session(session)
    .lean<T>();
}

/**
 * Reads a document within `scope`, applies `change(before)` with a guarded write and records its audit entry, in the
 * caller's transaction. NOT_FOUND when the document does not exist or is outside the scope; CONFLICT when it changed
 * between the read and the write (the guard no longer matches).
 */
export function guardedChange<T extends Identified, A>(
  options: GuardedChangeOptions<T, A>,
  input: GuardedChangeInput<T, A>,
): Promise<T> {
  return applyChange(options, input);
}

/** `stillAllowed` (for lifecycles) throws the precise error when the guarded write missed because the state moved. */
async function applyChange<T extends Identified, A>(
  options: GuardedChangeOptions<T, A>,
  input: GuardedChangeInput<T, A>,
  stillAllowed?: (now: T) => void,
): Promise<T> {
  const before = await readScoped(options.model, input.id, input.scope, input.session);
  if (!before) throw notFound(options.name, String(input.id));
  const change = await input.change(before);
  const after = await options.model
    .findOneAndUpdate({ _id: before._id, ...input.scope, ...change.guard }, updateOf(change), {
      session: input.session,
      returnDocument: 'after',
    })
    .lean<T>();
  if (!after) throw await changedMeanwhile(options, input, before, stillAllowed);
  await options.audit(
    {
      actor: input.actor,
      action: input.action,
      targetType: options.targetType,
      targetId: before._id,
      summary: change.summary ?? {},
    },
    input.session,
  );
  return after;
}

async function changedMeanwhile<T extends Identified, A>(
  options: GuardedChangeOptions<T, A>,
  input: GuardedChangeInput<T, A>,
  before: T,
  check?: (now: T) => void,
): Promise<AppError> {
  const now = await readScoped(options.model, before._id, input.scope, input.session);
  if (!now) return notFound(options.name, String(input.id));
  check?.(now);
  const label = options.label ? options.label(before) : String(before._id);
  return new AppError('CONFLICT', `${options.name} ${label} changed meanwhile; retry`, { id: String(before._id) });
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycles

export interface Transition<S extends string> {
  from: readonly S[];
  to: S;
}

export interface LifecycleDefinition<S extends string, K extends string, T, A> extends GuardedChangeOptions<T, A> {
  transitions: Readonly<Record<K, Transition<S>>>;
}

export interface StepInput<T, A> extends Omit<GuardedChangeInput<T, A>, 'action' | 'change'> {
  /** Audit action; defaults to `<targetType>.<action>`. */
  auditAction?: string;
  /** The work of the step once the state is known to allow it; returns what to set besides the status. */
  change?: (before: T) => Change | Promise<Change>;
}

export interface NextStep<S extends string, K extends string> {
  action: K;
  to: S;
}

export interface Lifecycle<S extends string, K extends string, T, A> {
  readonly name: string;
  readonly transitions: Readonly<Record<K, Transition<S>>>;
  /** The actions allowed from `status`, with the state each leads to. */
  next(status: S): NextStep<S, K>[];
  /** Whether `action` is allowed from `status`. */
  allows(status: S, action: K): boolean;
  /** Throws INVALID_STATE unless the table allows `action` from the document's status. */
  assertAllowed(doc: T, action: K): void;
  /** Performs `action` on the document `input.id` (see the module comment). */
  step(action: K, input: StepInput<T, A>): Promise<T>;
}

/** Declares a lifecycle: the table of transitions of a document type, and the guarded step that follows it. */
export function defineLifecycle<S extends string, K extends string, T extends Identified & { status: S }, A>(
  definition: LifecycleDefinition<S, K, T, A>,
): Lifecycle<S, K, T, A> {
  const actions = Object.keys(definition.transitions) as K[];
  const next = (status: S): NextStep<S, K>[] =>
    actions
      .filter((action) => definition.transitions[action].from.includes(status))
      .map((action) => ({ action, to: definition.transitions[action].to }));
  const allows = (status: S, action: K) => definition.transitions[action].from.includes(status);

  function invalidState(doc: T, action: K): AppError {
    const allowed = next(doc.status);
    const label = definition.label ? definition.label(doc) : String(doc._id);
    const options = allowed.length
      ? `allowed from ${doc.status}: ${allowed.map((n) => `${n.action} (→ ${n.to})`).join(', ')}`
      : `${doc.status} is final`;
    return new AppError(
      'INVALID_STATE',
      `${definition.name} ${label} is ${doc.status}; cannot ${action} (${options})`,
      {
        id: String(doc._id),
        status: doc.status,
        action,
        allowed,
      },
    );
  }

  function assertAllowed(doc: T, action: K): void {
    if (!allows(doc.status, action)) throw invalidState(doc, action);
  }

  async function step(action: K, input: StepInput<T, A>): Promise<T> {
    const transition = definition.transitions[action];
    if (!transition) throw new Error(`${definition.name} has no transition ${action}`);
    const change: GuardedChangeInput<T, A> = {
      ...input,
      action: input.auditAction ?? `${definition.targetType}.${action}`,
      change: async (before) => {
        assertAllowed(before, action);
        const work = (await input.change?.(before)) ?? {};
        return {
          ...work,
          set: { ...work.set, status: transition.to },
          guard: { ...work.guard, status: before.status },
          summary: { from: before.status, to: transition.to, ...work.summary },
        };
      },
    };
    return applyChange(definition, change, (now) => assertAllowed(now, action));
  }

  return { name: definition.name, transitions: definition.transitions, next, allows, assertAllowed, step };
}

/**
 * Explain output in mongod's shape, built from the store's ReadPlan, so that a test can prove index use the same way
 * against a real mongod (`queryPlanner.winningPlan` holding IXSCAN, `executionStats.totalDocsExamined`).
 */
import type { ReadPlan, Store } from '../storage/store-types';
import type { Doc } from '../types';
import { SERVER_VERSION } from './server-info';

export function winningPlan(store: Store, db: string, coll: string, plan: ReadPlan, filter: Doc): Doc {
  if (plan.stage === 'IDHACK') return { stage: 'IDHACK' };
  if (plan.stage === 'COLLSCAN') return { stage: 'COLLSCAN', filter, direction: 'forward' };
  let keyPattern: Doc = {};
  try {
    keyPattern = store.listIndexes(db, coll).find((i) => i.name === plan.indexName)?.key ?? {};
  } catch {
    // the collection vanished between the read and the explain: report what we know
  }
  return {
    stage: 'FETCH',
    filter,
    inputStage: {
      stage: 'IXSCAN',
      keyPattern,
      indexName: plan.indexName,
      isMultiKey: false,
      direction: 'forward',
    },
  };
}

export interface ExplainInput {
  store: Store;
  db: string;
  coll: string;
  filter: Doc;
  plan: ReadPlan;
  nReturned: number;
  millis: number;
  verbosity: string;
}

/** `{ queryPlanner, executionStats? }` (executionStats is left out for verbosity 'queryPlanner', as mongod does). */
export function explainSections(input: ExplainInput): Doc {
  const plan = winningPlan(input.store, input.db, input.coll, input.plan, input.filter);
  const sections: Doc = {
    queryPlanner: {
      namespace: `${input.db}.${input.coll}`,
      parsedQuery: input.filter,
      indexFilterSet: false,
      winningPlan: plan,
      rejectedPlans: [],
    },
  };
  if (input.verbosity !== 'queryPlanner') {
    sections.executionStats = {
      executionSuccess: true,
      nReturned: input.nReturned,
      executionTimeMillis: input.millis,
      totalKeysExamined: input.plan.keysExamined,
      totalDocsExamined: input.plan.docsExamined,
      executionStages: { ...plan, nReturned: input.nReturned, docsExamined: input.plan.docsExamined },
    };
  }
  return sections;
}

export function serverInfo(): Doc {
  return { host: 'embedded', version: SERVER_VERSION, gitVersion: 'asar-embedded' };
}

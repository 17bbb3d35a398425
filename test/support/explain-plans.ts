/** Reading MongoDB explain answers in tests: which plan stages run, and on which index. */
import type { Document } from 'mongodb';

export interface PlanStage {
  stage: string;
  indexName?: string;
  keyPattern?: Document;
}

/** Every plan stage of an explain answer, wherever its shape nests them (classic, SBE `queryPlan`, $cursor). */
export function stagesOf(node: unknown, found: PlanStage[] = []): PlanStage[] {
  if (Array.isArray(node)) for (const child of node) stagesOf(child, found);
  else if (typeof node === 'object' && node !== null) {
    const n = node as Document;
    if (typeof n.stage === 'string') found.push({ stage: n.stage, indexName: n.indexName, keyPattern: n.keyPattern });
    for (const [key, value] of Object.entries(n)) {
      // Rejected plans are not what runs; the command echo and server details are not plans.
      if (key !== 'rejectedPlans' && key !== 'command' && key !== 'serverInfo') stagesOf(value, found);
    }
  }
  return found;
}

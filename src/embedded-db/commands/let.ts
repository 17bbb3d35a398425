/**
 * A command's `let` (aggregate, find, update, delete, findAndModify in MongoDB 5.0+): constants evaluated once, before
 * the command runs, and readable as `$$name` in its filter's `$expr` and its pipeline.
 */
import { checkVariableName, evaluate } from '../aggregation/expressions';
import { setField } from '../query/values';
import type { Doc } from '../types';
import { optionalDoc } from './args';
import type { CommandContext } from './context';

/** `now` is the command's $$NOW; a command that has no other use for it leaves it out (read only when `let` is given). */
export function commandVariables(ctx: CommandContext, now?: Date): Record<string, unknown> | undefined {
  const spec = optionalDoc(ctx, 'let');
  if (!spec) return undefined;
  const variables: Doc = {};
  const at = now ?? new Date();
  for (const [name, expr] of Object.entries(spec)) {
    checkVariableName(name);
    setField(variables, name, evaluate(expr, { root: {}, variables, now: at }));
  }
  return variables;
}

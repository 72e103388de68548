import type { ChatClient } from '../../shared/llm/types.ts';
import { rewritePrompt, type RewriteOptions } from '../../shared/rewrite/index.ts';
import type { RewriteResult } from '../../shared/schemas/rewrite.ts';
import { rewriteMethodOf, usesPersona, type MethodSpec } from './methods.ts';
import { withFeatures } from './static-features.ts';
import { InputError } from '../../shared/errors.ts';

/** What a method may draw on to turn a user's prompt into the prompt the image engine gets. */
export interface PromptInputs {
  prompt: string;
  persona?: string;
  /** The user's earlier prompts, oldest first. */
  history: readonly string[];
  /** The static baseline's fixed liked-features list. */
  features?: readonly string[];
  temperature?: number;
}

/** The rewrite request a method sends, or undefined for methods that need no LLM. */
export function rewriteRequestOf(spec: MethodSpec, inputs: PromptInputs) {
  const method = rewriteMethodOf(spec);
  if (!method) return undefined;
  const persona = usesPersona(spec) ? inputs.persona : undefined;
  if (usesPersona(spec) && !persona) throw new InputError(`method ${spec.id} needs a persona and this user has none`);
  const history = spec.k !== undefined ? [...inputs.history] : undefined;
  if (history && history.length === 0) throw new InputError(`method ${spec.id} needs history prompts and this user has none`);
  return {
    prompt: inputs.prompt,
    method,
    ...(persona ? { persona } : {}),
    ...(history ? { history, k: spec.k } : {}),
    ...(inputs.temperature !== undefined ? { temperature: inputs.temperature } : {}),
  };
}

/**
 * The prompt a method renders: the original (`original`), the original plus the fixed feature list
 * (`static`), or the shared rewrite pipeline's answer (every other method; `rewrite` then holds it).
 */
export async function methodPrompt(
  spec: MethodSpec,
  inputs: PromptInputs,
  llm: ChatClient | undefined,
  options: RewriteOptions = {},
): Promise<{ prompt: string; rewrite?: RewriteResult }> {
  if (spec.method === 'original') return { prompt: inputs.prompt };
  if (spec.method === 'static') return { prompt: withFeatures(inputs.prompt, inputs.features ?? []) };
  const request = rewriteRequestOf(spec, inputs)!;
  if (!llm) throw new InputError(`method ${spec.id} needs an LLM`);
  const rewrite = await rewritePrompt(llm, request, options);
  return { prompt: rewrite.rewritten, rewrite };
}

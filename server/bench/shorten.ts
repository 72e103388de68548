import { LlmEmptyAnswerError } from '../../shared/llm/errors.ts';
import { cleanAnswer } from '../../shared/rewrite/hygiene.ts';
import { addUsage, emptyUsage, type Usage } from '../../shared/schemas/llm.ts';
import type { BenchUser } from '../datasets/types.ts';
import { SHORT_QUERY_WORDS, shortQuery } from '../datasets/pip.ts';
import { forEachLimit } from './concurrency.ts';
import type { BenchLlm } from './llms.ts';
import type { RunContext } from './run-context.ts';
import { unitKey } from './store.ts';

/**
 * PIP's short queries, Tailored Visions' way (`dataset.shorten: "llm"`): an LLM shortens each test prompt
 * to a query of under 10 words, which the methods then rewrite (CLIPScore still compares with the full
 * prompt). Only queries the data gives no short form for are shortened (`inputSources` "rule"); a record's
 * own `query` is kept. One request per query, stored as a unit, so a rerun asks nothing; an answer of 10
 * words or more is cut to 9 (counted), an empty one asked once more and then left to the rule (counted).
 *
 * The default stays the rule (first clause, 9 words; server/datasets/pip.ts): it needs no LLM, costs
 * nothing and gives every run, whatever its LLMs, the same inputs. See paper-protocol.md §5.
 */
export const SHORTEN_QUERY = {
  ref: 'pip-shorten-query@1',
  user: (prompt: string) =>
    [
      'Below is a prompt someone wrote for a text-to-image model. Write the short query they might have typed first: fewer than 10 words, keeping the main subject and what the picture is of, without the style, lighting and quality terms.',
      '',
      `Prompt: ${prompt.replace(/\s+/g, ' ').trim()}`,
      '',
      'Reply with the short query only.',
    ].join('\n'),
} as const;

/** What the manifest records about an LLM shortening stage. */
export interface ShorteningRecord {
  method: 'llm';
  template: string;
  llm: string;
  /** Queries the LLM shortened (made now or stored earlier). */
  queries: number;
  /** Answers of 10 words or more, cut to 9. */
  cut: number;
  /** Queries left to the rule because the LLM gave nothing twice. */
  fallback: number;
}

interface StoredShort {
  text: string;
  cut: boolean;
  fallback: boolean;
  usage: Usage;
}

/** The users with every rule-made input replaced by the LLM's short query. */
export async function shortenQueries(ctx: RunContext, users: readonly BenchUser[], llm: BenchLlm): Promise<{ users: BenchUser[]; record: ShorteningRecord }> {
  const tasks = users.flatMap((user) => user.queries.map((prompt, q) => ({ user, q, prompt })).filter(({ user: u, q }) => u.inputSources?.[q] === 'rule'));
  ctx.progress.stage('queries', tasks.length);
  const made = new Map<string, StoredShort>();
  let done = 0;
  await forEachLimit(
    tasks,
    ctx.config.concurrency,
    async ({ user, q, prompt }) => {
      const key = unitKey({ unit: 'query', template: SHORTEN_QUERY.ref, llm: { baseUrl: llm.baseUrl, model: llm.model, temperature: llm.temperature }, prompt });
      let short = ctx.store.getUnit<StoredShort>('query', key);
      const fresh = !short;
      if (!short) {
        short = await ask(llm, prompt, ctx.signal);
        ctx.store.putUnit('query', key, short);
      }
      ctx.charge(llm.name, short.usage, fresh);
      made.set(`${user.id}|${q}`, short);
      ctx.progress.update(++done);
    },
    ctx.stop,
  );
  const shortened = users.map((u) => {
    if (!u.inputSources?.includes('rule')) return u;
    const inputs = u.queries.map((p, q) => made.get(`${u.id}|${q}`)?.text ?? u.inputs?.[q] ?? p);
    const inputSources = u.queries.map((_, q) => (made.has(`${u.id}|${q}`) && !made.get(`${u.id}|${q}`)!.fallback ? ('llm' as const) : (u.inputSources?.[q] ?? 'rule')));
    return { ...u, inputs, inputSources };
  });
  const all = [...made.values()];
  return { users: shortened, record: { method: 'llm', template: SHORTEN_QUERY.ref, llm: llm.name, queries: all.length, cut: all.filter((s) => s.cut).length, fallback: all.filter((s) => s.fallback).length } };
}

async function ask(llm: BenchLlm, prompt: string, signal?: AbortSignal): Promise<StoredShort> {
  let usage = emptyUsage();
  for (let attempt = 0; attempt < 2; attempt++) {
    let text = '';
    try {
      const r = await llm.client.chat([{ role: 'user', content: SHORTEN_QUERY.user(prompt) }], { temperature: llm.temperature, ...(signal ? { signal } : {}) });
      usage = addUsage(usage, r.usage);
      text = r.text;
    } catch (err) {
      if (!(err instanceof LlmEmptyAnswerError)) throw err;
      if (err.usage) usage = addUsage(usage, err.usage);
    }
    const cleaned = cleanAnswer(text, SHORT_QUERY_WORDS);
    if (cleaned.text) return { text: cleaned.text, cut: cleaned.cut, fallback: false, usage };
  }
  return { text: shortQuery(prompt), cut: false, fallback: true, usage };
}

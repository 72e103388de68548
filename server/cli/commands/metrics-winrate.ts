import { z } from 'zod';
import { binomialTestTwoSided } from '../../../shared/metrics/binomial.ts';
import { winRates, type WinRate } from '../../../shared/metrics/winrate.ts';
import { UsageError } from '../errors.ts';
import { formatTable, wholeFlag } from '../flags.ts';
import { toJson } from '../../runtime/json.ts';
import { readVotes } from '../../eval/votes-file.ts';
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'metrics winrate',
  summary: 'pairwise win rate with an exact two-sided binomial test',
  options: {
    votes: { type: 'string', placeholder: 'FILE', description: 'judgements: CSV a,b,winner or JSON [{a, b, winner}] (winner empty/"tie" = no preference)' },
    wins: { type: 'string', placeholder: 'K', description: 'instead of --votes: trials won by A' },
    n: { type: 'string', placeholder: 'N', description: 'with --wins: decisive trials in all' },
    json: { type: 'boolean', description: 'print JSON: {pairs: [...]} for --votes, {wins, n, win_rate, p_value} for --wins' },
  },
  details: `
Win rate of A over B per pair of conditions and the exact two-sided binomial test against 1/2 (ties are
counted but left out of the test), as the paper's user-study table.
Examples:
  zipp metrics winrate --votes study-votes.csv
  zipp metrics winrate --wins 198 --n 250 --json`,
  schema: z
    .object({
      votes: z.string().min(1).optional(),
      wins: wholeFlag().optional(),
      n: wholeFlag(1).optional(),
      json: z.boolean().optional(),
    })
    .refine((a) => (a.votes === undefined) !== (a.wins === undefined), { message: 'give either --votes FILE or --wins K --n N', path: ['votes'] })
    .refine((a) => (a.wins === undefined) === (a.n === undefined), { message: '--wins and --n go together', path: ['n'] }),
  async run(args, io) {
    if (args.wins !== undefined) {
      const n = args.n!;
      if (args.wins > n) throw new UsageError(`--wins ${args.wins} is more than --n ${n}`);
      const result = { wins: args.wins, n, win_rate: args.wins / n, p_value: binomialTestTwoSided(args.wins, n) };
      io.stdout(args.json ? toJson(result) : `win rate ${(100 * result.win_rate).toFixed(1)}% (${args.wins}/${n}), two-sided p = ${formatP(result.p_value)}`);
      return;
    }
    const pairs = winRates(await readVotes(args.votes!));
    io.stdout(args.json ? toJson({ pairs }) : formatPairs(pairs));
  },
});

const formatP = (p: number) => (p < 1e-4 ? p.toExponential(2) : p.toFixed(4));

function formatPairs(pairs: WinRate[]): string {
  const rows = [['A', 'B', 'win % (A)', 'n', 'ties', 'p']];
  for (const r of pairs) {
    rows.push([r.a, r.b, r.n ? `${(100 * r.win_rate_a).toFixed(1)}%` : '—', String(r.n), String(r.ties), formatP(r.p_value)]);
  }
  return formatTable(rows, 2);
}

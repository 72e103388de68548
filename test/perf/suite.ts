/**
 * A performance suite run by `npm run perf`. Each suite measures its target against a baseline run in
 * the same process or script and returns a Markdown section; main.ts writes the sections to BENCHMARKS.md
 * with the machine and the date. Suites live in ./suites/<name>.ts and default-export a PerfSuite.
 */
export interface PerfSuite {
  name: string;
  /** One line: what is measured and the target. */
  description: string;
  run(log: (line: string) => void): Promise<{ markdown: string }>;
}

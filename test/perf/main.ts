import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { PerfSuite } from './suite.ts';

/**
 * `npm run perf [-- name ...]`: runs every suite in ./suites (or the named ones) and rewrites their
 * sections in BENCHMARKS.md, keeping the sections of suites not run this time.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const suitesDir = fileURLToPath(new URL('./suites/', import.meta.url));
const outFile = `${root}BENCHMARKS.md`;

const machine = () =>
  `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
  `${os.platform()} ${os.release()}, Node ${process.version}`;

async function main() {
  const wanted = process.argv.slice(2);
  const files = (await readdir(suitesDir)).filter((f) => f.endsWith('.ts')).sort();
  const sections = new Map<string, string>();
  const existing = await readFile(outFile, 'utf8').catch(() => '');
  for (const block of existing.split(/^<!-- suite: /m).slice(1)) {
    const name = block.slice(0, block.indexOf(' -->'));
    sections.set(name, `<!-- suite: ${block.trimEnd()}\n`);
  }
  for (const file of files) {
    const suite = ((await import(`./suites/${file}`)) as { default: PerfSuite }).default;
    if (wanted.length && !wanted.includes(suite.name)) continue;
    console.log(`\n== ${suite.name}: ${suite.description}`);
    const started = Date.now();
    const { markdown } = await suite.run((line) => console.log(`  ${line}`));
    const stamp = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}`;
    sections.set(
      suite.name,
      `<!-- suite: ${suite.name} -->\n## ${suite.name}\n\n${suite.description}\n\nRun ${stamp} (${((Date.now() - started) / 1000).toFixed(0)} s).\n\n${markdown.trim()}\n`,
    );
  }
  const body = [...sections.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s);
  await writeFile(
    outFile,
    `# Benchmarks\n\nWritten by \`npm run perf\` (one section per suite in test/perf/suites; rerun one with\n\`npm run perf -- <name>\`). Targets are compared as ratios against a baseline measured in the same run.\n\n${body.join('\n')}`,
  );
  console.log(`\nwrote ${outFile}`);
}

await main();

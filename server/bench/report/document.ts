/**
 * A report as plain data — sections of paragraphs, tables and charts — rendered twice: to Markdown
 * (charts as linked SVG files) and to one self-contained HTML page (charts inline). Building the content
 * once keeps the two versions saying the same thing.
 */
export interface Table {
  caption?: string;
  head: string[];
  rows: string[][];
  /** Columns from this index on are numbers (right-aligned). Default 1. */
  numericFrom?: number;
}

export interface Chart {
  /** File name under charts/ (without extension). */
  name: string;
  alt: string;
  svg: string;
}

export type Block = { kind: 'text'; text: string } | { kind: 'table'; table: Table } | { kind: 'chart'; chart: Chart } | { kind: 'details'; summary: string; items: string[] };

export interface Section {
  title: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  subtitle: string;
  sections: Section[];
}

/** `charts: false` leaves the charts out (a Markdown file served without its charts/ folder). */
export function renderMarkdown(doc: ReportDocument, options: { charts?: boolean } = {}): string {
  const out = [`# ${doc.title}`, '', doc.subtitle, ''];
  for (const s of doc.sections) {
    out.push(`## ${s.title}`, '');
    for (const b of s.blocks) {
      if (b.kind === 'text') out.push(b.text, '');
      else if (b.kind === 'chart') {
        if (options.charts !== false) out.push(`![${b.chart.alt}](charts/${b.chart.name}.svg)`, '');
      }
      else if (b.kind === 'details') out.push(`**${b.summary}**`, '', ...b.items.map((i) => `- ${i.replace(/\n/g, ' ')}`), '');
      else out.push(...markdownTable(b.table), '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function markdownTable(t: Table): string[] {
  const from = t.numericFrom ?? 1;
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [`| ${t.head.map(cell).join(' | ')} |`, `|${t.head.map((_, i) => (i >= from ? '---:' : ':---')).join('|')}|`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
  return t.caption ? [`*${t.caption}*`, '', ...lines] : lines;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
body{font:14px/1.5 Helvetica,Arial,sans-serif;color:#222;max-width:1100px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.sub{color:#666;margin-top:0}table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e4e4e4;padding:.25rem .6rem;text-align:left;vertical-align:top}th{background:#f6f6f6}
td.n,th.n{text-align:right}caption{text-align:left;color:#555;font-style:italic;padding-bottom:.3rem}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}details{margin:.5rem 0}li{margin:.2rem 0}
`;

export function renderHtml(doc: ReportDocument): string {
  const body: string[] = [`<h1>${escape(doc.title)}</h1>`, `<p class="sub">${escape(doc.subtitle)}</p>`];
  for (const s of doc.sections) {
    body.push(`<section><h2>${escape(s.title)}</h2>`);
    for (const b of s.blocks) {
      if (b.kind === 'text') body.push(`<p>${escape(b.text).replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`);
      else if (b.kind === 'chart') body.push(`<figure role="img" aria-label="${escape(b.chart.alt)}">${b.chart.svg}</figure>`);
      else if (b.kind === 'details') body.push(`<details><summary>${escape(b.summary)}</summary><ul>${b.items.map((i) => `<li>${escape(i)}</li>`).join('')}</ul></details>`);
      else body.push(htmlTable(b.table));
    }
    body.push('</section>');
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(doc.title)}</title><style>${STYLE}</style></head>\n<body>\n${body.join('\n')}\n</body></html>\n`;
}

function htmlTable(t: Table): string {
  const from = t.numericFrom ?? 1;
  const cls = (i: number) => (i >= from ? ' class="n"' : '');
  return [
    '<table>',
    t.caption ? `<caption>${escape(t.caption)}</caption>` : '',
    `<thead><tr>${t.head.map((h, i) => `<th${cls(i)}>${escape(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${t.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${escape(c)}</td>`).join('')}</tr>`).join('')}</tbody>`,
    '</table>',
  ].join('');
}

import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Report charts: Vega-Lite specs compiled to Vega and rendered to SVG in Node (`view.toSVG()`, no canvas
 * or browser needed). The SVG text goes inline into the HTML report and to charts/*.svg for Markdown.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const FONT = { config: { font: 'Helvetica, Arial, sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } } } as const;
/** What every horizontal-bar chart starts with: schema, fonts, title, width and the rows as inline data. */
const horizontal = (title: string, rows: readonly object[]) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  ...FONT,
  title,
  width: 420,
  data: { values: rows as unknown as Record<string, unknown>[] },
});

/** The paper's Fig. 3 colours: blue without persona, red with. */
const PERSONA_COLOURS = { domain: ['without persona', 'with persona'], range: ['#4C78A8', '#E45756'] };

/**
 * The paper's Fig. 3: per LLM, CLIPScore without and with persona conditioning for each setting
 * (0-shot: baseline vs persona; k-shot: fewshot-baseline vs fewshot), bars side by side.
 */
export function personaChart(rows: readonly { llm: string; setting: string; condition: 'without persona' | 'with persona'; clipscore: number }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...FONT,
    title: 'CLIPScore without and with persona conditioning, per LLM',
    data: { values: rows as unknown as Record<string, unknown>[] },
    facet: { column: { field: 'llm', type: 'nominal', title: null, header: { labelFontSize: 12 } } },
    spec: {
      width: { step: 28 },
      height: 220,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'setting', type: 'nominal', title: null, axis: { labelAngle: 0 } },
        xOffset: { field: 'condition', type: 'nominal', sort: PERSONA_COLOURS.domain },
        y: { field: 'clipscore', type: 'quantitative', title: 'CLIPScore ×100', scale: { zero: false } },
        color: { field: 'condition', type: 'nominal', title: null, scale: PERSONA_COLOURS, legend: { orient: 'bottom' } },
      },
    },
  };
}

/** One horizontal bar per method (and LLM), e.g. CLIPScore (higher is better) or CMMD (lower is better). */
export function methodBars(
  rows: readonly { method: string; llm: string; value: number }[],
  title: string,
  axisTitle: string,
  order: readonly string[],
): TopLevelSpec {
  return {
    ...horizontal(title, rows),
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'method', type: 'nominal', title: null, sort: [...order], axis: { labelLimit: 280 } },
      yOffset: { field: 'llm', type: 'nominal' },
      x: { field: 'value', type: 'quantitative', title: axisTitle },
      color: { field: 'llm', type: 'nominal', title: 'LLM', legend: { orient: 'bottom' } },
    },
  };
}

/** Win rate of A over B per comparison, with the 50% line of no preference. */
export function winRateChart(rows: readonly { comparison: string; winRate: number; significant: string }[], title: string): TopLevelSpec {
  return {
    ...horizontal(title, rows),
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          y: { field: 'comparison', type: 'nominal', title: null, sort: null, axis: { labelLimit: 520 } },
          x: { field: 'winRate', type: 'quantitative', title: 'win rate of A (%)', scale: { domain: [0, 100] } },
          color: { field: 'significant', type: 'nominal', title: 'binomial test', scale: { domain: ['p < 0.05', 'n.s.'], range: ['#E45756', '#BAB0AC'] }, legend: { orient: 'bottom' } },
        },
      },
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#333' }, encoding: { x: { datum: 50 } } },
    ],
  };
}

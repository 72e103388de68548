import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Targets } from '../../shared/metrics/ipf.ts';
import { InputError } from '../../shared/errors.ts';
import { parseTable, readText } from './tabular.ts';

/**
 * Population targets for IPF. The default comes from the vendored UN World Population Prospects 2024
 * (medium variant, 2024): region shares from country populations and the female/male split from the
 * countries' male and female populations (`population_by_sex_2024_thousands.tsv`). Any other marginals
 * (age, language, profession) come from a targets file.
 */
const wppDir = fileURLToPath(new URL('./data/wpp2024/', import.meta.url));

/** `continent`: the six UN geographic regions (Africa, Asia, Europe, Latin America and the Caribbean,
 * Northern America, Oceania). `subregion`: the 22 UN sub-regions (Eastern Africa, Western Europe, ...). */
export type RegionScheme = 'continent' | 'subregion';

export interface Country {
  name: string;
  /** UN M49 numeric code. */
  code: number;
  continent: string;
  subregion: string;
  /** Population in thousands, 2024. */
  population: number;
  /** Male and female population in thousands, 2024. */
  male: number;
  female: number;
}

interface Wpp {
  countries: Country[];
}

let wppPromise: Promise<Wpp> | undefined;

/** Every country and area of WPP 2024 with its region, population and population by sex. */
export async function wppCountries(): Promise<Country[]> {
  return (await loadWpp()).countries;
}

function loadWpp(): Promise<Wpp> {
  wppPromise ??= (async () => {
    const read = async (file: string) => parseTable(await readText(wppDir + file), `wpp2024/${file}`, { delimiter: '\t', quote: false });
    const [locations, population, bySex] = await Promise.all([
      read('locations.tsv'),
      read('population_2024_thousands.tsv'),
      read('population_by_sex_2024_thousands.tsv'),
    ]);
    const byCode = (rows: Record<string, string>[], column: string) => new Map(rows.map((r) => [Number(r.country_code), Number(r[column])]));
    const pop = byCode(population, '2024');
    const male = byCode(bySex, 'male');
    const female = byCode(bySex, 'female');
    // location_type 4 = a country or area; the others are aggregates (world, regions, income groups).
    const countries = locations
      .filter((r) => r.location_type === '4')
      .map((r) => {
        const code = Number(r.country_code);
        return {
          name: r.name!,
          code,
          continent: r.area_name!,
          // Northern America has no sub-regions in the UN scheme: it is its own.
          subregion: r.reg_name || r.area_name!,
          population: pop.get(code) ?? NaN,
          male: male.get(code) ?? NaN,
          female: female.get(code) ?? NaN,
        };
      })
      .filter((c) => Number.isFinite(c.population) && Number.isFinite(c.male) && Number.isFinite(c.female));
    return { countries };
  })();
  return wppPromise;
}

/**
 * Region and gender shares of the world population, as IPF targets: regions from the summed country
 * populations, gender from the summed male and female populations (World 2024: 1.011 males per female —
 * not the sex ratio at birth, 1.054, which an earlier copy of these tables shipped by mistake).
 */
export async function wppTargets(scheme: RegionScheme = 'continent'): Promise<Targets> {
  const { countries } = await loadWpp();
  const region: Record<string, number> = {};
  let total = 0;
  let males = 0;
  let females = 0;
  for (const c of countries) {
    const key = scheme === 'continent' ? c.continent : c.subregion;
    region[key] = (region[key] ?? 0) + c.population;
    total += c.population;
    males += c.male;
    females += c.female;
  }
  for (const k of Object.keys(region)) region[k] = region[k]! / total;
  return { region, gender: { female: females / (males + females), male: males / (males + females) } };
}

/** Everyday names for countries whose WPP name is formal. */
const ALIASES: Record<string, string> = {
  usa: 'United States of America', us: 'United States of America', 'united states': 'United States of America', america: 'United States of America',
  uk: 'United Kingdom', 'great britain': 'United Kingdom', britain: 'United Kingdom', england: 'United Kingdom', scotland: 'United Kingdom', wales: 'United Kingdom',
  russia: 'Russian Federation', 'south korea': 'Republic of Korea', korea: 'Republic of Korea', 'north korea': "Dem. People's Republic of Korea",
  iran: 'Iran (Islamic Republic of)', vietnam: 'Viet Nam', syria: 'Syrian Arab Republic', laos: "Lao People's Democratic Republic",
  bolivia: 'Bolivia (Plurinational State of)', venezuela: 'Venezuela (Bolivarian Republic of)', tanzania: 'United Republic of Tanzania',
  moldova: 'Republic of Moldova', 'czech republic': 'Czechia', turkey: 'Turkiye', 'türkiye': 'Turkiye', taiwan: 'China, Taiwan Province of China',
  'hong kong': 'China, Hong Kong SAR', macau: 'China, Macao SAR', macao: 'China, Macao SAR', 'ivory coast': "Cote d'Ivoire",
  "côte d'ivoire": "Cote d'Ivoire", 'cape verde': 'Cabo Verde', swaziland: 'Eswatini', palestine: 'State of Palestine', kosovo: 'Kosovo (under UNSC res. 1244)',
  'the netherlands': 'Netherlands', holland: 'Netherlands', micronesia: 'Micronesia (Fed. States of)', 'dr congo': 'Democratic Republic of the Congo', drc: 'Democratic Republic of the Congo',
};

const normalise = (s: string) => s.trim().toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/\s+/g, ' ');

/** Resolves a country given as a WPP name, an everyday alias or an M49 code to its region in the scheme. */
export async function countryRegionResolver(scheme: RegionScheme = 'continent'): Promise<(country: string) => string> {
  const countries = await wppCountries();
  const byName = new Map<string, Country>();
  for (const c of countries) {
    byName.set(normalise(c.name), c);
    byName.set(String(c.code), c);
  }
  for (const [alias, name] of Object.entries(ALIASES)) {
    const c = byName.get(normalise(name));
    if (c) byName.set(alias, c);
  }
  return (country) => {
    const c = byName.get(normalise(country));
    if (!c) {
      throw new InputError(`unknown country '${country}'; use a UN WPP 2024 name (server/datasets/data/wpp2024/locations.tsv) or an M49 code`);
    }
    return scheme === 'continent' ? c.continent : c.subregion;
  };
}

/** Maps common spellings of the two WPP sexes onto its categories; anything else is kept as given. */
export function normaliseGender(value: string): string {
  const v = value.trim().toLowerCase();
  if (['f', 'female', 'woman', 'women'].includes(v)) return 'female';
  if (['m', 'male', 'man', 'men'].includes(v)) return 'male';
  return value.trim();
}

/** The built-in target sources and the region scheme each implies. */
export const WPP_SOURCES = { wpp2024: 'continent', 'wpp2024-subregion': 'subregion' } as const satisfies Record<string, RegionScheme>;
export const isWppSource = (source: string): source is keyof typeof WPP_SOURCES => Object.hasOwn(WPP_SOURCES, source);

export interface LoadedTargets {
  targets: Targets;
  /** The WPP region scheme when a WPP source is among them (countries are then mapped to regions). */
  scheme?: RegionScheme;
  /** Which source each axis' marginals came from. */
  axisSource: Record<string, string>;
}

/**
 * Targets from several sources — `wpp2024`, `wpp2024-subregion` or a `{"axis": {"category": share}}`
 * file — merged in order, a later source replacing an earlier one's axis (so a file can add age,
 * language and profession to WPP's region and gender, or override one of them).
 */
export async function loadTargets(sources: readonly string[]): Promise<LoadedTargets> {
  if (sources.length === 0) throw new InputError('targets: name at least one source (wpp2024, wpp2024-subregion or a JSON file)');
  const wpp = sources.filter(isWppSource);
  if (wpp.length > 1) throw new InputError(`targets: ${wpp.join(' and ')} are two region schemes; keep one`);
  const targets: Targets = {};
  const axisSource: Record<string, string> = {};
  for (const source of sources) {
    const t = isWppSource(source) ? await wppTargets(WPP_SOURCES[source]) : await readTargets(source);
    for (const [axis, shares] of Object.entries(t)) {
      targets[axis] = shares;
      axisSource[axis] = source;
    }
  }
  return { targets, ...(wpp[0] ? { scheme: WPP_SOURCES[wpp[0]] } : {}), axisSource };
}

/**
 * Demographic labels in WPP's terms: a `country` becomes its UN `region` (unless a region is given) and
 * gender spellings are unified. An unknown country is an error, or with `unknownCountry: 'keep'` the
 * category "unknown country: X", which has no target and is reported as such.
 */
export async function wppLabels(scheme: RegionScheme, options: { unknownCountry?: 'error' | 'keep' } = {}): Promise<(labels: Readonly<Record<string, string>>) => Record<string, string>> {
  const region = await countryRegionResolver(scheme);
  return (labels) => {
    const out = { ...labels };
    if (out.country !== undefined && out.region === undefined) {
      try {
        out.region = region(out.country);
      } catch (err) {
        if (options.unknownCountry !== 'keep') throw err;
        out.region = `unknown country: ${out.country.trim()}`;
      }
      delete out.country;
    }
    if (out.gender !== undefined) out.gender = normaliseGender(out.gender);
    return out;
  };
}

const TargetsSchema = z.record(z.string().min(1), z.record(z.string().min(1), z.number().min(0).max(1)));

/** A targets file: {"axis": {"category": share, ...}, ...}, each axis' shares summing to 1. */
export async function readTargets(path: string): Promise<Targets> {
  const text = await readText(path, `targets file ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(`targets file ${path} is not valid JSON; expected {"axis": {"category": share}}`);
  }
  const parsed = TargetsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`targets file ${path}: ${issue.path.length ? `at ${issue.path.join('.')}: ` : ''}${issue.message}; expected {"axis": {"category": share between 0 and 1}}`);
  }
  return parsed.data;
}

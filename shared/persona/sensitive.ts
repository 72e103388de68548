/**
 * Sensitive-attribute guard for persona text: statements that ATTRIBUTE to the person a race or ethnicity,
 * a political affiliation, a religion, a sexual orientation or a health condition. Generated personas lose
 * the sentences that carry them (by default); a person editing their own persona sees the same findings
 * inline and decides.
 *
 * Precision over recall, by construction: a term counts only where the text says it of "you" (you are …,
 * you've been …, as a …, your … faith, you vote …, you have <condition>), so interests survive — Gothic
 * architecture, black-and-white film, Christmas markets, a black belt, white-water kayaking, reading about
 * political history. Gender, age, nationality and region are NOT sensitive here (the questionnaire asks
 * for them and the paper's personas use them, e.g. "Brazilian street photographer").
 */

export type SensitiveCategory = 'race-ethnicity' | 'politics' | 'religion' | 'sexual-orientation' | 'health';

export interface SensitiveFinding {
  category: SensitiveCategory;
  /** Offsets into the text, end exclusive, of the phrase that triggered the finding. */
  start: number;
  end: number;
  match: string;
}

// ── Building blocks ────────────────────────────────────────────────────────────────────────────────
const alt = (words: readonly string[]) => words.join('|');

/** "you are", "you're", "you've been", "you identify as", "as a", "as someone who is" … */
const BE = String.raw`(?:you\s+are|you're|you’re|you\s+were|you've\s+been|you’ve\s+been|you\s+have\s+been|you\s+became|you\s+remain|you\s+identify\s+as|you\s+consider\s+yourself(?:\s+to\s+be)?|you\s+describe\s+yourself\s+as|you\s+come\s+across\s+as|you\s+seem(?:\s+to\s+be)?|as\s+someone\s+who\s+is|as\s+an?)`;

/** Articles and intensifiers that may sit between "you are" and the attribute ("a devout", "a proud, lifelong"). */
const FILLER = String.raw`(?:[\s,]+(?:a|an|the|very|quite|deeply|devout|devoutly|practicing|practising|observant|proud|lifelong|committed|staunch|strongly|fairly|somewhat|openly|born-again|fellow|self-described|self-identified|card-carrying|active|loyal|die-hard|diehard|lapsed|former|non-practicing|non-practising|\p{L}+ly))*`;

/** Person nouns that may follow an ethnic adjective ("a Black woman", "an Asian American student"). */
const PERSON = alt([
  'man', 'woman', 'men', 'women', 'person', 'people', 'guy', 'girl', 'boy', 'lady', 'gentleman', 'male', 'female',
  'mother', 'mom', 'mum', 'father', 'dad', 'parent', 'son', 'daughter', 'family', 'kid', 'teen', 'teenager',
  'adult', 'individual', 'american', 'americans', 'british', 'canadian', 'immigrant', 'student', 'professional',
  'creator', 'artist', 'photographer', 'gamer', 'millennial', 'millennials', 'veteran', 'nurse', 'engineer',
]);

/** Where an attribute adjective ends: sentence punctuation, "and/but", or a person noun. "a black belt" fails. */
const ENDS_AS_PERSON = String.raw`(?=\s*(?:[.,;:!?)]|$)|\s+(?:and|but|who|with|from|living)\b|\s+(?:${PERSON})\b)`;

const ETHNIC = alt([
  'black', 'white', 'asian', 'hispanic', 'latino', 'latina', 'latinx', 'latine', 'caucasian', 'biracial',
  'multiracial', 'mixed[- ]race', 'african[- ]american', 'asian[- ]american', 'native american', 'indigenous',
  'pacific islander', 'first nations', 'aboriginal', 'person of colou?r', 'poc', 'bipoc', 'desi', 'arab',
]);

const RELIGION = alt([
  'catholic', 'roman catholic', 'protestant', 'christian', 'evangelical', 'baptist', 'methodist', 'lutheran',
  'presbyterian', 'anglican', 'episcopalian', 'pentecostal', 'mormon', 'lds', 'jehovah[’\']?s witness', 'quaker',
  'muslim', 'moslem', 'sunni', 'shia', 'shiite', 'jewish', 'jew', 'orthodox jew', 'hasidic', 'hindu', 'buddhist',
  'sikh', 'jain', 'taoist', 'shinto', 'pagan', 'wiccan', 'atheist', 'agnostic', 'religious', 'spiritual',
  'churchgoer', 'church-goer', 'person of faith', 'born-again christian',
]);

/** Adherent nouns behind "your … faith/upbringing" and "raised …". */
const FAITH_ADJ = alt([
  'catholic', 'protestant', 'christian', 'evangelical', 'baptist', 'mormon', 'lds', 'muslim', 'islamic', 'jewish',
  'hindu', 'buddhist', 'sikh', 'pagan', 'religious',
]);

const PARTY = alt([
  'democrats?', 'democratic party', 'republicans?', 'gop', 'labour', 'labor party', 'tory', 'tories',
  'conservative party', 'liberal democrats?', 'lib dems?', 'green party', 'greens', 'libertarian party', 'snp',
  'ukip', 'reform uk', 'afd', 'ndp', 'maga', 'trump', 'biden', 'harris', 'obama', 'bernie(?: sanders)?',
]);

/** Affiliation nouns that say politics on their own ("you are a Republican", "you're a socialist"). */
const POLITICAL_NOUN = alt([
  'democrat', 'republican', 'socialist', 'democratic socialist', 'communist', 'marxist', 'libertarian', 'anarchist',
  'leftist', 'left-winger', 'right-winger', 'tory', 'trump supporter', 'maga supporter', 'white nationalist',
]);

/** Words that are politics only as nouns with an article: "a conservative" yes, "conservative with money" no. */
const POLITICAL_ARTICLE_NOUN = alt(['liberal', 'conservative', 'progressive', 'centrist', 'moderate', 'nationalist']);

const ORIENTATION = alt([
  'gay', 'lesbian', 'bisexual', 'bi', 'pansexual', 'asexual', 'aromantic', 'queer', 'homosexual', 'heterosexual',
  'lgbt', 'lgbtq', 'lgbtq\\+', 'lgbtqia\\+?',
]);

const CONDITION = alt([
  'adhd', 'autism', 'asperger[’\']?s', 'depression', 'clinical depression', 'anxiety', 'an anxiety disorder',
  'anxiety disorder', 'social anxiety', 'panic attacks', 'bipolar(?: disorder)?', 'schizophrenia', 'ptsd', 'c-ptsd',
  'ocd', 'an eating disorder', 'eating disorder', 'anorexia', 'bulimia', 'diabetes', 'type [12] diabetes', 'cancer',
  'hiv', 'epilepsy', 'chronic pain', 'a chronic illness', 'chronic illness', 'chronic fatigue', 'fibromyalgia',
  'multiple sclerosis', 'crohn[’\']?s', 'ibs', 'celiac disease', 'coeliac disease', 'arthritis', 'asthma',
  'migraines', 'long covid', 'a disability', 'disabilities', 'dyslexia', 'dyspraxia', 'tourette[’\']?s',
  'a mental illness', 'mental illness', 'an addiction', 'addiction', 'alcoholism', 'substance abuse', 'insomnia',
  'infertility', 'a heart condition', 'heart disease', 'dementia', 'parkinson[’\']?s', 'alzheimer[’\']?s',
]);

const HEALTH_ADJ = alt([
  'autistic', 'neurodivergent', 'diabetic', 'bipolar', 'depressed', 'clinically depressed', 'disabled', 'deaf',
  'hard of hearing', 'blind', 'visually impaired', 'epileptic', 'anorexic', 'bulimic', 'an alcoholic', 'alcoholic',
  'a recovering alcoholic', 'a recovering addict', 'an addict', 'in recovery', 'in therapy', 'on the spectrum',
  'immunocompromised', 'chronically ill', 'terminally ill', 'pregnant', 'infertile', 'a wheelchair user',
  'wheelchair-bound', 'a cancer survivor', 'hiv-positive', 'hiv positive',
]);

const HEALTH_VERB = String.raw`(?:you\s+(?:have|had|live\s+with|lived\s+with|are\s+living\s+with|suffer\s+from|suffered\s+from|struggle\s+with|struggled\s+with|are\s+struggling\s+with|battle|battled|are\s+battling|manage|deal\s+with|dealt\s+with|cope\s+with|were\s+diagnosed\s+with|have\s+been\s+diagnosed\s+with|are\s+recovering\s+from|recovered\s+from|are\s+being\s+treated\s+for|take\s+medication\s+for|survived|are\s+in\s+remission\s+from)|as\s+someone\s+(?:with|who\s+has))`;

/** Word boundary that treats hyphenated compounds as words: "black-and-white", "white-water" never match "black". */
const END = String.raw`(?![\p{L}\p{N}-])`;

interface Rule {
  category: SensitiveCategory;
  pattern: RegExp;
}

const rule = (category: SensitiveCategory, source: string): Rule => ({ category, pattern: new RegExp(source, 'giu') });

/** After a condition: words that make it a topic of work or interest rather than the person's own. */
const NOT_OWN_CONDITION = String.raw`(?!\s+(?:patients?|research\w*|researchers?|awareness|charit\w*|fundrais\w*|wards?|units?|clinics?|survivors|support|prevention|treatments?|screening|studies|care|nurses?|doctors?|specialists?|sufferers|communit\w*|groups?|drugs?))`;

/** A noun must not follow (so "your race" matches, "your race times" does not). */
const ENDS_PHRASE = String.raw`(?=\s*(?:[.,;:!?)]|$)|\s+(?:and|or|is|was|as|has|shapes?|plays?|matters?)\b)`;

/** Frequency and manner adverbs between "you" and a verb ("you always vote", "you proudly support"). */
const ADVERB = String.raw`(?:always|usually|often|still|consistently|reliably|mostly|\p{L}+ly)`;

const RELIGIONS = alt(['islam', 'catholicism', 'christianity', 'judaism', 'buddhism', 'hinduism', 'sikhism', 'orthodoxy', 'mormonism', 'paganism', 'wicca', 'atheism']);

const RULES: Rule[] = [
  // Race / ethnicity
  rule('race-ethnicity', String.raw`\b${BE}${FILLER}\s+(?:${ETHNIC})${END}${ENDS_AS_PERSON}`),
  rule('race-ethnicity', String.raw`\byour\s+(?:${ETHNIC})\s+(?:heritage|identity|roots|background|community|culture)${END}`),
  rule('race-ethnicity', String.raw`\byour\s+(?:ethnicity|ethnic\s+(?:background|identity|heritage|roots)|race|racial\s+(?:identity|background))${END}${ENDS_PHRASE}`),

  // Religion
  rule('religion', String.raw`\b${BE}${FILLER}\s+(?:${RELIGION})${END}${ENDS_AS_PERSON}`),
  rule('religion', String.raw`\byou\s+(?:were\s+)?raised\s+(?:as\s+an?\s+|in\s+an?\s+|in\s+the\s+)?(?:${FAITH_ADJ})${END}`),
  rule('religion', String.raw`\byour\s+(?:(?:${FAITH_ADJ})\s+)?(?:faith(?!\s+in\b)|religion|religious\s+(?:beliefs?|views|identity|community|upbringing|background|practice)|spirituality|church|mosque|synagogue|congregation|parish)${END}`),
  rule('religion', String.raw`\byour\s+(?:${FAITH_ADJ})\s+(?:upbringing|background|beliefs?|identity|community|values|roots|heritage)${END}`),
  rule('religion', String.raw`\byou\s+(?:regularly\s+|faithfully\s+|still\s+|often\s+)?(?:attend|go\s+to)\s+(?:church|mass|mosque|synagogue|temple)${END}(?=\s*(?:[.,;:!?)]|$)|\s+(?:and|on|every|each|regularly|weekly|with|at|in)\b)`),
  rule('religion', String.raw`\byou\s+(?:have\s+)?convert(?:ed)?\s+to\s+(?:${RELIGIONS})${END}`),
  rule('religion', String.raw`\byou\s+(?:pray|prayed|read\s+the\s+(?:bible|quran|koran|torah|scriptures))\s+(?:daily|every\s+(?:day|morning|night)|regularly|five\s+times)`),

  // Politics
  rule('politics', String.raw`\byou\s+(?:${ADVERB}\s+)?(?:vote|voted|votes|have\s+voted)\s+(?:for\s+)?(?:the\s+)?(?:${PARTY}|left|right|liberal|conservative|progressive|blue|red)${END}`),
  rule('politics', String.raw`\byou\s+(?:${ADVERB}\s+)?(?:campaign(?:ed)?|canvass(?:ed)?|volunteer(?:ed)?)\s+for\s+(?:the\s+)?(?:${PARTY})${END}`),
  rule('politics', String.raw`\byou\s+(?:${ADVERB}\s+)?(?:support|supported|back|backed|are\s+a\s+member\s+of|belong\s+to)\s+(?:the\s+)?(?:${PARTY})${END}`),
  rule('politics', String.raw`\b${BE}${FILLER}\s+(?:${PARTY})\s+(?:supporter|voter|fan|member|loyalist)s?${END}`),
  rule('politics', String.raw`\b${BE}${FILLER}\s+(?:${POLITICAL_NOUN})${END}${ENDS_AS_PERSON}`),
  rule('politics', String.raw`\b${BE}\s+an?${FILLER}\s+(?:${POLITICAL_ARTICLE_NOUN})${END}${ENDS_AS_PERSON}`),
  rule('politics', String.raw`\b${BE}${FILLER}\s+(?:politically\s+(?:left|right|liberal|conservative|progressive|moderate|centrist|radical|libertarian|left-leaning|right-leaning)|(?:far-|far\s+)?(?:left|right)(?:-|\s)(?:leaning|wing|of\s+centre|of\s+center)|(?:socially|fiscally)\s+(?:liberal|conservative))${END}`),
  rule('politics', String.raw`\byour\s+political\s+(?:leanings?|affiliation|party|allegiance|identity)${END}`),
  rule('politics', String.raw`\byour\s+(?:${PARTY}|liberal|conservative|progressive|left-wing|right-wing|left-leaning|right-leaning|leftist|socialist)\s+(?:political\s+)?(?:views|values|beliefs|leanings|politics|sympathies|convictions)${END}`),

  // Sexual orientation
  rule('sexual-orientation', String.raw`\b${BE}${FILLER}\s+(?:${ORIENTATION})${END}${ENDS_AS_PERSON}`),
  rule('sexual-orientation', String.raw`\b${BE}${FILLER}\s+straight(?=\s*(?:[.,;!?]|$)|\s+(?:and|but|man|woman|guy|girl|male|female)\b)`),
  rule('sexual-orientation', String.raw`\byour\s+(?:sexuality|sexual\s+orientation|coming[- ]out|same-sex\s+(?:partner|relationship|marriage))${END}`),
  rule('sexual-orientation', String.raw`\byou\s+came\s+out\s+(?:as\s+(?:${ORIENTATION}|trans|transgender)|to\s+your\s+(?:family|parents|friends|mother|father|mom|dad))${END}`),
  rule('sexual-orientation', String.raw`\b(?:part|a\s+member|member)\s+of\s+the\s+(?:${ORIENTATION}|gay|queer)\+?\s+community${END}`),

  // Health
  rule('health', String.raw`\b${HEALTH_VERB}\s+(?:(?:severe|mild|chronic|diagnosed|undiagnosed|lifelong|ongoing|crippling|some|a\s+history\s+of|bouts\s+of)\s+)*(?:${CONDITION})${END}${NOT_OWN_CONDITION}`),
  rule('health', String.raw`\b${BE}${FILLER}\s+(?:${HEALTH_ADJ})${END}${ENDS_AS_PERSON}`),
  rule('health', String.raw`\byour\s+(?:(?:${CONDITION})|diagnosis|illness|disability|therapist|psychiatrist|medication|meds|mental\s+health\s+(?:struggles|issues|condition|diagnosis)|chronic\s+(?:illness|pain|condition|fatigue)|sobriety|pregnancy)${END}${NOT_OWN_CONDITION}`),
  rule('health', String.raw`\byou\s+(?:take|are\s+on|started)\s+(?:antidepressants|ssris?|insulin|adderall|ritalin|medication\s+for\s+\p{L}+)${END}`),
];

/**
 * Every sensitive attribution in `text`, in order of appearance; overlapping matches of the same category
 * are merged. Pure and fast (a few dozen regular expressions): the extension runs it on every keystroke.
 */
export function findSensitive(text: string): SensitiveFinding[] {
  const found: SensitiveFinding[] = [];
  for (const { category, pattern } of RULES) {
    pattern.lastIndex = 0;
    for (const m of text.matchAll(pattern)) {
      const start = m.index;
      found.push({ category, start, end: start + m[0].length, match: m[0] });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: SensitiveFinding[] = [];
  for (const f of found) {
    const prev = merged.findLast((p) => p.category === f.category && f.start < p.end);
    if (prev) {
      if (f.end > prev.end) {
        prev.end = f.end;
        prev.match = text.slice(prev.start, prev.end);
      }
      continue;
    }
    merged.push({ ...f });
  }
  return merged;
}

export interface RemovedSentence {
  sentence: string;
  categories: SensitiveCategory[];
}

export interface GuardResult {
  /** The text without the flagged sentences (unchanged when `keep` was set). */
  text: string;
  removed: RemovedSentence[];
  findings: SensitiveFinding[];
}

/** Sentence spans: a sentence ends at . ! ? (plus closing quotes/brackets) before whitespace, or at a line break. */
export function sentenceSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let start = 0;
  for (const m of text.matchAll(/[.!?]+["'”’)\]]*(?=\s|$)|\n+/gu)) {
    const end = m.index + m[0].length;
    if (text.slice(start, end).trim()) spans.push({ start, end });
    start = end;
  }
  if (text.slice(start).trim()) spans.push({ start, end: text.length });
  return spans;
}

/**
 * Removes every sentence that carries a finding (default). With `keep` nothing is removed and the findings
 * are only reported — for a person editing their own persona, who may say what they like about themselves.
 */
export function guardSensitive(text: string, options: { keep?: boolean } = {}): GuardResult {
  const findings = findSensitive(text);
  if (findings.length === 0) return { text, removed: [], findings };
  const removed: RemovedSentence[] = [];
  const keptParts: string[] = [];
  for (const span of sentenceSpans(text)) {
    const hits = findings.filter((f) => f.start < span.end && f.end > span.start);
    const sentence = text.slice(span.start, span.end);
    if (hits.length === 0) keptParts.push(sentence);
    else removed.push({ sentence: sentence.trim(), categories: [...new Set(hits.map((h) => h.category))] });
  }
  if (options.keep) return { text, removed: [], findings };
  return { text: keptParts.join('').replace(/[ \t]+/g, ' ').replace(/ *\n */g, '\n').trim(), removed, findings };
}

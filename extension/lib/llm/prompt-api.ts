/**
 * The browser's built-in language model — Chrome's Prompt API (`LanguageModel`, Chrome 138+, Gemini Nano,
 * in extension pages and the service worker) — typed as far as ZIPP uses it, after the explainer
 * (github.com/webmachinelearning/prompt-api) and Chrome's documentation. Nothing here leaves the device.
 */
/** How results name the model (the API does not say which one the browser runs). */
export const ON_DEVICE_MODEL = 'built-in model (on this device)';

export type Availability = 'unavailable' | 'downloadable' | 'downloading' | 'available';

export interface LanguageModelParams {
  defaultTopK: number;
  maxTopK: number;
  defaultTemperature: number;
  maxTemperature: number;
}

export interface LanguageModelMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What the download monitor dispatches: `loaded` from 0 to 1. */
export interface DownloadProgressEvent extends Event {
  loaded: number;
}

export interface CreateMonitor {
  addEventListener(type: 'downloadprogress', listener: (e: DownloadProgressEvent) => void): void;
}

export interface ExpectedIO {
  type: 'text';
  languages?: string[];
}

export interface LanguageModelCreateOptions {
  initialPrompts?: LanguageModelMessage[];
  /** The API takes temperature and topK together or not at all. */
  temperature?: number;
  topK?: number;
  expectedInputs?: ExpectedIO[];
  expectedOutputs?: ExpectedIO[];
  signal?: AbortSignal;
  monitor?(m: CreateMonitor): void;
}

export interface LanguageModelSession {
  prompt(input: string, options?: { signal?: AbortSignal }): Promise<string>;
  /** Chunks of the answer as it is written (each one new text, since Chrome 137). */
  promptStreaming(input: string, options?: { signal?: AbortSignal }): ReadableStream<string>;
  readonly inputUsage?: number;
  readonly inputQuota?: number;
  destroy(): void;
}

export interface LanguageModelStatic {
  availability(options?: Pick<LanguageModelCreateOptions, 'expectedInputs' | 'expectedOutputs' | 'temperature' | 'topK'>): Promise<Availability>;
  /** Extension contexts only. */
  params?(): Promise<LanguageModelParams | null>;
  create(options?: LanguageModelCreateOptions): Promise<LanguageModelSession>;
}

/** The Prompt API of this context, or undefined where the browser does not offer one (Firefox, Chromium without the model). */
export function promptApi(scope: object = globalThis): LanguageModelStatic | undefined {
  const api = (scope as { LanguageModel?: LanguageModelStatic }).LanguageModel;
  return typeof api?.create === 'function' && typeof api.availability === 'function' ? api : undefined;
}

/** ZIPP writes and reads English; saying so lets the browser pick (or refuse) a model up front. */
export const ENGLISH: Pick<LanguageModelCreateOptions, 'expectedInputs' | 'expectedOutputs'> = {
  expectedInputs: [{ type: 'text', languages: ['en'] }],
  expectedOutputs: [{ type: 'text', languages: ['en'] }],
};

/** Said where the browser has no built-in model (the Connection page and errors). */
export const NO_PROMPT_API =
  "this browser does not offer a built-in language model (Chrome's Prompt API: Chrome 138 or later on a desktop that meets its hardware requirements); pick another provider";

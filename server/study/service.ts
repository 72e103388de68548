import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ChatClient } from '../../shared/llm/types.ts';
import { personaFromQuestionnaire } from '../../shared/persona/index.ts';
import { methodPrompt } from '../bench/method-prompt.ts';
import { StaticFeatures } from '../bench/static-features.ts';
import { createEnginePool } from '../engines/config.ts';
import { ImageCache, canonicalJson, type CachedImage } from '../engines/image-cache.ts';
import type { EnginePool } from '../engines/pool.ts';
import { armLabel, loadStudyConfig, type StudyArm, type StudyConfig } from './config.ts';
import { StudyDb, type ParticipantRow, type TrialRow } from './db.ts';
import { withoutMetadata } from './image-metadata.ts';
import { planTrials, seededRandom } from './plan.ts';
import { studyDbPath } from './results.ts';

/** What a participant's page gets for one trial: no method, arm or engine, only the two pictures. */
export interface TrialView {
  trial: number;
  /** 1-based position among the participant's trials. */
  position: number;
  total: number;
  prompt: string;
  /**
   * Opaque ids of the left and right picture, random per trial and only valid for this participant
   * (GET …/participants/{p}/images/{id}): content hashes would let a participant match pictures across
   * trials and participants, and so tell the arms apart.
   */
  left: string;
  right: string;
}

export interface StudyServiceOptions {
  dataDir: string;
  /** Study configs: `<id>.json` files (default `<dataDir>/studies`). */
  studiesDir?: string;
  /** The LLM that writes personas and rewrites (throws when none is configured). */
  llm: () => ChatClient;
  onError?: (message: string, error: unknown) => void;
}

/**
 * The A/B study behind the participant page: joining (questionnaire → persona → a stored trial plan),
 * preparing each trial's two images (rewrite per arm, then the arm's engine, same seed for both), and
 * recording choices. The next trial is prepared in the background while the participant looks at the
 * current one; concurrent requests for the same trial share one preparation.
 */
export class StudyService {
  readonly db: StudyDb;
  readonly studiesDir: string;
  readonly images: ImageCache;
  private readonly pools = new Map<string, EnginePool>();
  private readonly preparing = new Map<string, Promise<TrialRow>>();

  constructor(private readonly options: StudyServiceOptions) {
    this.db = new StudyDb(studyDbPath(options.dataDir));
    this.studiesDir = options.studiesDir ?? join(options.dataDir, 'studies');
    this.images = new ImageCache(join(options.dataDir, 'study-images'));
  }

  config(id: string): Promise<StudyConfig> {
    return loadStudyConfig(this.studiesDir, id);
  }

  /** Validates the answers (QuestionnaireError on bad ones), asks the LLM for the persona, stores the plan. */
  async join(study: StudyConfig, answers: unknown, signal?: AbortSignal): Promise<{ participant: string; trials: number }> {
    const persona = await personaFromQuestionnaire(this.options.llm(), answers, signal ? { signal } : {});
    const id = `p_${randomBytes(12).toString('hex')}`;
    const plan = planTrials(study, id);
    const conditions = new Map(study.conditions.map((c) => [c.id, c]));
    this.db.addParticipant(
      { id, study: study.id, answers, persona: persona.text, personaModel: persona.model, usage: persona.usage, createdAt: new Date().toISOString() },
      plan.map((t, idx) => ({ idx, condition: t.condition, aLabel: armLabel(conditions.get(t.condition)!.a), bLabel: armLabel(conditions.get(t.condition)!.b), prompt: t.prompt, left: t.left, seed: t.seed })),
    );
    return { participant: id, trials: plan.length };
  }

  participant(study: StudyConfig, id: string): ParticipantRow | undefined {
    const p = this.db.participant(id);
    return p && p.study === study.id ? p : undefined;
  }

  /** The first unanswered trial with its images ready (undefined when all are done); the one after it starts preparing. */
  async next(study: StudyConfig, participant: ParticipantRow): Promise<TrialView | undefined> {
    const trials = this.db.trials(participant.id);
    const open = trials.filter((t) => t.choice === null);
    if (open.length === 0) return undefined;
    const prepared = await this.prepare(study, participant, open[0]!);
    if (open[1]) this.prepare(study, participant, open[1]).catch((err) => this.options.onError?.('preparing the next study trial failed; it is retried when shown', err));
    this.db.markShown(participant.id, prepared.idx);
    const current = this.db.ensureRefs(participant.id, prepared.idx)!;
    const [left, right] = current.left === 'a' ? [current.aRef!, current.bRef!] : [current.bRef!, current.aRef!];
    return { trial: current.idx, position: trials.length - open.length + 1, total: trials.length, prompt: current.prompt, left, right };
  }

  /** Records a pick; 'taken' when the trial was already answered, 'unknown' when there is no such trial. */
  choose(participant: ParticipantRow, idx: number, choice: 'left' | 'right'): 'ok' | 'taken' | 'unknown' | 'not-shown' {
    const trial = this.db.trial(participant.id, idx);
    if (!trial) return 'unknown';
    if (trial.choice !== null) return 'taken';
    if (!trial.shownAt) return 'not-shown';
    const winner = choice === 'left' ? trial.left : trial.left === 'a' ? 'b' : 'a';
    return this.db.choose(participant.id, idx, choice, winner) ? 'ok' : 'taken';
  }

  /** One of the participant's trial images by its opaque id; undefined for any other id. */
  async image(participant: ParticipantRow, ref: string): Promise<CachedImage | undefined> {
    const key = this.db.imageByRef(participant.id, ref);
    const image = key ? await this.images.get(key) : undefined;
    // The engine's metadata (ComfyUI's workflow, A1111's parameters) names the rewritten prompt: never sent.
    return image && { ...image, bytes: withoutMetadata(image.bytes, image.mime) };
  }

  close(): void {
    this.db.close();
  }

  private prepare(study: StudyConfig, participant: ParticipantRow, trial: TrialRow): Promise<TrialRow> {
    if (trial.aImage && trial.bImage) return Promise.resolve(trial);
    const key = `${participant.id}:${trial.idx}`;
    let running = this.preparing.get(key);
    if (!running) {
      running = this.render(study, participant, trial).finally(() => this.preparing.delete(key));
      this.preparing.set(key, running);
    }
    return running;
  }

  private async render(study: StudyConfig, participant: ParticipantRow, trial: TrialRow): Promise<TrialRow> {
    const condition = study.conditions.find((c) => c.id === trial.condition);
    if (!condition) throw new Error(`study ${study.id} no longer has condition ${trial.condition}; restore it to finish this participant's trials`);
    const [a, b] = await Promise.all([this.renderArm(study, participant, trial, condition.a), this.renderArm(study, participant, trial, condition.b)]);
    this.db.setImages(participant.id, trial.idx, a, b);
    return this.db.trial(participant.id, trial.idx)!;
  }

  private async renderArm(study: StudyConfig, participant: ParticipantRow, trial: TrialRow, arm: StudyArm): Promise<{ prompt: string; image: string }> {
    const persona = arm.persona === 'own' ? participant.persona : this.otherPersona(study, participant, trial.idx);
    // Participants bring no prompt history: the study's history list stands in, else its other prompts.
    const history = study.history.length ? study.history : study.prompts.filter((p) => p !== trial.prompt);
    const features = arm.method.method === 'static' ? new StaticFeatures([]).featuresOf({ history: study.history, persona }) : undefined;
    const needsLlm = arm.method.method !== 'original' && arm.method.method !== 'static';
    const { prompt } = await methodPrompt(arm.method, { prompt: trial.prompt, persona, history, ...(features ? { features } : {}) }, needsLlm ? this.options.llm() : undefined);
    const engine = arm.engine ?? Object.keys(study.engines)[0]!;
    const image = await this.pool(study, engine).generate({
      prompt,
      seed: trial.seed,
      model: arm.model ?? study.model,
      ...(study.generation.steps ? { steps: study.generation.steps } : {}),
      ...(study.generation.size ? { width: study.generation.size, height: study.generation.size } : {}),
    });
    return { prompt, image: image.key };
  }

  /** Another participant's persona, picked at random (reproducibly per trial); the config's list until there is one. */
  private otherPersona(study: StudyConfig, participant: ParticipantRow, idx: number): string {
    const others = this.db.otherPersonas(study.id, participant.id);
    const pool = others.length ? others : study.otherPersonas;
    return pool[Math.floor(seededRandom(`${participant.id}:${idx}:other`)() * pool.length)]!;
  }

  private pool(study: StudyConfig, engine: string): EnginePool {
    const config = study.engines[engine]!;
    const key = canonicalJson(config);
    let pool = this.pools.get(key);
    if (!pool) {
      pool = createEnginePool({ ...config, cacheDir: this.images.dir });
      this.pools.set(key, pool);
    }
    return pool;
  }
}

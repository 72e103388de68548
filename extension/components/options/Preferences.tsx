import { listPersonas } from '../../lib/store/personas.ts';
import { getPreferences, updatePreferences } from '../../lib/store/preferences.ts';
import type { Preferences as Prefs } from '../../lib/store/records.ts';
import { pageDb, useLive } from '../common/db.ts';

/** How rewrites are made and where the encoder runs. */
export function Preferences() {
  const prefs = useLive((db) => getPreferences(db));
  const personas = useLive((db) => listPersonas(db)) ?? [];
  if (!prefs) return null;
  const set = (patch: Partial<Prefs>) => void updatePreferences(pageDb(), patch);
  return (
    <section aria-labelledby="prefs-title">
      <h2 id="prefs-title">Preferences</h2>
      <form className="form" onSubmit={(e) => e.preventDefault()}>
        <label>
          Rewrite method
          <select value={prefs.method} onChange={(e) => set({ method: e.target.value as Prefs['method'] })}>
            <option value="auto">Automatic: with your past prompts from the site when there are some</option>
            <option value="persona">Persona only (zero-shot)</option>
            <option value="fewshot">Persona + your past prompts from the site (few-shot)</option>
          </select>
        </label>
        <label>
          Past prompts shown to the model (few-shot)
          <input type="number" min={1} max={5} value={prefs.fewShotK} onChange={(e) => set({ fewShotK: Math.min(5, Math.max(1, Number(e.target.value) || 1)) })} />
        </label>
        <label>
          Rewrite strength
          <select value={prefs.strength} onChange={(e) => set({ strength: e.target.value as Prefs['strength'] })} data-testid="strength-pref">
            <option value="subtle">Subtle: keep my wording, add a detail or two (temperature 0.5)</option>
            <option value="balanced">Balanced (temperature 0.7, as in the paper)</option>
            <option value="strong">Strong: make it unmistakably mine (temperature 0.9)</option>
          </select>
        </label>
        <label>
          Two candidates
          <select value={prefs.candidates} onChange={(e) => set({ candidates: e.target.value as Prefs['candidates'] })} data-testid="candidates-pref">
            <option value="one">Off: one rewrite</option>
            <option value="persona-vs-none">Persona vs no persona (counts toward “Does my persona help?”)</option>
            <option value="persona-vs-persona">Persona vs a second persona</option>
          </select>
          <span className="hint">Each rewrite comes as two, in random order; the one you use is kept as a vote on this computer.</span>
        </label>
        {prefs.candidates === 'persona-vs-persona' && (
          <label>
            Second persona
            <select value={prefs.comparePersonaId ?? ''} onChange={(e) => set({ comparePersonaId: e.target.value || undefined })} data-testid="compare-persona">
              <option value="">Pick one…</option>
              {personas.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Where the persona encoder runs
          <select value={prefs.inferenceBackend} onChange={(e) => set({ inferenceBackend: e.target.value as Prefs['inferenceBackend'] })} data-testid="backend-pref">
            <option value="auto">Automatic: WebGPU when available, else WebAssembly</option>
            <option value="webgpu">WebGPU</option>
            <option value="wasm">WebAssembly (CPU)</option>
          </select>
        </label>
      </form>
    </section>
  );
}

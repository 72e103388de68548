import { useEffect, useState } from 'react';
import { Health, ServerConfigInfo } from '../../../../shared/api/server-info.ts';
import { api, ApiFailure } from '../api.ts';

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

/** "local: llama3.1 at http://…/v1 · no key" — what a benchmark gets when it picks this endpoint by name. */
function endpointLine(e: ServerConfigInfo['llmEndpoints'][number]): string {
  const model = e.model ?? (e.models ? 'no default model' : 'model named by the request');
  const only = e.models ? ` · only ${e.models.join(', ')}` : '';
  return `${e.name}: ${model} at ${e.baseUrl}${only} · ${e.key ? 'with its key' : 'no key'}`;
}

/** Health (public) and configuration (LLM, named endpoints, encoder, image engines, limits), refreshed every 5 s. */
export function StatusPanel({ onUnauthorized }: { onUnauthorized: (message: string) => void }) {
  const [health, setHealth] = useState<Health>();
  const [config, setConfig] = useState<ServerConfigInfo>();
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        const [h, c] = await Promise.all([api('GET', '/v1/health', Health), api('GET', '/v1/config', ServerConfigInfo)]);
        if (!live) return;
        setHealth(h);
        setConfig(c);
        setProblem(undefined);
      } catch (err) {
        if (!live) return;
        if (err instanceof ApiFailure && err.status === 401) onUnauthorized(err.message);
        else setProblem((err as Error).message);
      }
    };
    void load();
    const timer = setInterval(load, 5000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [onUnauthorized]);

  return (
    <section className="card" aria-labelledby="status-title">
      <h2 id="status-title">Status</h2>
      {problem && <p className="error" role="alert">{problem}</p>}
      {!health || !config ? (
        <p>loading…</p>
      ) : (
        <dl className="status" data-testid="status">
          <dt>Server</dt>
          <dd>
            <span className="ok">up</span> · version {health.version} · up {health.uptimeS} s · {mib(config.process.rssBytes)} RSS
          </dd>
          <dt>LLM</dt>
          <dd data-testid="llm-status">
            {config.llm.configured ? (
              <>
                <span className="ok">configured</span> · {config.llm.model} at {config.llm.baseUrl}
              </>
            ) : (
              <>
                <span className="warn">not configured</span> · {config.llm.hint}
              </>
            )}
          </dd>
          <dt>LLM endpoints</dt>
          <dd data-testid="llm-endpoints">
            {config.llmEndpoints.length ? (
              <ul className="endpoints">
                {config.llmEndpoints.map((e) => (
                  <li key={e.name}>{endpointLine(e)}</li>
                ))}
              </ul>
            ) : (
              'none (benchmarks pick LLMs by name: set ZIPP_LLM_*, or zipp serve --llm NAME=URL / --endpoints FILE)'
            )}
          </dd>
          <dt>Encoder</dt>
          <dd data-testid="encoder-status">
            {config.encoder.loaded ? (
              <>
                <span className="ok">loaded</span> · {config.encoder.dir}
                {config.encoder.details &&
                  ` · ${Object.entries(config.encoder.details)
                    .map(([k, v]) => `${k} ${String(v)}`)
                    .join(' · ')}`}
              </>
            ) : (
              <>
                <span className="warn">not loaded</span> · {config.encoder.reason}
              </>
            )}
          </dd>
          <dt>Image engines</dt>
          <dd data-testid="engines-status">
            {config.imageEngines.length
              ? config.imageEngines.map((e) => `${e.name}: ${e.kind} ${e.url}`).join(' · ')
              : 'none configured (zipp serve --engine comfyui=URL, or ZIPP_IMAGE_ENGINES)'}
          </dd>
          <dt>CLIP models</dt>
          <dd data-testid="clip-models">{config.clipModels.join(' · ')}</dd>
          <dt>Jobs</dt>
          <dd>
            {health.queue.running} running · {health.queue.depth} queued or running · kinds: {config.jobKinds.join(', ')}
          </dd>
          <dt>Limits</dt>
          <dd>
            {config.limits.rateLimitPerSecond ? `${config.limits.rateLimitPerSecond} req/s per token` : 'no rate limit'} · body ≤{' '}
            {mib(config.limits.maxBodyBytes ?? 0)} · uploads ≤ {mib(config.limits.maxUploadBytes ?? 0)}
          </dd>
        </dl>
      )}
    </section>
  );
}

import { useEffect, useState } from 'react';
import { Job, parseJobEvent } from '../../../../shared/api/jobs.ts';
import { api, events } from '../api.ts';

const ACTIVE = new Set(['queued', 'running', 'interrupted']);

/** The newest jobs, updated live from /v1/events, with progress bars and a cancel button. */
export function JobsPanel() {
  const [jobs, setJobs] = useState<Map<string, Job>>(new Map());
  const [connected, setConnected] = useState(false);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    const controller = new AbortController();
    const merge = (list: Job[]) =>
      setJobs((prev) => {
        const next = new Map(prev);
        for (const j of list) next.set(j.id, j);
        return next;
      });
    // Reconnects after a dropped stream (e.g. a server restart) and reloads the list each time.
    const connect = async () => {
      while (!controller.signal.aborted) {
        try {
          await events(
            '/v1/events',
            (name, data) => {
              const event = parseJobEvent(name, data);
              if (event?.event === 'ready') {
                setConnected(true);
                setProblem(undefined);
                merge(event.data.jobs);
              } else if (event?.event === 'job') merge([event.data]);
            },
            controller.signal,
          );
        } catch (err) {
          if (controller.signal.aborted) return;
          setProblem((err as Error).message);
        }
        setConnected(false);
        await new Promise((r) => setTimeout(r, 2000));
      }
    };
    void connect();
    return () => controller.abort();
  }, []);

  const cancel = async (id: string) => {
    try {
      await api('DELETE', `/v1/jobs/${id}`, Job);
    } catch (err) {
      setProblem((err as Error).message);
    }
  };

  const list = [...jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 50);
  return (
    <section className="card" aria-labelledby="jobs-title">
      <h2 id="jobs-title">
        Jobs <small className={connected ? 'ok' : 'warn'}>{connected ? 'live' : 'reconnecting…'}</small>
      </h2>
      {problem && <p className="error">{problem}</p>}
      {list.length === 0 ? (
        <p className="note">No jobs yet. Start one with POST /v1/rewrite/batch or POST /v1/encoder/train.</p>
      ) : (
        <table className="jobs" data-testid="jobs">
          <thead>
            <tr>
              <th>job</th>
              <th>kind</th>
              <th>status</th>
              <th>progress</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((j) => {
              const pct = j.progress.total ? Math.round((100 * j.progress.done) / j.progress.total) : 0;
              return (
                <tr key={j.id} data-job={j.id} data-status={j.status}>
                  <td>
                    <code>{j.id}</code>
                  </td>
                  <td>{j.kind}</td>
                  <td className={`status-${j.status}`}>
                    {j.status}
                    {j.interruptions > 0 && ` (resumed ×${j.interruptions})`}
                  </td>
                  <td>
                    <progress max={j.progress.total || 1} value={j.progress.done} aria-label={`progress of ${j.id}`} />{' '}
                    <span data-testid="progress-text">
                      {j.progress.done}/{j.progress.total} ({pct}%)
                    </span>{' '}
                    <small>{j.error ? j.error.message : j.progress.message}</small>
                  </td>
                  <td>{ACTIVE.has(j.status) && <button onClick={() => void cancel(j.id)}>cancel</button>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

import { useState } from 'react';
import { exportBackup, importBackup, parseBackup, type ImportSummary } from '../../lib/store/backup.ts';
import { pageDb } from '../common/db.ts';
import { ErrorLine, message } from '../common/ErrorLine.tsx';
import { saveFile } from '../common/save-file.ts';

/** Personas, captured prompts, site switches, votes and preferences as one JSON file, for another browser or a backup. */
export function Backup() {
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<ImportSummary>();

  const download = async () => {
    const backup = await exportBackup(pageDb());
    saveFile(`zipp-backup-${backup.exportedAt.slice(0, 10)}.json`, JSON.stringify(backup, null, 2), 'application/json');
  };

  const upload = async (file: File | undefined) => {
    setError(undefined);
    setDone(undefined);
    if (!file) return;
    try {
      setDone(await importBackup(pageDb(), parseBackup(await file.text())));
    } catch (err) {
      setError(message(err));
    }
  };

  return (
    <section aria-labelledby="backup-title">
      <h2 id="backup-title">Import / export</h2>
      <p>
        The file holds your personas, the prompts kept as examples, your site switches and picked prompt boxes, your picks between two candidates
        (votes) and your preferences — not your LLM connection or key, and not the rewrite log. Importing adds to what is here; a file with any
        problem is refused whole.
      </p>
      <div className="row">
        <button className="primary" onClick={() => void download()}>
          Export to a file
        </button>
        <label className="button">
          Import a file
          <input type="file" accept="application/json,.json" hidden onChange={(e) => void upload(e.target.files?.[0])} data-testid="import-file" />
        </label>
      </div>
      {done && (
        <p className="ok" role="status" data-testid="import-summary">
          Imported {done.personas} persona(s), {done.history} prompt(s), {done.sites} site setting(s) and {done.votes} vote(s)
          {done.preferences ? '; your preferences are now the file’s' : ''}.
        </p>
      )}
      <ErrorLine error={error} />
    </section>
  );
}

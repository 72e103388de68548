import { useState } from 'react';

/** Asks for the API token (printed at the server's first start, stored in <data dir>/token). */
export function TokenForm({ onToken, problem }: { onToken: (t: string) => void; problem?: string | undefined }) {
  const [value, setValue] = useState('');
  return (
    <section className="card token">
      <h2>Connect</h2>
      <p>
        Paste the API token. The server printed it at its first start and keeps it in <code>.zipp/token</code> (or the{' '}
        <code>--data</code> directory).
      </p>
      {problem && <p className="error" role="alert">{problem}</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <input aria-label="API token" type="password" value={value} onChange={(e) => setValue(e.target.value)} placeholder="zipp_…" />
        <button type="submit">Connect</button>
      </form>
    </section>
  );
}

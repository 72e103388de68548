import { useCallback, useState } from 'react';
import { getToken, setToken } from './api.ts';
import { JobsPanel } from './components/JobsPanel.tsx';
import { Playground } from './components/Playground.tsx';
import { StatusPanel } from './components/StatusPanel.tsx';
import { TokenForm } from './components/TokenForm.tsx';

/** Status and configuration, the persona playground and the live job list, once a token is known. */
export function App() {
  const [token, setTokenState] = useState(getToken());
  const [tokenProblem, setTokenProblem] = useState<string>();
  const useToken = (t: string) => {
    setToken(t);
    setTokenState(t);
    setTokenProblem(undefined);
  };
  const rejectToken = useCallback((message: string) => {
    setToken('');
    setTokenState('');
    setTokenProblem(message);
  }, []);

  return (
    <div className="page">
      <header>
        <h1>ZIPP server</h1>
        <span className="subtitle">persona-based prompt personalization</span>
        {token && (
          <button className="link" onClick={() => useToken('')}>
            forget token
          </button>
        )}
      </header>
      {!token ? (
        <TokenForm onToken={useToken} problem={tokenProblem} />
      ) : (
        <main>
          <StatusPanel onUnauthorized={rejectToken} />
          <Playground />
          <JobsPanel />
        </main>
      )}
    </div>
  );
}

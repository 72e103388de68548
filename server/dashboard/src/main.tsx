import './zod-without-eval.ts'; // first: before any module defines or runs a schema
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { adoptTokenFromUrl } from './api.ts';
import { App } from './App.tsx';
import './styles.css';

adoptTokenFromUrl();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

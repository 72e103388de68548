import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '../../components/options/App.tsx';
import '../../components/common/page.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

import { z } from 'zod';

// The dashboard runs under a CSP without 'unsafe-eval': zod (the shared schemas it imports) must not
// compile parsers with new Function, which the CSP blocks and reports as a violation.
z.config({ jitless: true });

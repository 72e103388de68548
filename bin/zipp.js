#!/usr/bin/env node
// Entry point for `npx zipp`. The project is written in TypeScript and run through tsx's loader, so a
// fresh clone works after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

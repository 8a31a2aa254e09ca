#!/usr/bin/env node
// The `fleet` command: runs the TypeScript sources through tsx, so a fresh
// clone needs only `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);

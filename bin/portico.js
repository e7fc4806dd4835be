#!/usr/bin/env node
// The `portico` command. In a checkout it runs the TypeScript sources directly (Node 24
// strips types); installed as a package (under node_modules, where Node will not strip
// types) it runs the compiled dist/.
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const installed = here.includes('/node_modules/') || here.includes('\\node_modules\\');
const { main } = await import(installed ? '../dist/cli/main.js' : '../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;

#!/usr/bin/env node
// The `sluice` command (package.json "bin"): runs cli/index.ts through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../cli/index.ts');

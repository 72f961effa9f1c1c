#!/usr/bin/env node
// The installed CLI runs the bundle from `npm run build`; in the repo, `npm run keyfob` runs the sources.
import '../dist/cli/keyfob.js';

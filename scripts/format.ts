// `npm run format`: Prettier writes the files `npm test` checks (scripts/formatted.ts).
import { execFileSync } from 'node:child_process';
import { FORMATTED } from './formatted.ts';

execFileSync('npx', ['prettier', '--write', '--log-level=warn', ...FORMATTED], { stdio: 'inherit' });

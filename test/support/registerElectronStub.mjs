import { register } from 'node:module';

register('./electronStubHooks.mjs', import.meta.url);

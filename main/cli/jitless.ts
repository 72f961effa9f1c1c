// zod compiles each object schema to a function (new Function) at its first parse: a win for a
// long-lived process, but a command parses each schema once or twice and spent more compiling
// than parsing (over half of `status --json`'s time, measured with --cpu-prof). The setting is
// read when a schema is created, so this module is loaded before any command (and its schemas).
import { z } from 'zod';

z.config({ jitless: true });

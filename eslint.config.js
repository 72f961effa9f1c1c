// Import boundaries keep the layering true (design.md): core and common never see electron,
// the renderer never sees Node, cli and electron adapters meet only in core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electron = { name: 'electron', message: 'core/ and common/ are plain Node: take an injected interface instead.' };
// core/'s outward refusal, which every core block repeats (a later block replaces an earlier one's rule for its files).
const coreOutward = {
  group: ['**/electron/**', '**/cli/**', '**/renderer/**', '**/preload/**'],
  message: 'core/ and common/ depend on nothing outside themselves.',
};
const servicesNotEngine = { regex: '^\\.\\./engine/', message: 'The services sit under engine/: they do not import the use cases or the composition root.' };
/** A core block: electron and everything outside core refused, plus the layer's own patterns. */
const coreLayer = (files, ...patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths: [electron], patterns: [coreOutward, ...patterns] }] },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        queueMicrotask: 'readonly',
        URLSearchParams: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        crypto: 'readonly',
        window: 'readonly',
        document: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  coreLayer(['main/core/**', 'common/**']),
  // Layers inside core: base/ (building blocks) <- the services (config, keychain, vault, auth,
  // brokers, ssh, sessions, audit, policy, leak, scan, static) <- engine/ (use cases, the composition
  // root). Later blocks replace the rule for their files, so each repeats the outer refusals.
  coreLayer(['main/core/base/**'], {
    regex: '^\\.\\./(?!\\.\\./\\.\\./common/)',
    message: 'base/ is the innermost layer of core: it imports only itself and common/.',
  }),
  coreLayer(['main/core/{config,keychain,vault,auth,brokers,ssh,sessions,audit,policy,leak,scan,static,aws}/**'], servicesNotEngine),
  coreLayer(['main/core/sessions/**'], servicesNotEngine, {
    regex: '^\\.\\./ssh/',
    message: 'The session engine takes ssh-agent cleanup injected (EndSessionDeps.stopAgent), it does not import ssh/.',
  }),
  {
    files: ['common/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron, ...nodeBuiltins.map((name) => ({ name, message: 'common/ is shared with the renderer: no Node built-ins.' }))],
          patterns: [{ group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'common/ depends on nothing outside itself.' }],
        },
      ],
    },
  },
  {
    files: ['main/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The CLI runs in plain Node.' }],
          patterns: [{ group: ['**/electron/**', '**/renderer/**', '**/preload/**'], message: 'cli/ uses core/, not the Electron adapters.' }],
        },
      ],
    },
  },
  {
    files: ['main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/cli/**', '**/renderer/**'], message: 'electron/ uses core/, not the CLI or the renderer.' }] },
      ],
    },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks only to the preload bridge.' },
            ...nodeBuiltins.map((name) => ({ name, message: 'The renderer is sandboxed: no Node built-ins.' })),
          ],
          patterns: [{ group: ['**/main/**', '**/preload/**'], message: 'The renderer uses common/ and the bridge only.' }],
        },
      ],
    },
  },
);

// The window's IPC contract: every channel between main and the window, with a zod schema for
// its input and its result, and every event main sends. Main validates with these schemas, the
// preload builds its named functions from them, and dev:web's WebSocket bridge speaks the same.
// Channel names are a contract (docs/window.md): add channels, never rename one.
import { z } from 'zod';
import { errorViewSchema } from './errors.ts';
import { exposureViewSchema } from './exposure.ts';
import { preferencesPatchSchema, preferencesSchema } from './preferences.ts';
import { LOGIN_METHODS as VIEW_LOGIN_METHODS, sessionViewSchema, signInViewSchema, targetViewSchema } from './views.ts';
import { AUDIT_ACTIONS_VIEW, LOGIN_METHODS, SCREENS } from './windowConstants.ts';

export { AUDIT_ACTIONS_VIEW, LOGIN_METHODS, SCREENS };
// The one preferences definition (the tray's store and the Settings screen): common/preferences.ts.
export { preferencesSchema, type Preferences } from './preferences.ts';

export const loginMethodSchema = z.enum(VIEW_LOGIN_METHODS);

const id = z.string().min(1).max(200);
// Bounded so a hostile page cannot hand main a megabyte of "reason".
const reason = z.string().trim().min(1).max(500);
const ttlSeconds = z
  .number()
  .int()
  .positive()
  .max(30 * 24 * 3600);

export const appInfoSchema = z.object({
  /** The sign-in methods the org config offers, the default first. */
  methods: z.array(loginMethodSchema),
  /** Actions this host can do: a terminal launcher (the tray's), a clipboard. */
  capabilities: z.object({ terminal: z.boolean(), clipboard: z.boolean() }),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

export const endedSessionsSchema = z.object({ revoked: z.array(sessionViewSchema), failed: z.array(sessionViewSchema) });
export type EndedSessions = z.infer<typeof endedSessionsSchema>;

export const issueInputSchema = z
  .object({
    targetId: id,
    ttlSeconds: ttlSeconds.optional(),
    reason: reason.optional(),
    /** What the user asked for: the credential on the clipboard, or a terminal running the session. */
    deliver: z.enum(['copy', 'terminal']),
  })
  .strict();
export type IssueInput = z.infer<typeof issueInputSchema>;

export const issueResultSchema = z.object({
  session: sessionViewSchema.nullable(),
  /** What went to the clipboard, in words ("connection string"); never the value itself. */
  copied: z.string().nullable(),
  /** Seconds until the clipboard is cleared, when something was copied. */
  clearsInSeconds: z.number().int().nullable(),
});
export type IssueResult = z.infer<typeof issueResultSchema>;

export const renewResultSchema = z.object({
  session: sessionViewSchema,
  cap: z.object({ maxTtlSeconds: z.number().int(), message: z.string() }).nullable(),
});
export type RenewResult = z.infer<typeof renewResultSchema>;

export const activityFilterSchema = z
  .object({
    targetId: id.optional(),
    action: z.enum(AUDIT_ACTIONS_VIEW).optional(),
    /** Only entries newer than this many hours. */
    sinceHours: z
      .number()
      .int()
      .positive()
      .max(24 * 366)
      .optional(),
    limit: z.number().int().positive().max(1000).optional(),
  })
  .strict();
export type ActivityFilter = z.infer<typeof activityFilterSchema>;

export const activityEntrySchema = z.object({
  time: z.string(),
  user: z.string(),
  target: z.string(),
  action: z.enum(AUDIT_ACTIONS_VIEW),
  reason: z.string().nullable(),
  /** Null for access decisions and handoffs, which are no one session's. */
  sessionId: z.string().nullable(),
  detail: z.string().nullable(),
});
export type ActivityEntry = z.infer<typeof activityEntrySchema>;

const none = z.undefined();

/** Renderer → main requests. Each channel: input schema, result schema. */
export const ipcContract = {
  'app.info': { input: none, result: appInfoSchema },
  'signIn.state': { input: none, result: signInViewSchema },
  'signIn.login': { input: z.object({ method: loginMethodSchema.optional() }).strict(), result: signInViewSchema },
  'signIn.cancel': { input: none, result: z.null() },
  'signIn.logout': { input: none, result: endedSessionsSchema },
  'targets.list': { input: none, result: z.array(targetViewSchema) },
  'sessions.list': { input: none, result: z.array(sessionViewSchema) },
  'sessions.issue': { input: issueInputSchema, result: issueResultSchema },
  'sessions.renew': { input: z.object({ sessionId: id, ttlSeconds: ttlSeconds.optional() }).strict(), result: renewResultSchema },
  'sessions.revoke': { input: z.object({ sessionId: id }).strict(), result: sessionViewSchema },
  'sessions.revokeAll': { input: none, result: endedSessionsSchema },
  'activity.list': { input: activityFilterSchema, result: z.array(activityEntrySchema) },
  /** The engine's exposure (every process's live sessions and the sign-in), as `keyfob exposure --json`. */
  'exposure.get': { input: none, result: exposureViewSchema },
  'settings.get': { input: none, result: preferencesSchema },
  'settings.set': { input: preferencesPatchSchema, result: preferencesSchema },
} as const;

export type Channel = keyof typeof ipcContract;
export const CHANNELS = Object.keys(ipcContract) as Channel[];
export type ChannelInput<C extends Channel> = z.input<(typeof ipcContract)[C]['input']>;
export type ChannelResult<C extends Channel> = z.output<(typeof ipcContract)[C]['result']>;

export const screenSchema = z.enum(SCREENS);
export type Screen = z.infer<typeof screenSchema>;

/** Main → renderer events. */
export const ipcEvents = {
  'session.added': sessionViewSchema,
  'session.updated': sessionViewSchema,
  // The reason stays text: the engine may add end reasons without breaking an open window.
  'session.ended': z.object({ session: sessionViewSchema, reason: z.string().max(64) }),
  'signIn.changed': signInViewSchema,
  /** The tray asked for a screen (openWindow(screen)). */
  'window.show': screenSchema,
} as const;
export type EventName = keyof typeof ipcEvents;
export const EVENT_NAMES = Object.keys(ipcEvents) as EventName[];
export type EventPayload<E extends EventName> = z.output<(typeof ipcEvents)[E]>;

/** Errors are values across the boundary, never a stack trace. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: z.infer<typeof errorViewSchema> };
export const ipcResultSchema = <T extends z.ZodType>(value: T) =>
  z.union([z.object({ ok: z.literal(true), value }).strict(), z.object({ ok: z.literal(false), error: errorViewSchema }).strict()]);

/** On-the-wire names: every channel carries the app prefix, events their own. */
export const invokeChannel = (c: Channel): string => `keyfob:${c}`;
export const eventChannel = (e: EventName): string => `keyfob:event:${e}`;

type Group<C extends string> = C extends `${infer G}.${string}` ? G : never;
type Call<C extends Channel> =
  undefined extends ChannelInput<C>
    ? (input?: ChannelInput<C>) => Promise<IpcResult<ChannelResult<C>>>
    : (input: ChannelInput<C>) => Promise<IpcResult<ChannelResult<C>>>;

/**
 * The API the page sees as `window.keyfob`, built from the contract by the preload and by
 * dev:web: one named function per channel (`keyfob.sessions.renew({ sessionId })`), and one
 * subscription per event (`keyfob.on['session.added'](listener)` returns its unsubscribe).
 */
export type KeyfobApi = {
  readonly [G in Group<Channel>]: { readonly [C in Channel as C extends `${G}.${infer N}` ? N : never]: Call<C> };
} & {
  readonly on: { readonly [E in EventName]: (listener: (payload: EventPayload<E>) => void) => () => void };
};

/** Splits 'sessions.renew' into its group and name, the shape of KeyfobApi. */
export function channelPath(channel: Channel): [group: string, name: string] {
  const dot = channel.indexOf('.');
  return [channel.slice(0, dot), channel.slice(dot + 1)];
}

/**
 * Builds the page's API from the contract over any transport (Electron IPC in the preload, a
 * WebSocket in dev:web). `call` must return the envelope; events arrive already parsed.
 */
export function buildKeyfobApi(
  call: (channel: Channel, input: unknown) => Promise<IpcResult<unknown>>,
  subscribe: (event: EventName, listener: (payload: unknown) => void) => () => void,
): KeyfobApi {
  const groups: Record<string, Record<string, (input?: unknown) => Promise<IpcResult<unknown>>>> = {};
  for (const channel of CHANNELS) {
    const [group, name] = channelPath(channel);
    (groups[group] ??= {})[name] = (input?: unknown) => call(channel, input);
  }
  const on: Record<string, (listener: (payload: unknown) => void) => () => void> = {};
  for (const event of EVENT_NAMES) {
    on[event] = (listener) => {
      if (typeof listener !== 'function') throw new TypeError('a listener must be a function');
      return subscribe(event, (payload) => {
        // Main is trusted, but a payload that does not fit the contract is dropped, not half-used.
        const parsed = ipcEvents[event].safeParse(payload);
        if (parsed.success) listener(parsed.data);
      });
    };
  }
  const api = { ...Object.fromEntries(Object.entries(groups).map(([g, fns]) => [g, Object.freeze(fns)])), on: Object.freeze(on) };
  return Object.freeze(api) as unknown as KeyfobApi;
}

// The one path every request takes, whatever the transport (ipcMain, dev:web's WebSocket):
// parse the input with the channel's schema, run the handler, parse the result with the result
// schema (which also drops any field the contract does not name), and answer with an envelope.
// Nothing thrown gets past it.
import { ipcContract, type Channel, type ChannelResult, type IpcResult } from '../../../common/ipc.ts';
import { toErrorView } from './errorView.ts';

export type WindowHandlers = {
  [C in Channel]: (input: import('zod').output<(typeof ipcContract)[C]['input']>) => Promise<ChannelResult<C>> | ChannelResult<C>;
};

const isChannel = (value: unknown): value is Channel => typeof value === 'string' && Object.hasOwn(ipcContract, value);

export async function dispatch(handlers: WindowHandlers, channel: unknown, rawInput: unknown): Promise<IpcResult<unknown>> {
  try {
    if (!isChannel(channel)) return refuse("That request is not part of Keyfob's window contract.");
    const contract = ipcContract[channel];
    const input = contract.input.safeParse(rawInput);
    if (!input.success) return refuse(`The window sent ${channel} a request Keyfob does not accept; reload the window and try again.`);
    const handler = handlers[channel] as (input: unknown) => Promise<unknown> | unknown;
    const value = contract.result.parse(await handler(input.data));
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: toErrorView(error) };
  }
}

function refuse(message: string): IpcResult<never> {
  return { ok: false, error: { code: 'usage', message } };
}

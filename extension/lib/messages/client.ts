import { browser } from 'wxt/browser';
import { Reply, RPC, type RpcRequest, type RpcResponse, type RpcType } from './protocol.ts';
import { ZippError } from './errors.ts';

/**
 * Calls the background from a content script or an extension page. The request is validated here
 * first (a bad call fails where it is made), the answer again on arrival.
 */
export async function callBackground<T extends RpcType>(type: T, payload: RpcRequest<T>): Promise<RpcResponse<T>> {
  const spec = RPC[type];
  const request = spec.request.parse(payload);
  let raw: unknown;
  try {
    raw = await browser.runtime.sendMessage({ zipp: 1, type, payload: request });
  } catch (err) {
    throw new ZippError('disconnected', `ZIPP's background is not answering (${(err as Error).message}): reload the page`);
  }
  const reply = Reply.safeParse(raw);
  if (!reply.success) throw new ZippError('bad-reply', `ZIPP's background sent an unexpected answer to ${type}`);
  if (!reply.data.ok) throw new ZippError(reply.data.error.code, reply.data.error.message);
  return spec.response.parse(reply.data.data) as RpcResponse<T>;
}

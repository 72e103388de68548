import type { MiddlewareHandler } from 'hono';
import os from 'node:os';
import { ApiError } from '../../http/errors.ts';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const isLoopback = (host: string) => LOOPBACK_NAMES.includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host) || host.endsWith('.localhost');
/** Addresses that bind every interface. */
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** The host name of a Host header, lower-cased, without port or IPv6 brackets. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  return h.split(':')[0]!;
}

/** What the server knows about the machine it runs on (os.hostname(), os.networkInterfaces()). */
export interface MachineNames {
  hostname: string;
  interfaces: NodeJS.Dict<{ address: string }[]>;
}

const thisMachine = (): MachineNames => ({ hostname: os.hostname(), interfaces: os.networkInterfaces() });

/**
 * The names a server bound to `boundHost` answers to: loopback names, the bound name itself, the
 * addresses of the interfaces it listens on (every interface for 0.0.0.0 / ::, else those that hold the
 * bound address), the machine's host name (and its first label, as a LAN resolves it), and `allowed`.
 */
export function serverNames(boundHost: string, allowed: readonly string[], machine: MachineNames = thisMachine()): Set<string> {
  const bound = hostName(boundHost);
  const interfaces = Object.values(machine.interfaces).filter((addresses): addresses is { address: string }[] => addresses !== undefined);
  const listening = WILDCARDS.has(bound) ? interfaces : interfaces.filter((addresses) => addresses.some((a) => a.address.toLowerCase() === bound));
  const hostname = machine.hostname.trim().toLowerCase();
  return new Set([
    ...LOOPBACK_NAMES,
    ...(WILDCARDS.has(bound) ? [] : [bound]),
    ...listening.flat().map((a) => a.address.toLowerCase()),
    ...(hostname ? [hostname, hostname.split('.')[0]!] : []),
    ...allowed.map(hostName),
  ]);
}

/**
 * Refuses requests whose Host header is not a name of this server (403 `forbidden_host`). This is what
 * stops DNS rebinding: a page on attacker.example that re-points its name at the server's address reaches
 * it as a same-origin request with `Host: attacker.example`, and the public routes (the study page, its
 * joins, each costing LLM calls) would serve it. The check is on wherever the server is bound: a server
 * on the network is reached by its addresses or the machine's name without any flag; other names (a DNS
 * name of the box, a proxy's) are added with `--allowed-host`.
 */
export function hostCheck(boundHost: string, allowed: readonly string[], machine?: MachineNames): MiddlewareHandler {
  const names = serverNames(boundHost, allowed, machine);
  return async (c, next) => {
    const header = c.req.header('host');
    if (header === undefined) return next();
    const name = hostName(header);
    if (!names.has(name) && !isLoopback(name)) {
      throw new ApiError(403, 'forbidden_host', `this server does not answer to the name ${name.slice(0, 100)}; use its address, or start it with --allowed-host ${name.slice(0, 100)}`);
    }
    await next();
  };
}

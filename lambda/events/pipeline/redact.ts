import { isIPv4, isIPv6 } from 'node:net';
import { applyFieldRules, type FieldHashKey, type RedactionRules } from '../field-rules';

const truncateIpv4 = (address: string) => address.replace(/\.\d+$/, '.0');

/**
 * `address` with its host part zeroed: `203.0.113.77` -> `203.0.113.0`, `2001:db8:85a3:8d3:1319::7`
 * -> `2001:db8:85a3::` (the first 48 bits kept), an IPv4-mapped IPv6 address by its IPv4 rule;
 * `undefined` for anything that is not an IP address.
 */
export function truncateIp(address: string): string | undefined {
  if (isIPv4(address)) return truncateIpv4(address);
  if (!isIPv6(address)) return undefined;
  const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped?.[1] !== undefined && mapped[2] !== undefined) return `${mapped[1]}${truncateIpv4(mapped[2])}`;
  const [head = '', tail] = address.split('%')[0]?.split('::') ?? [];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const kept = groups.slice(0, 3).map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
  return `${kept.join(':')}::`;
}

/**
 * Applies field rules to a record (envelope, Segment message, failure record payload) without
 * changing it (../field-rules.ts, shared with failure records and the tools); `key` is the deployment's hash key, needed by keyed
 * `hash` rules only.
 */
export function redact<T extends object>(
  record: T,
  rules: RedactionRules | undefined,
  key?: FieldHashKey,
): T {
  return applyFieldRules(record, rules, key, truncateIp);
}

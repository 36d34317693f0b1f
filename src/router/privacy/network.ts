/** IPv4 and IPv6 addresses, validated (octets ≤ 255, IPv6 by node:net), not just shaped. */
import { isIPv6 } from 'node:net';
import type { Entity } from './entity.js';
import { cueBefore } from './context.js';

// Not inside a longer dotted or dashed token: "kernel-2.6.43.8-1.fc16" is a version.
const V4 = /(?<![\w.-])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d|-\d)/g;
// Dotted quads that are version or section numbers, not hosts.
const NOT_HOST = /(?:version|\bver\.?|release|build|section|chapter|clause|rule|step|§|\bv)\s*$/i;

// Loopback, "any", broadcast and netmasks fill configuration snippets and identify nobody.
const NOT_PERSONAL_V4 = /^(?:127\.|0\.0\.0\.0$|255\.)/;

function v4Valid(s: string): boolean {
  if (NOT_PERSONAL_V4.test(s)) return false;
  for (const part of s.split('.')) {
    if (part.length > 1 && part[0] === '0') return false; // "01.02.03.04" is a date or code
    if (Number(part) > 255) return false;
  }
  return true;
}

const V6 = /(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:]|\.\d)/gi;

function v6Plausible(s: string): boolean {
  if (!isIPv6(s)) return false;
  // "a::b" in C++ or Rust paths is technically an address; require a real-looking one.
  const groups = s.split(':').filter((g) => g.length > 0);
  return groups.length >= 3 || (groups.length === 2 && groups.some((g) => g.length >= 3));
}

export function detectIp(text: string, out: Entity[]): void {
  V4.lastIndex = 0;
  for (let m = V4.exec(text); m !== null; m = V4.exec(text)) {
    if (!v4Valid(m[0]) || cueBefore(text, m.index, NOT_HOST, 12)) continue;
    out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length });
  }
  if (text.indexOf(':') === -1) return;
  V6.lastIndex = 0;
  for (let m = V6.exec(text); m !== null; m = V6.exec(text)) {
    if (m[0].length === 0) {
      V6.lastIndex++;
      continue;
    }
    if (!v6Plausible(m[0])) continue;
    out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length });
  }
}

/** Small helpers for the privacy tests: what a user sees is "which kinds, over which text". */
import { scan } from '../../../src/router/privacy/scan.js';

/** `type:"matched text"` for every finding, in order. */
export function findings(text: string): string[] {
  return scan(text).entities.map((e) => `${e.type}:${text.slice(e.start, e.end)}`);
}

export function typesOf(text: string): string[] {
  return scan(text).entities.map((e) => e.type);
}

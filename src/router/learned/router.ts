/**
 * The learned router as the gateway uses it: `loadRouter().score(messagesOrPrompt)` per request.
 *
 * The score is the expected gain in answer accuracy from calling the strong ("thinking") model
 * instead of the weak ("reflex") one, e.g. 0.25 = "one answer in four gets better". It is calibrated
 * on out-of-fold predictions over every training set together, so one threshold means the same on
 * maths word problems and on multiple-choice questions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouterInput } from './conversation.js';
import { ModelScorer, type LinearModel } from './model.js';
import { decodeWeights, WeightsError } from './weights-file.js';

export interface LearnedRouter {
  /** Higher = needs the strong model more (expected accuracy gain, roughly −1…1). */
  score(input: RouterInput): number;
  readonly model: LinearModel;
  /** Where the weights came from. */
  readonly source: string;
}

/** Env override for the weights file, e.g. weights retrained on your own outcomes. */
export const WEIGHTS_ENV = 'SWITCHYARD_ROUTER_WEIGHTS';

/**
 * The shipped weights live in src/ (tsc does not copy JSON), so from dist/src/router/learned/ the
 * file is found four levels up; from source it sits beside this file.
 */
export function defaultWeightsPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'weights.json'), join(here, '..', '..', '..', '..', 'src', 'router', 'learned', 'weights.json')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

export function routerFromModel(model: LinearModel, source = 'memory'): LearnedRouter {
  const scorer = new ModelScorer(model);
  return { model, source, score: (input) => scorer.score(input) };
}

export function readRouter(path: string): LearnedRouter {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new WeightsError(`cannot read router weights ${path}: ${(e as Error).message}`);
  }
  return routerFromModel(decodeWeights(json), path);
}

const cache = new Map<string, LearnedRouter>();

/**
 * The router for the gateway's `auto` model: weights from `path`, else $SWITCHYARD_ROUTER_WEIGHTS,
 * else the shipped file. Each file is read once and the router shared (scoring is synchronous, so
 * its reused buffers are safe on one event loop).
 */
export function loadRouter(path?: string): LearnedRouter {
  const file = path ?? process.env[WEIGHTS_ENV] ?? defaultWeightsPath();
  let r = cache.get(file);
  if (!r) { r = readRouter(file); cache.set(file, r); }
  return r;
}

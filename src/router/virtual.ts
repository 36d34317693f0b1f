/**
 * Virtual models (`auto` and configured ones): choose, per request, the cheapest candidate model
 * that can do the job. Candidates are first filtered by what the request needs (tools, images,
 * JSON mode, context length counted with the o200k tokenizer) and what the key allows; then the
 * mode decides: `learned` (the reflex/thinking router against the quality knob), `cascade`
 * (reflex first, escalate when checks fail; see cascade.ts), or `order` (first capable).
 */
import { GatewayError } from '../core/errors.js';
import type { ChatRequest, Usage } from '../core/types.js';
import { costUsd } from '../core/cost.js';
import { countPromptTokens } from '../core/count-tokens.js';
import { isModelAllowed } from '../store/virtual-key.js';
import { loadRouter } from './learned/router.js';
import { routingKnobs, thresholdForQuality } from './quality.js';
import type { Deployment, Registry, VirtualModel } from './registry.js';
import type { RouteContext } from './route-context.js';
import { availability } from '../providers/presets/availability.js';
import { detectLanguage } from './language.js';

/** Output tokens assumed when estimating a request's cost and the request sets no max_tokens. */
export const ASSUMED_OUTPUT_TOKENS = 512;

export interface CascadePlan {
  reflex: Deployment[];
  thinking: Deployment[];
  checks: NonNullable<VirtualModel['cascade']>;
}

export interface VirtualDecision {
  deployments: Deployment[];
  reason: string;
  meta: Record<string, unknown>;
  headers: Record<string, string>;
  cascade?: CascadePlan;
}

interface Usable {
  model: string;
  tier: 'reflex' | 'thinking';
  deployments: Deployment[];
  estCost: number;
}

interface Needs {
  promptTokens: number;
  /** The prompt's detected language (router/language.ts); undefined filters nothing. */
  language?: string;
}

function fits(d: Deployment, chat: ChatRequest, needs: Needs): boolean {
  // A catalog model offered on a local engine that has not pulled it is no candidate (presets, issue 3).
  if (!availability.usable(d.key)) return false;
  const c = d.capabilities;
  const promptTokens = needs.promptTokens;
  if (needs.language && c.languages?.length && !c.languages.includes(needs.language)) return false;
  if (chat.hasTools && c.tools === false) return false;
  if (chat.hasImages && c.vision === false) return false;
  if (chat.wantsJson && c.json_mode === false) return false;
  if (d.contextWindow !== undefined && promptTokens + (chat.maxTokens ?? 0) > d.contextWindow) return false;
  return true;
}

export async function routeVirtual(registry: Registry, chat: ChatRequest, rctx: RouteContext): Promise<VirtualDecision | null> {
  const v = registry.virtual.get(chat.model);
  if (!v) return null;
  const promptTokens = await countPromptTokens(chat);
  const est: Usage = { inputTokens: promptTokens, outputTokens: chat.maxTokens ?? ASSUMED_OUTPUT_TOKENS };
  const knobs = routingKnobs({ headers: rctx.headers, gateway: chat.gateway, key: rctx.key, modelQuality: v.quality, globalQuality: registry.routing.quality, modelMaxCost: v.maxCostUsd });

  const language = detectLanguage(chat.messages);
  const pick = (needs: Needs) => {
    const dropped: Record<string, string> = {};
    const usable: Usable[] = [];
    for (const c of v.candidates) {
      const entry = registry.get(c.model);
      if (!entry) continue;
      if (rctx.key && !isModelAllowed(rctx.key, c.model)) { dropped[c.model] = 'not allowed for this key'; continue; }
      const ds = entry.deployments.filter((d) => fits(d, chat, needs));
      if (!ds.length) {
        const langOnly = needs.language !== undefined && entry.deployments.some((d) => fits(d, chat, { promptTokens }));
        dropped[c.model] = langOnly ? `does not list language ${needs.language}` : 'cannot serve this request (tools, images, JSON or context)';
        continue;
      }
      const estCost = Math.min(...ds.map((d) => costUsd(est, d.price)));
      if (knobs.maxCostUsd !== undefined && estCost > knobs.maxCostUsd) { dropped[c.model] = `estimated $${estCost.toFixed(6)} > max $${knobs.maxCostUsd}`; continue; }
      usable.push({ model: c.model, tier: c.tier, deployments: ds, estCost });
    }
    return { dropped, usable };
  };
  let { dropped, usable } = pick({ promptTokens, language });
  // The language is a guess from the script: when no candidate lists it, answering with a model that
  // may manage beats refusing the request. The meta says so.
  const languageUnmet = language !== undefined && !usable.length;
  if (languageUnmet) ({ dropped, usable } = pick({ promptTokens }));
  if (!usable.length) {
    throw new GatewayError('no_eligible_deployment', `No candidate of '${v.name}' can serve this request: ${Object.entries(dropped).map(([m, why]) => `${m}: ${why}`).join('; ')}`);
  }
  const byCost = (a: Usable, b: Usable) => a.estCost - b.estCost;
  const reflex = usable.filter((u) => u.tier === 'reflex').sort(byCost);
  const thinking = usable.filter((u) => u.tier === 'thinking').sort(byCost);
  const dearest = usable.reduce((a, b) => (b.estCost > a.estCost ? b : a));

  let chosen: Usable;
  let reason: string;
  const meta: Record<string, unknown> = { virtual: v.name, mode: v.mode, quality: knobs.quality, quality_source: knobs.qualitySource, prompt_tokens: promptTokens };
  if (language) meta.language = language;
  if (languageUnmet) meta.language_unmet = true;
  if (Object.keys(dropped).length) meta.dropped = dropped;
  let cascade: CascadePlan | undefined;

  if (v.mode === 'order') {
    chosen = usable[0];
    reason = `${v.name}: first capable candidate`;
  } else if (v.mode === 'cascade' && reflex.length && thinking.length) {
    chosen = reflex[0];
    reason = `${v.name}: cascade, ${reflex[0].model} first, ${thinking[0].model} if checks fail`;
    cascade = { reflex: reflex[0].deployments, thinking: thinking.flatMap((t) => t.deployments), checks: v.cascade ?? {} };
  } else {
    const score = loadRouter(registry.routing.router_weights).score(chat.messages as Parameters<ReturnType<typeof loadRouter>['score']>[0]);
    const threshold = v.threshold ?? thresholdForQuality(knobs.quality);
    const wantThinking = score >= threshold;
    meta.score = Math.round(score * 1e4) / 1e4;
    meta.threshold = Number.isFinite(threshold) ? Math.round(threshold * 1e4) / 1e4 : String(threshold);
    if (wantThinking && thinking.length) chosen = thinking[0];
    else if (!wantThinking && reflex.length) chosen = reflex[0];
    else chosen = (thinking[0] ?? reflex[0]);
    const tierWord = chosen.tier === (wantThinking ? 'thinking' : 'reflex') ? chosen.tier : `${chosen.tier} (no ${wantThinking ? 'thinking' : 'reflex'} candidate can serve it)`;
    reason = `${v.name}: router score ${meta.score} ${wantThinking ? '>=' : '<'} threshold ${meta.threshold} (quality ${knobs.quality}) -> ${tierWord} ${chosen.model}`;
  }
  const saving = Math.max(0, dearest.estCost - chosen.estCost);
  meta.chosen = chosen.model;
  meta.tier = chosen.tier;
  meta.estimated_cost_usd = chosen.estCost;
  meta.saving_usd = saving;
  meta.strongest = dearest.model;
  // The chosen model first; the other capable candidates after it, so a failing upstream still
  // gets an answer from somewhere (same tier first).
  const rest = [...(chosen.tier === 'reflex' ? reflex : thinking), ...(chosen.tier === 'reflex' ? thinking : reflex)].filter((u) => u !== chosen);
  return {
    deployments: [...chosen.deployments, ...rest.flatMap((u) => u.deployments)],
    reason,
    meta,
    headers: {
      'x-switchyard-estimated-cost-usd': String(Math.round(chosen.estCost * 1e10) / 1e10),
      'x-switchyard-saving-usd': String(Math.round(saving * 1e10) / 1e10),
      'x-switchyard-strongest-model': dearest.model,
    },
    cascade,
  };
}

// What a worker's role means for a request, derived once per worker (as Dynamo's mocker derives its
// SchedulingPolicy): computed or received prompt, decode here or hand off, who emits the first token,
// and how many output tokens its KV blocks must hold. Every role-dependent rule lives here.
import type { Role } from '../protocol/roles.ts';

export type FirstTokenFrom = 'prefill' | 'decode';

export interface RolePolicy {
  readonly role: Role;
  /** The prompt is computed here (agg, prefill), not received as KV from a prefill worker (decode). */
  readonly computesPrompt: boolean;
  /** The request decodes here after its prompt (agg, decode), not handed off (prefill). */
  readonly decodesHere: boolean;
  /**
   * This worker emits the request's first token to the client: when its prompt is done (agg, and
   * prefill when first_token_from is prefill), when its KV arrives (decode when first_token_from is
   * decode: Dynamo drops the prefill stream and the decode engine re-emits token 1), or never.
   */
  readonly firstToken: 'prompt-done' | 'kv-arrived' | null;
  /** Output tokens already generated when a request arrives (a decode worker receives the first). */
  readonly generatedOnArrival: number;
  /** Output tokens a request's KV blocks here must hold (a prefill worker samples one, then hands off). */
  heldOutputTokens(outputTokens: number): number;
}

export function rolePolicy(role: Role, firstTokenFrom: FirstTokenFrom): RolePolicy {
  switch (role) {
    case 'agg':
      return { role, computesPrompt: true, decodesHere: true, firstToken: 'prompt-done', generatedOnArrival: 0, heldOutputTokens: (osl) => osl };
    case 'prefill':
      return { role, computesPrompt: true, decodesHere: false, firstToken: firstTokenFrom === 'prefill' ? 'prompt-done' : null, generatedOnArrival: 0, heldOutputTokens: () => 1 };
    case 'decode':
      return { role, computesPrompt: false, decodesHere: true, firstToken: firstTokenFrom === 'decode' ? 'kv-arrived' : null, generatedOnArrival: 1, heldOutputTokens: (osl) => osl };
  }
}

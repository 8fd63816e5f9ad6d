import type { EntityManager } from '@mikro-orm/postgresql';
import { findTermHits, type TermHit } from '../common/compliance.ts';
import { readForbiddenTerms } from '../db/compliance.store.ts';
import { AppError } from './errors.ts';

/** 422 naming each forbidden term and why (SPEC §5): marketing text does not go out with one. */
export function forbiddenTermsError(hits: TermHit[], field: string): AppError {
  const terms = [...new Map(hits.map((h) => [h.term, h])).values()].map((h) => `「${h.term}」${h.reason}`).join('；');
  return new AppError(422, 'forbidden_terms', `内容含医疗广告违禁词 / Content contains forbidden terms: ${terms}`, { field });
}

/**
 * Refuses marketing text the clinic saves to send later (a journey's send step, the birthday
 * greeting) when it has a term of the clinic's forbidden list, as a campaign's content is refused.
 */
export async function refuseForbiddenTerms(em: EntityManager, texts: Array<{ text: string; field: string }>): Promise<void> {
  if (texts.length === 0) return;
  const terms = await readForbiddenTerms(em);
  for (const { text, field } of texts) {
    const hits = findTermHits(text, terms);
    if (hits.length > 0) throw forbiddenTermsError(hits, field);
  }
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { healthReportSchema } from '../../common/health.schema.ts';
import { ApiRequestError, getJson, postJson } from '../../web/src/api/client.ts';
import { healthyReport, jsonResponse, networkDown, stubNetwork } from './support.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The error `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<ApiRequestError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiRequestError);
    return error as ApiRequestError;
  }
  throw new Error('expected the request to fail');
}

describe('api client', () => {
  it('returns the body validated by the schema', async () => {
    stubNetwork({ 'GET /api/health/details': () => jsonResponse(healthyReport()) });
    const report = await getJson('/api/health/details', healthReportSchema);
    expect(report.components.worker.pollers).toBe(2);
  });

  it('accepts a listed error status whose body matches the schema', async () => {
    stubNetwork({ 'GET /api/health/details': () => jsonResponse(healthyReport({ ok: false }), 503) });
    const report = await getJson('/api/health/details', healthReportSchema, { acceptStatuses: [503] });
    expect(report.ok).toBe(false);
  });

  it('turns the API error shape into an ApiRequestError with its code and message', async () => {
    stubNetwork({ 'GET /api/thing': () => jsonResponse({ error: { code: 'validation_failed', message: 'name is required' } }, 400) });
    const error = await rejection(getJson('/api/thing', z.object({})));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe('name is required');
    expect(error.status).toBe(400);
    expect(error.isUnreachable).toBe(false);
  });

  it('turns a network failure into an unreachable ApiRequestError', async () => {
    stubNetwork({ 'GET /api/health/details': networkDown });
    const error = await rejection(getJson('/api/health/details', healthReportSchema));
    expect(error.code).toBe('unreachable');
    expect(error.isUnreachable).toBe(true);
    expect(error.status).toBeNull();
  });

  it('reports a 2xx body that does not match the schema as invalid-response', async () => {
    stubNetwork({ 'GET /api/health/details': () => jsonResponse({ ok: true }) });
    const error = await rejection(getJson('/api/health/details', healthReportSchema));
    expect(error.code).toBe('invalid-response');
    expect(error.message).toContain('version');
  });

  it('reports an HTTP error without the error shape as http-error', async () => {
    stubNetwork({ 'GET /api/thing': () => new Response('<h1>Forbidden</h1>', { status: 403 }) });
    const error = await rejection(getJson('/api/thing', z.object({})));
    expect(error.code).toBe('http-error');
    expect(error.status).toBe(403);
  });

  it('sends JSON bodies on POST', async () => {
    const fetchMock = stubNetwork({ 'POST /api/echo': (init) => jsonResponse(JSON.parse(String(init?.body))) });
    const answer = await postJson('/api/echo', { name: '小红书' }, z.object({ name: z.string() }));
    expect(answer.name).toBe('小红书');
    const headers = fetchMock.mock.calls[0]?.[1]?.headers as Record<string, string>;
    expect(headers['content-type']).toBe('application/json');
  });
});

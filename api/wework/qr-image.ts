import { AppError } from '../errors.ts';

/** Hosts WeCom serves 「联系我」 QR images from. */
export const WECOM_QR_HOSTS: readonly string[] = ['wework.qpic.cn', 'p.qpic.cn', 'shp.qpic.cn', 'rescdn.qqmail.com'];
/** A QR image is a few KiB; anything far larger is not one. */
export const QR_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Fetches the QR image behind a stored `qr_code` URL without becoming an open proxy: only https
 * from WeCom's image hosts (or the configured WECOM_API_BASE host, i.e. the simulator), no
 * redirects followed (a redirect could point anywhere, the internal network included), and at
 * most QR_MAX_BYTES read.
 */
export async function fetchQrImage(url: string, options: { apiBase: string; fetch?: typeof fetch; maxBytes?: number }): Promise<Uint8Array<ArrayBuffer>> {
  const maxBytes = options.maxBytes ?? QR_MAX_BYTES;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new AppError(404, 'qr_code_missing', 'This code has no QR image (mini-program codes have none).');
  }
  const apiBase = new URL(options.apiBase);
  const fromWeCom = target.protocol === 'https:' && WECOM_QR_HOSTS.includes(target.hostname);
  const fromApiBase = target.protocol === apiBase.protocol && target.host === apiBase.host;
  if (!fromWeCom && !fromApiBase) {
    throw new AppError(502, 'qr_code_unavailable', `The stored QR image address is not on a WeCom host (${target.hostname}); it was not fetched.`);
  }
  const response = await (options.fetch ?? fetch)(target, { redirect: 'manual', signal: AbortSignal.timeout(10_000) }).catch((error: Error) => {
    throw new AppError(502, 'qr_code_unavailable', `The QR image could not be fetched from WeCom: ${error.name}`);
  });
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new AppError(502, 'qr_code_unavailable', `WeCom redirected the QR image request (HTTP ${response.status}); redirects are not followed.`);
  }
  if (!response.ok) throw new AppError(502, 'qr_code_unavailable', `WeCom answered HTTP ${response.status} for the QR image.`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel();
    throw new AppError(502, 'qr_code_unavailable', 'The QR image is larger than any QR image should be; it was not fetched.');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AppError(502, 'qr_code_unavailable', 'The QR image is larger than any QR image should be; it was not fetched.');
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

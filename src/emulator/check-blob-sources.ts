import { EmulatedException } from './exceptions.js';

/** Content blocks whose `source` may carry the file itself as `bytes`. */
const MEDIA_KEYS = ['image', 'document', 'video'] as const;

/** Standard base64 with padding, as the SDK writes blobs in JSON. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const invalid = (message: string): EmulatedException => new EmulatedException('ValidationException', message);

function checkMedia(key: (typeof MEDIA_KEYS)[number], media: Record<string, unknown>, at: string): void {
  const { source } = media;
  // Sources without bytes (s3Location, text, content) are not the emulator's to read.
  if (!isRecord(source) || source.bytes === undefined) return;
  const where = `${at}.${key}.source.bytes`;
  const { bytes } = source;
  if (typeof bytes !== 'string' || !BASE64.test(bytes)) {
    throw invalid(`1 validation error detected: Value at '${where}' failed to satisfy constraint: Member must be valid Base64-encoded binary data`);
  }
  if (key === 'document' && media.format === 'pdf') {
    // Eight base64 characters are six bytes, enough for the "%PDF-" header.
    const head = Buffer.from(bytes.slice(0, 8), 'base64');
    if (!head.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) {
      throw invalid(`The PDF specified was not valid: ${where} could not be parsed as the specified format (pdf).`);
    }
  }
}

/**
 * Checks the blobs of one content block as Bedrock does: `source.bytes` is
 * base64 text, and a pdf document's bytes are a PDF. Image, document and
 * video blocks, and those inside `toolResult.content`.
 */
export function checkBlobSources(block: Record<string, unknown>, at: string): void {
  for (const key of MEDIA_KEYS) {
    const media = block[key];
    if (isRecord(media)) checkMedia(key, media, at);
  }
  const { toolResult } = block;
  if (isRecord(toolResult) && Array.isArray(toolResult.content)) {
    const inner: unknown[] = toolResult.content;
    inner.forEach((b, i) => {
      if (isRecord(b)) checkBlobSources(b, `${at}.toolResult.content.${i}`);
    });
  }
}

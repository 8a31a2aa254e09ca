import type {
  ContentBlock as SdkContentBlock,
  ConverseCommandInput,
  Message as SdkMessage,
} from '@aws-sdk/client-bedrock-runtime';
import type { ContentBlock, ModelRequest } from '../core/model-request.js';

function isImageBlock(block: ContentBlock): block is { image: { format: string; source: { bytes: Uint8Array | string } } } {
  return typeof block === 'object' && block !== null && 'image' in block;
}

function toSdkBlock(block: ContentBlock): SdkContentBlock {
  if (isImageBlock(block)) {
    const bytes = block.image.source.bytes;
    return {
      image: {
        format: block.image.format as 'png',
        source: { bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : bytes },
      },
    };
  }
  // Text and every other block type travel as given: Converse validates them.
  return block as SdkContentBlock;
}

/** The fleet's request → the SDK's `ConverseCommandInput` (also fits ConverseStream). */
export function toConverseInput(request: ModelRequest): ConverseCommandInput {
  const messages: SdkMessage[] = request.messages.map((m) => ({
    role: m.role,
    content: m.content.map(toSdkBlock),
  }));
  const input: ConverseCommandInput = { modelId: request.modelId, messages };
  if (request.system !== undefined && request.system.length > 0) {
    input.system = request.system.map((text) => ({ text }));
  }
  if (request.inference !== undefined) input.inferenceConfig = { ...request.inference };
  if (request.toolConfig !== undefined) input.toolConfig = request.toolConfig as unknown as ConverseCommandInput['toolConfig'];
  if (request.guardrailConfig !== undefined) {
    input.guardrailConfig = request.guardrailConfig;
  }
  if (request.additionalModelRequestFields !== undefined) {
    input.additionalModelRequestFields = request.additionalModelRequestFields as ConverseCommandInput['additionalModelRequestFields'];
  }
  if (request.requestMetadata !== undefined) input.requestMetadata = request.requestMetadata;
  return input;
}

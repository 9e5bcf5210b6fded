import OpenAI from 'openai';
import type { Config } from '../../config.ts';

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/** What the knowledge module needs from a language model; tests point it at a local fake server. */
export type LlmClient = {
  readonly model: string;
  complete(messages: ChatMessage[], options: { maxTokens: number }): Promise<string>;
  /** Null when EMBEDDINGS_MODEL is unset: retrieval is keyword-only. */
  readonly embed: ((texts: string[]) => Promise<number[][]>) | null;
};

/**
 * Any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp's server) through the official SDK
 * with `baseURL`. No retries: a slow or failing model makes the answer fall back to extractive at
 * once, rather than keeping the asker waiting. Null when LLM_BASE_URL is unset.
 */
export function llmClientFromConfig(config: Config): LlmClient | null {
  if (!config.LLM_BASE_URL) return null;
  const openai = new OpenAI({
    baseURL: config.LLM_BASE_URL,
    // Local servers take any key; the SDK refuses to start without one.
    apiKey: config.LLM_API_KEY ?? 'not-needed',
    timeout: config.LLM_TIMEOUT_MS,
    maxRetries: 0,
  });
  const embeddingsModel = config.EMBEDDINGS_MODEL;
  return {
    model: config.LLM_MODEL,
    async complete(messages, { maxTokens }) {
      const completion = await openai.chat.completions.create({ model: config.LLM_MODEL, messages, max_tokens: maxTokens, temperature: 0 });
      const content = completion.choices[0]?.message?.content;
      if (typeof content !== 'string' || !content.trim()) throw new Error('the model returned no answer');
      return content;
    },
    embed: embeddingsModel
      ? async (texts) => {
          const response = await openai.embeddings.create({ model: embeddingsModel, input: texts });
          return [...response.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
        }
      : null,
  };
}

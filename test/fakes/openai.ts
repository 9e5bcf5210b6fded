import { startFakeServer } from './server.ts';

export type ChatRequest = { model: string; messages: { role: string; content: string }[]; max_tokens?: number };
/** What the fake answers a chat completion with: the assistant's text, an HTTP error status, or nothing ever (hang). */
export type Script = (request: ChatRequest) => string | { status: number } | 'hang';

/**
 * An OpenAI-compatible server on loopback speaking /v1/chat/completions and /v1/embeddings as the
 * real API does. It records every chat request (so tests read the prompt) and answers with the
 * script; embeddings are bags of words hashed into 64 dimensions, so similar texts are close.
 */
export async function startFakeOpenAI(initial: Script = () => "I don't know.") {
  let script = initial;
  const chats: ChatRequest[] = [];
  const server = await startFakeServer((request) => {
    if (request.headers.authorization !== 'Bearer test-key') return { status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } } };
    const body = JSON.parse(request.body || '{}');
    if (request.method === 'POST' && request.path === '/v1/chat/completions') {
      chats.push(body);
      const result = script(body);
      if (result === 'hang') return new Promise<undefined>(() => {});
      if (typeof result !== 'string') return { status: result.status, body: { error: { message: 'The server had an error', type: 'server_error' } } };
      return {
        status: 200,
        body: {
          id: `chatcmpl-${chats.length}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: result, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
        },
      };
    }
    if (request.method === 'POST' && request.path === '/v1/embeddings') {
      const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
      return {
        status: 200,
        body: { object: 'list', model: body.model, data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: bagOfWords(text) })), usage: { prompt_tokens: 1, total_tokens: 1 } },
      };
    }
    return undefined;
  });
  return {
    baseUrl: `${server.url}/v1`,
    chats,
    requests: server.requests,
    /** The environment that points the app at this fake. */
    env: (extra: Record<string, string> = {}) => ({ LLM_BASE_URL: `${server.url}/v1`, LLM_API_KEY: 'test-key', LLM_MODEL: 'fake-model', ...extra }),
    answerWith(next: Script) {
      script = next;
    },
    close: server.close,
  };
}

function bagOfWords(text: string): number[] {
  const vector = new Array(64).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let hash = 0;
    for (const char of word) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    vector[hash % 64] += 1;
  }
  return vector;
}

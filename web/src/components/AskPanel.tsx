import { useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { Markdown } from '../lib/markdown.tsx';
import type { TicketDraft } from './TicketForm.tsx';
import { ErrorMessage, Notice, useSubmit } from './ui.tsx';

/**
 * "Did this solve it?": the asker's verdict is what the dashboard's AI deflection and its list of questions
 * the docs could not answer are made of, so it is asked right under the answer.
 */
function AnswerFeedback({ answerId }: { answerId: string }) {
  const [verdict, setVerdict] = useState<boolean | null>(null);
  const send = (helpful: boolean) => must(api.POST('/api/v1/answers/{id}/feedback', { params: { path: { id: answerId } }, body: { helpful } }));
  const yes = useSubmit(() => send(true), () => setVerdict(true));
  const no = useSubmit(() => send(false), () => setVerdict(false));
  if (verdict !== null) return <Notice>{verdict ? 'Glad it helped. Thank you for saying so.' : 'Sorry it did not help. Thank you for saying so: the maintainers see it.'}</Notice>;
  return (
    <>
      <p className="row">
        <span>Did this solve it?</span>
        <button type="button" className="secondary" onClick={() => yes.submit()} disabled={yes.busy || no.busy}>
          Yes, it did
        </button>
        <button type="button" className="secondary" onClick={() => no.submit()} disabled={yes.busy || no.busy}>
          No, it did not
        </button>
      </p>
      <ErrorMessage error={yes.error ?? no.error} />
    </>
  );
}

/** Ask the repository's docs; an answer that does not help (or a decline) escalates to a ticket. */
export function AskPanel({ repo, onEscalate }: { repo: Schemas['Repository']; onEscalate: (draft: TicketDraft) => void }) {
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState<{ question: string; reply: Schemas['Answer'] } | null>(null);
  const { busy, error, submit } = useSubmit(
    () => must(api.POST('/api/v1/repos/{owner}/{name}/ask', { params: { path: { owner: repo.owner, name: repo.name } }, body: { question } })),
    (reply) => setAnswer({ question, reply }),
  );
  const escalate = () => {
    const asked = answer?.question ?? question;
    const track = repo.offerings.expert ? 'expert' : 'community';
    const context = answer && !answer.reply.declined ? `\n\n---\nThe AI answered:\n\n> ${answer.reply.answer.split('\n').join('\n> ')}` : '';
    onEscalate({ title: asked.slice(0, 120), body: `${asked}${context}`, track });
  };
  return (
    <section aria-labelledby="ask-heading" className="card ask">
      <h2 id="ask-heading">Ask the docs</h2>
      <form className="stack" onSubmit={submit}>
        <label htmlFor="question">Your question</label>
        <textarea id="question" value={question} onChange={(event) => setQuestion(event.target.value)} maxLength={1000} placeholder={`How do I … with ${repo.name}?`} />
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy || question.trim().length < 3}>
          {busy ? 'Looking in the docs…' : 'Ask'}
        </button>
      </form>
      <div aria-live="polite">
        {answer && (
          <div className="answer card" data-testid="answer">
            {answer.reply.declined ? (
              <p>The documentation does not cover this well enough for a reliable answer.</p>
            ) : (
              <>
                <h3>Answer</h3>
                <Markdown text={answer.reply.answer} />
                {answer.reply.citations.length > 0 && (
                  <div className="citations">
                    <p className="muted">Sources:</p>
                    <ul>
                      {answer.reply.citations.map((citation) => (
                        <li key={citation.url}>
                          <a href={citation.url} target="_blank" rel="noopener noreferrer">
                            {citation.title}
                          </a>
                        </li>
                      ))}
                    </ul>
                  </div>
                )}
              </>
            )}
            {!answer.reply.declined && <AnswerFeedback key={answer.reply.id} answerId={answer.reply.id} />}
            {(answer.reply.handoff.community || answer.reply.handoff.expert) && (
              <p className="row">
                <span>{answer.reply.declined ? 'A person can help:' : 'Not solved?'}</span>
                <button type="button" className="secondary" onClick={escalate}>
                  {answer.reply.handoff.expert ? 'Ask an expert' : 'Ask the community'}
                </button>
              </p>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

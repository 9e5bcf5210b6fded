import { useEffect, useRef } from 'react';
import { config } from '../config.ts';

/**
 * The web chat (the assistant conversation) is its own script, /widget.js, which mounts into a
 * target element. It is loaded only when the server has it, so a server without the widget shows the
 * rest of the page (ask, ticket form) without an error.
 */
export function ChatWidget({ repo }: { repo: string }) {
  const mount = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const src = `${config.apiBase}/widget.js`;
    let script: HTMLScriptElement | null = null;
    let cancelled = false;
    fetch(src, { method: 'HEAD' })
      .then((response) => {
        if (cancelled || !response.ok || !mount.current) return;
        script = document.createElement('script');
        script.src = src;
        script.async = true;
        script.dataset.repo = repo;
        script.dataset.target = '#backline-chat';
        document.body.appendChild(script);
      })
      .catch(() => {});
    return () => {
      cancelled = true;
      script?.remove();
    };
  }, [repo]);
  return <div id="backline-chat" className="chat-mount" ref={mount} />;
}

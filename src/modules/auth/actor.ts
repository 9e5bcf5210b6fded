import { forbidden, unauthorized } from '../../errors.ts';

/** Who is making a request. Every service method takes one and checks it before acting. */
export type UserActor = { kind: 'user'; userId: string; email: string; isOperator: boolean; via: 'token' | 'session' | 'chat' | 'email' };
export type Actor = { kind: 'anonymous' } | UserActor;

export const anonymous: Actor = { kind: 'anonymous' };

export function requireUser(actor: Actor): UserActor {
  if (actor.kind !== 'user') throw unauthorized();
  return actor;
}

export function requireOperator(actor: Actor): UserActor {
  const user = requireUser(actor);
  if (!user.isOperator) throw forbidden('Only a platform operator may do this.');
  return user;
}

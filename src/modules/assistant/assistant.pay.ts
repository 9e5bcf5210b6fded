import { publicUrl } from '../../config.ts';
import { formatMoney } from '../payments/payments.notifications.ts';
import type { ChatUser } from './assistant.identities.ts';
import type { AssistantKit } from './assistant.kit.ts';
import { privately } from './assistant.messages.ts';
import type { Message } from './assistant.types.ts';

type OpenedPayment = { url: string | null; amount: number; currency: string; status: string };

/**
 * The private message with the payment link. A checkout on this site (the sandbox) needs its payer signed
 * in, which a chat user is not in their browser: the link signs them in once and lands on the checkout.
 * A provider's hosted checkout (Stripe) is linked as it is.
 */
export async function paymentMessage(kit: AssistantKit, who: ChatUser, payment: OpenedPayment, lead: string): Promise<Message> {
  const amount = formatMoney(payment.amount, payment.currency);
  if (payment.status !== 'pending' || !payment.url) return privately(`${lead} The payment of ${amount} is ${payment.status}.`);
  const base = publicUrl(kit.deps.config);
  const url = payment.url.startsWith(`${base}/`) ? await kit.auth.signInLink(who.actor.email, payment.url.slice(base.length)) : payment.url;
  return privately(`${lead} Pay ${amount} to go ahead; the money is held until you confirm the work is done. The link is yours alone: do not share it.`, {
    links: [{ label: `Pay ${amount}`, url }],
  });
}

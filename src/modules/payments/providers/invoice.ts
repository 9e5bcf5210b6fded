import { conflict } from '../../../errors.ts';
import type { PaymentProvider } from './types.ts';

/**
 * Payments asked for by invoice and paid by bank transfer (see payments.charges.ts). There is no
 * processor to call: the invoice is the checkout and the bank statement says when it is paid. What a
 * processor would do by API is done by hand here, so those calls are refused with what to do instead.
 */
const byHand = (what: string) => async (): Promise<never> => {
  throw conflict(`This payment was made by invoice and bank transfer: ${what}`, 'invoice_payment');
};

export const invoiceProvider: PaymentProvider = {
  name: 'invoice',
  createCheckout: byHand('its invoice is its checkout.'),
  capture: byHand('it is captured when its invoice is marked paid.'),
  cancel: byHand('credit its invoice in full instead.'),
  refund: byHand('issue a credit note for its invoice and transfer the money back by hand.'),
  transfer: byHand('payouts are made from the processor balance.'),
  reverseTransfer: byHand('payouts are made from the processor balance.'),
};

// Every template with the longest free text the API takes (5000 characters of summary, emoji and
// accents, a 1000-character address): GSM-7, at most two segments (far under Twilio's 1600
// characters), and a page always ends with its reply instruction.
import { describe, expect, it } from 'vitest';
import * as text from '../../../src/domain/dispatch/messages';

const summary = `Chaudière en panne 🔥🚿 — Zoë says the água is everywhere, ${'the basement is flooding and the pump died. '.repeat(120)}`.slice(0, 5000);
const address = `Apt 4°, 12 Rue de l'Église 🏠, ${'behind the blue gate, '.repeat(60)}`.slice(0, 1000);
const clock = '10:40 PM';

const templates: Array<[string, string]> = [
  ['page', text.pageText({ businessName: 'Acme Plumbing', urgency: 'emergency', summary, address, replyCode: 'K7QP', attempt: 2, tier: 3, feeAccepted: false })],
  ['accepted reply asking for an ETA', text.acceptedReply({ callerPhone: '+12125550150', summary, address, replyCode: 'K7QP', askEta: true })],
  ['accepted reply with an ETA', text.acceptedReply({ callerPhone: '+12125550150', summary, address, replyCode: 'K7QP', eta: { clock, minutes: 40 } })],
  ['manager alert', text.managerAlertText({ replyCode: 'K7QP', summary, callerPhone: '+12125550150' })],
  ['overdue alert', text.overdueAlertText({ replyCode: 'K7QP', technicianName: 'Alice Tier1', clock, summary, callerPhone: '+12125550150', alert: 2 })],
  ['check-in', text.checkInText({ replyCode: 'K7QP', clock, check: 2 })],
  ['caller told the ETA', text.customerEtaText({ businessName: 'Acme Plumbing', technicianName: 'Alice Tier1', replyCode: 'K7QP', clock, minutes: 40, revision: 3 })],
  ['caller told the technician', text.customerAssignedText({ businessName: 'Acme Plumbing', technicianName: 'Alice Tier1', replyCode: 'K7QP', eta: { clock, minutes: 40 } })],
  ["caller's text passed on", text.callerMessageForward({ replyCode: 'K7QP', callerPhone: '+12125550150', text: summary, number: 2 })],
  ['answer to a caller text', text.callerStatusReply({ businessName: 'Acme Plumbing', replyCode: 'K7QP', status: 'ACCEPTED', technicianName: 'Alice Tier1', eta: clock, passedOn: true })],
  ['ETA set', text.etaSetReply({ replyCode: 'K7QP', clock, minutes: 40 })],
  ['arrived', text.arrivedReply({ replyCode: 'K7QP' })],
  ['completed', text.completedReply({ replyCode: 'K7QP' })],
  ['several jobs', text.chooseJobReply(['K7QP', 'AB23', 'ZZ99', 'QQ44'])],
];

describe('every template fits', () => {
  it.each(templates)('%s: GSM-7, at most two segments', (_name, body) => {
    expect(text.smsSegments(body)).toMatchObject({ encoding: 'GSM-7' });
    expect(text.smsSegments(body).segments).toBeLessThanOrEqual(2);
    expect(body.length).toBeLessThanOrEqual(1600);
  });

  it('a page shortened from a long summary keeps its reply instruction and says the fee', () => {
    const page = templates[0]![1];
    expect(page).toMatch(/Fee NOT agreed\. Reply YES K7QP to accept, NO K7QP to decline$/);
    expect(page).toMatch(/^FOLLOW-UP 2: EMERGENCY job K7QP \(manager escalation\) for Acme Plumbing: Chaudi.re en panne/);
  });
});

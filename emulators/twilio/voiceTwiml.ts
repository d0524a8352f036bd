// Reads the verbs of a voice TwiML response, as far as a simulated call needs them.
// Verbs a call simulation does not act on (<Pause>, <Play>, ...) are skipped.
import { unescapeXml, xmlAttributes } from './twiml';

export type VoiceVerb =
  | { verb: 'Say'; text: string }
  /** `input` as Twilio reads it: dtmf when the attribute is absent */
  | { verb: 'Gather'; action?: string; input: Array<'dtmf' | 'speech'>; says: string[] }
  | { verb: 'Redirect'; url: string }
  | { verb: 'Dial'; number: string }
  | { verb: 'Hangup' };

// Top-level verbs only: a <Gather> is matched whole, so the <Say>s inside it stay inside it.
const VERB = /<(Gather|Say|Redirect|Dial|Hangup|Reject)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/g;
const SAY = /<Say\b[^>]*>([\s\S]*?)<\/Say>/g;

const textOf = (content: string | undefined) => unescapeXml((content ?? '').replace(/<[^>]+>/g, ' ').trim()).replace(/\s+/g, ' ');

function gatherInput(attribute: string | undefined): Array<'dtmf' | 'speech'> {
  const words = (attribute ?? 'dtmf').split(/\s+/);
  return (['dtmf', 'speech'] as const).filter((kind) => words.includes(kind));
}

export function parseVoiceTwiml(xml: string): VoiceVerb[] {
  const verbs: VoiceVerb[] = [];
  for (const [, name, attributeText = '', content] of xml.matchAll(VERB)) {
    const attributes = xmlAttributes(attributeText);
    switch (name) {
      case 'Say':
        verbs.push({ verb: 'Say', text: textOf(content) });
        break;
      case 'Gather':
        verbs.push({
          verb: 'Gather',
          ...(attributes.action ? { action: attributes.action } : {}),
          input: gatherInput(attributes.input),
          says: [...(content ?? '').matchAll(SAY)].map(([, text]) => textOf(text)),
        });
        break;
      case 'Redirect':
        verbs.push({ verb: 'Redirect', url: textOf(content) });
        break;
      case 'Dial':
        verbs.push({ verb: 'Dial', number: textOf(content) });
        break;
      default: // Hangup, Reject: the call ends
        verbs.push({ verb: 'Hangup' });
    }
  }
  return verbs;
}

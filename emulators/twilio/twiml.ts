// Reads the <Message> verbs of a messaging TwiML response, and the XML helpers voice TwiML shares.

export interface TwimlMessage {
  body: string;
  /** absent: a reply to the sender */
  to?: string;
  from?: string;
}

const MESSAGE = /<Message\b([^>]*?)(?:\/>|>([\s\S]*?)<\/Message>)/g;
const BODY = /<Body>([\s\S]*?)<\/Body>/;
const ATTRIBUTE = /([A-Za-z]+)\s*=\s*"([^"]*)"/g;

export function unescapeXml(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** A tag's attributes, unescaped: `action="/a?x=1&amp;y=2"` → { action: '/a?x=1&y=2' }. */
export function xmlAttributes(attributeText: string): Record<string, string> {
  return Object.fromEntries([...attributeText.matchAll(ATTRIBUTE)].map(([, k = '', v = '']) => [k, unescapeXml(v)]));
}

export function parseTwimlMessages(xml: string): TwimlMessage[] {
  const messages: TwimlMessage[] = [];
  for (const [, attributeText = '', content = ''] of xml.matchAll(MESSAGE)) {
    const body = unescapeXml((BODY.exec(content)?.[1] ?? content).trim());
    if (!body) continue;
    const attributes = xmlAttributes(attributeText);
    messages.push({ body, ...(attributes.to ? { to: attributes.to } : {}), ...(attributes.from ? { from: attributes.from } : {}) });
  }
  return messages;
}
